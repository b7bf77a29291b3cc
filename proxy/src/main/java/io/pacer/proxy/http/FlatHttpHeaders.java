package io.pacer.proxy.http;

import io.netty.buffer.ByteBuf;
import io.netty.handler.codec.DateFormatter;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValidationUtil;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.handler.codec.http.HttpHeadersFactory;
import io.netty.util.AsciiString;
import io.netty.util.concurrent.FastThreadLocal;
import java.util.AbstractMap;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.Date;
import java.util.Iterator;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.NoSuchElementException;
import java.util.Set;

/**
 * The headers of one HTTP/1.1 message head in parallel arrays, in the order they came: names,
 * values, and each name's case-insensitive hash. A head has a dozen headers or so: a linear scan
 * that compares the hashes first finds a name in a few int comparisons, and two arrays per message
 * replace Netty's hash table of sixteen buckets and one linked entry object per header, which were
 * a third of what a proxied request allocated.
 *
 * <p>Names and values are validated as Netty's default headers validate them (a name is an RFC 9110
 * token; a value holds no NUL, CR or LF and no other control byte but HT), so decoders that build
 * their messages with {@link #FACTORY} refuse what they refused before. {@link #TRAILERS_FACTORY}
 * also refuses the framing headers a trailer must not carry.
 *
 * <p>Not thread-safe, like every message of a pipeline: one event loop owns it.
 */
public final class FlatHttpHeaders extends HttpHeaders {

    /** Headers of request and response heads. */
    public static final HttpHeadersFactory FACTORY = new Factory(false);
    /** Trailers of chunked bodies. */
    public static final HttpHeadersFactory TRAILERS_FACTORY = new Factory(true);

    private static final CharSequence[] NONE = new CharSequence[0];
    private static final int[] NO_HASHES = new int[0];
    private static final int INITIAL = 2 * 12;

    private final boolean trailers;
    /** Name {@code i} at {@code 2i}, its value at {@code 2i + 1}. */
    private CharSequence[] entries;
    /**
     * The case-insensitive hash of name {@code i} ({@link AsciiString#hashCode(CharSequence)}): a
     * lookup compares one int per header before any characters. Decoded names and Netty's name
     * constants are {@code AsciiString}s, whose hash is computed once and kept.
     */
    private int[] hashes;
    private int size;

    private FlatHttpHeaders(boolean trailers, int capacity) {
        this.trailers = trailers;
        this.entries = capacity == 0 ? NONE : new CharSequence[capacity];
        this.hashes = capacity == 0 ? NO_HASHES : new int[capacity / 2];
    }

    /** Empty headers with room for a typical head. */
    public static FlatHttpHeaders create() {
        return new FlatHttpHeaders(false, INITIAL);
    }

    /** Empty headers with room for {@code headers} of them, for a decoder that has counted a head's lines. */
    static FlatHttpHeaders withRoomFor(int headers) {
        return new FlatHttpHeaders(false, 2 * Math.max(headers, 1));
    }

    private record Factory(boolean trailers) implements HttpHeadersFactory {
        @Override
        public HttpHeaders newHeaders() {
            // Trailers are rare: their array is made by the first one.
            return new FlatHttpHeaders(trailers, trailers ? 0 : INITIAL);
        }

        @Override
        public HttpHeaders newEmptyHeaders() {
            return new FlatHttpHeaders(trailers, 0);
        }
    }

    // ---- lookup -------------------------------------------------------------------------------

    private static boolean sameName(CharSequence a, CharSequence b) {
        return a.length() == b.length() && AsciiString.contentEqualsIgnoreCase(a, b);
    }

    private int indexOf(CharSequence name, int from) {
        if (size == from) {
            return -1;
        }
        int h = AsciiString.hashCode(name);
        CharSequence[] e = entries;
        int[] hs = hashes;
        for (int i = from; i < size; i++) {
            if (hs[i] == h && sameName(e[2 * i], name)) {
                return i;
            }
        }
        return -1;
    }

    /** The name of header {@code i} as it came (a decoder's AsciiString, or the name Pacer set). */
    public CharSequence nameAt(int i) {
        return entries[2 * i];
    }

    /** The value of header {@code i} as it is kept (a String from a decoder, an AsciiString of ours). */
    public CharSequence valueAt(int i) {
        return entries[2 * i + 1];
    }

    @Override
    public String get(String name) {
        return get((CharSequence) name);
    }

    @Override
    public String get(CharSequence name) {
        int i = indexOf(name, 0);
        return i < 0 ? null : entries[2 * i + 1].toString();
    }

    @Override
    public Integer getInt(CharSequence name) {
        return parsed(name, Integer::valueOf);
    }

    /** The first {@code name} value as {@code parse} reads it; {@code null} when absent or not a number. */
    private <T> T parsed(CharSequence name, java.util.function.Function<String, T> parse) {
        String v = get(name);
        if (v == null) {
            return null;
        }
        try {
            return parse.apply(v);
        } catch (NumberFormatException e) {
            return null;
        }
    }

    @Override
    public int getInt(CharSequence name, int defaultValue) {
        Integer v = getInt(name);
        return v == null ? defaultValue : v;
    }

    @Override
    public Short getShort(CharSequence name) {
        return parsed(name, Short::valueOf);
    }

    @Override
    public short getShort(CharSequence name, short defaultValue) {
        Short v = getShort(name);
        return v == null ? defaultValue : v;
    }

    @Override
    public Long getTimeMillis(CharSequence name) {
        String v = get(name);
        if (v == null) {
            return null;
        }
        Date d = DateFormatter.parseHttpDate(v);
        return d == null ? null : d.getTime();
    }

    @Override
    public long getTimeMillis(CharSequence name, long defaultValue) {
        Long v = getTimeMillis(name);
        return v == null ? defaultValue : v;
    }

    @Override
    public List<String> getAll(String name) {
        return getAll((CharSequence) name);
    }

    @Override
    public List<String> getAll(CharSequence name) {
        int i = indexOf(name, 0);
        if (i < 0) {
            return Collections.emptyList();
        }
        int next = indexOf(name, i + 1);
        if (next < 0) {
            return Collections.singletonList(entries[2 * i + 1].toString());
        }
        List<String> all = new ArrayList<>(4);
        for (; i >= 0; i = indexOf(name, i + 1)) {
            all.add(entries[2 * i + 1].toString());
        }
        return all;
    }

    @Override
    public Iterator<String> valueStringIterator(CharSequence name) {
        return getAll(name).iterator();
    }

    @Override
    public List<Map.Entry<String, String>> entries() {
        List<Map.Entry<String, String>> out = new ArrayList<>(size);
        for (int i = 0; i < size; i++) {
            out.add(new AbstractMap.SimpleImmutableEntry<>(entries[2 * i].toString(), entries[2 * i + 1].toString()));
        }
        return out;
    }

    @Override
    public boolean contains(String name) {
        return indexOf(name, 0) >= 0;
    }

    @Override
    public boolean contains(CharSequence name) {
        return indexOf(name, 0) >= 0;
    }

    @Override
    public boolean contains(String name, String value, boolean ignoreCase) {
        return contains((CharSequence) name, value, ignoreCase);
    }

    /** Whether a {@code name} line holds exactly {@code value}, as Netty's headers answer it. */
    @Override
    public boolean contains(CharSequence name, CharSequence value, boolean ignoreCase) {
        for (int i = indexOf(name, 0); i >= 0; i = indexOf(name, i + 1)) {
            CharSequence v = entries[2 * i + 1];
            if (ignoreCase ? AsciiString.contentEqualsIgnoreCase(v, value) : AsciiString.contentEquals(v, value)) {
                return true;
            }
        }
        return false;
    }

    /** Whether a comma-separated element of a {@code name} line, trimmed, is {@code value}; allocates nothing. */
    @Override
    public boolean containsValue(CharSequence name, CharSequence value, boolean ignoreCase) {
        for (int i = indexOf(name, 0); i >= 0; i = indexOf(name, i + 1)) {
            CharSequence v = entries[2 * i + 1];
            int start = 0;
            int length = v.length();
            while (start <= length) {
                int comma = AsciiString.indexOf(v, ',', start);
                int end = comma < 0 ? length : comma;
                if (elementEquals(v, start, end, value, ignoreCase)) {
                    return true;
                }
                start = end + 1;
            }
        }
        return false;
    }

    private static boolean elementEquals(CharSequence v, int from, int to, CharSequence expected, boolean ignoreCase) {
        while (from < to && v.charAt(from) <= ' ') {
            from++;
        }
        while (to > from && v.charAt(to - 1) <= ' ') {
            to--;
        }
        int n = expected.length();
        if (to - from != n) {
            return false;
        }
        for (int k = 0; k < n; k++) {
            char a = v.charAt(from + k);
            char b = expected.charAt(k);
            if (a != b && (!ignoreCase || AsciiString.toLowerCase(a) != AsciiString.toLowerCase(b))) {
                return false;
            }
        }
        return true;
    }

    @Override
    public boolean isEmpty() {
        return size == 0;
    }

    @Override
    public int size() {
        return size;
    }

    @Override
    public Set<String> names() {
        Set<String> names = new LinkedHashSet<>();
        for (int i = 0; i < size; i++) {
            names.add(entries[2 * i].toString());
        }
        return names;
    }

    // ---- iteration ----------------------------------------------------------------------------

    @Override
    @Deprecated
    public Iterator<Map.Entry<String, String>> iterator() {
        return entries().iterator();
    }

    @Override
    public Iterator<Map.Entry<CharSequence, CharSequence>> iteratorCharSequence() {
        return new Iterator<>() {
            private int next;

            @Override
            public boolean hasNext() {
                return next < size;
            }

            @Override
            public Map.Entry<CharSequence, CharSequence> next() {
                if (next >= size) {
                    throw new NoSuchElementException();
                }
                int i = next++;
                return new AbstractMap.SimpleImmutableEntry<>(entries[2 * i], entries[2 * i + 1]);
            }
        };
    }

    // ---- changes ------------------------------------------------------------------------------

    private CharSequence validName(CharSequence name) {
        if (name == null || name.length() == 0) {
            throw new IllegalArgumentException("empty headers are not allowed [" + name + ']');
        }
        int bad = HttpHeaderValidationUtil.validateToken(name);
        if (bad != -1) {
            throw new IllegalArgumentException("a header name can only contain \"token\" characters, but found invalid"
                    + " character 0x" + Integer.toHexString(name.charAt(bad)) + " at index " + bad + " of header '"
                    + name + "'.");
        }
        if (trailers && (sameName(HttpHeaderNames.CONTENT_LENGTH, name)
                || sameName(HttpHeaderNames.TRANSFER_ENCODING, name) || sameName(HttpHeaderNames.TRAILER, name))) {
            throw new IllegalArgumentException("prohibited trailing header: " + name);
        }
        return name;
    }

    private static CharSequence validValue(Object value) {
        if (value == null) {
            throw new NullPointerException("value");
        }
        CharSequence v;
        if (value instanceof CharSequence cs) {
            v = cs;
        } else if (value instanceof Date d) {
            v = DateFormatter.format(d);
        } else if (value instanceof java.util.Calendar c) {
            v = DateFormatter.format(c.getTime());
        } else {
            v = value.toString();
        }
        int bad = HttpHeaderValidationUtil.validateValidHeaderValue(v);
        if (bad != -1) {
            throw new IllegalArgumentException("a header value contains prohibited character 0x"
                    + Integer.toHexString(v.charAt(bad)) + " at index " + bad + '.');
        }
        return v;
    }

    private void append(CharSequence name, CharSequence value) {
        if (2 * size == entries.length) {
            entries = Arrays.copyOf(entries, Math.max(8, entries.length * 2));
            hashes = Arrays.copyOf(hashes, entries.length / 2);
        }
        entries[2 * size] = name;
        entries[2 * size + 1] = value;
        hashes[size] = AsciiString.hashCode(name);
        size++;
    }

    @Override
    public HttpHeaders add(String name, Object value) {
        return add((CharSequence) name, value);
    }

    @Override
    public HttpHeaders add(CharSequence name, Object value) {
        append(validName(name), validValue(value));
        return this;
    }

    @Override
    public HttpHeaders add(String name, Iterable<?> values) {
        return add((CharSequence) name, values);
    }

    @Override
    public HttpHeaders add(CharSequence name, Iterable<?> values) {
        CharSequence n = validName(name);
        for (Object v : values) {
            append(n, validValue(v));
        }
        return this;
    }

    @Override
    public HttpHeaders addInt(CharSequence name, int value) {
        return add(name, Integer.toString(value));
    }

    @Override
    public HttpHeaders addShort(CharSequence name, short value) {
        return add(name, Short.toString(value));
    }

    /** Replaces every {@code name} line with one, kept where the first of them was. */
    @Override
    public HttpHeaders set(String name, Object value) {
        return set((CharSequence) name, value);
    }

    @Override
    public HttpHeaders set(CharSequence name, Object value) {
        CharSequence n = validName(name);
        CharSequence v = validValue(value);
        int i = indexOf(n, 0);
        if (i < 0) {
            append(n, v);
        } else {
            entries[2 * i + 1] = v;
            removeFrom(n, i + 1);
        }
        return this;
    }

    @Override
    public HttpHeaders set(String name, Iterable<?> values) {
        return set((CharSequence) name, values);
    }

    @Override
    public HttpHeaders set(CharSequence name, Iterable<?> values) {
        remove(name);
        return add(name, values);
    }

    @Override
    public HttpHeaders setInt(CharSequence name, int value) {
        return set(name, Integer.toString(value));
    }

    @Override
    public HttpHeaders setShort(CharSequence name, short value) {
        return set(name, Short.toString(value));
    }

    @Override
    public HttpHeaders remove(String name) {
        return remove((CharSequence) name);
    }

    @Override
    public HttpHeaders remove(CharSequence name) {
        removeFrom(name, 0);
        return this;
    }

    /** Removes the {@code name} lines at index {@code from} or after, keeping the others' order. */
    private void removeFrom(CharSequence name, int from) {
        int i = indexOf(name, from);
        if (i < 0) {
            return;
        }
        CharSequence[] e = entries;
        int[] hs = hashes;
        int removed = hs[i];
        int kept = i;
        for (int j = i + 1; j < size; j++) {
            if (hs[j] != removed || !sameName(e[2 * j], name)) {
                e[2 * kept] = e[2 * j];
                e[2 * kept + 1] = e[2 * j + 1];
                hs[kept] = hs[j];
                kept++;
            }
        }
        Arrays.fill(e, 2 * kept, 2 * size, null);
        size = kept;
    }

    @Override
    public HttpHeaders clear() {
        Arrays.fill(entries, 0, 2 * size, null);
        size = 0;
        return this;
    }

    // ---- encoding -----------------------------------------------------------------------------

    /** Scratch for copying a String's bytes: one per event loop thread, grown to the longest value. */
    private static final FastThreadLocal<byte[]> SCRATCH = new FastThreadLocal<>() {
        @Override
        protected byte[] initialValue() {
            return new byte[256];
        }
    };

    /**
     * Writes {@code name: value\r\n} for each header into {@code buf}, with one bounds check for
     * all of them. Strings a decoder made hold one char per byte received (Latin-1), so their low
     * bytes are the bytes that came: copied in bulk rather than encoded char by char.
     */
    public void writeTo(ByteBuf buf) {
        int total = 0;
        for (int i = 0; i < 2 * size; i++) {
            total += entries[i].length();
        }
        buf.ensureWritable(total + 4 * size);
        int offset = buf.writerIndex();
        for (int i = 0; i < size; i++) {
            offset = copy(entries[2 * i], buf, offset);
            buf.setShort(offset, (':' << 8) | ' ');
            offset = copy(entries[2 * i + 1], buf, offset + 2);
            buf.setShort(offset, ('\r' << 8) | '\n');
            offset += 2;
        }
        buf.writerIndex(offset);
    }

    @SuppressWarnings("deprecation") // String.getBytes(int, int, byte[], int): the low byte of each char, wanted here
    private static int copy(CharSequence s, ByteBuf buf, int offset) {
        int n = s.length();
        if (s instanceof AsciiString a) {
            buf.setBytes(offset, a.array(), a.arrayOffset(), n);
        } else if (s instanceof String str) {
            byte[] scratch = SCRATCH.get();
            if (scratch.length < n) {
                scratch = new byte[Math.max(n, 2 * scratch.length)];
                SCRATCH.set(scratch);
            }
            str.getBytes(0, n, scratch, 0);
            buf.setBytes(offset, scratch, 0, n);
        } else {
            for (int i = 0; i < n; i++) {
                buf.setByte(offset + i, s.charAt(i));
            }
        }
        return offset + n;
    }

    @Override
    public HttpHeaders copy() {
        FlatHttpHeaders copy = new FlatHttpHeaders(trailers, Math.max(INITIAL, 2 * size));
        System.arraycopy(entries, 0, copy.entries, 0, 2 * size);
        System.arraycopy(hashes, 0, copy.hashes, 0, size);
        copy.size = size;
        return copy;
    }
}
