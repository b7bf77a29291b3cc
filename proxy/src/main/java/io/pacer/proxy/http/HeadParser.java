package io.pacer.proxy.http;

import io.netty.buffer.ByteBuf;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.util.AsciiString;
import io.netty.util.concurrent.FastThreadLocal;
import java.util.Arrays;

/**
 * The one-pass parsing of an HTTP/1.1 head that the request and response fast paths share: finding
 * where the head ends, and reading its header lines into {@link FlatHttpHeaders}. A subclass reads
 * the first line. Each takes only heads whose every byte is plain, and answers "not mine" for the
 * rest, which then go to Netty's decoder and its rules:
 * <ul>
 *   <li>header lines {@code name: value} ending in CRLF, with a token for the name right before
 *       the colon and a value of printable ASCII, spaces and tabs (no other control byte, no
 *       byte above 0x7E), trimmed of spaces and tabs as Netty's decoder trims them;
 *   <li>no {@code Transfer-Encoding}, and at most one {@code Content-Length}, holding a number in
 *       its canonical form (no sign, spaces or leading zeros);
 *   <li>at most {@link #MAX_HEAD} bytes in all, fewer if the decoder's limits are lower.
 * </ul>
 *
 * <p>A peer sends much the same head again and again on a connection, so the names and values of
 * the last head are kept by position, and a byte-for-byte repeat reuses them instead of making new
 * Strings. They are immutable, and shared by the heads as Netty's constants are.
 *
 * <p>Not thread-safe: one per connection, used by its event loop only.
 */
public abstract class HeadParser {

    /** The longest head taken; longer ones, still within the decoder's limits, go to Netty's. */
    public static final int MAX_HEAD = 8192;
    /** Headers remembered from the last head, for reuse by position. */
    private static final int REMEMBERED = 32;
    private static final String EMPTY = "";

    /** Scratch for one head's bytes, one per event loop thread: parsing happens within a read. */
    private static final FastThreadLocal<byte[]> SCRATCH = new FastThreadLocal<>() {
        @Override
        protected byte[] initialValue() {
            return new byte[MAX_HEAD];
        }
    };

    /** The longest head this parser takes: at most {@link #MAX_HEAD}, less when the decoder's limits are lower. */
    private final int maxHead;
    private final CharSequence[] lastNames = new CharSequence[REMEMBERED];
    private final String[] lastValues = new String[REMEMBERED];
    /** Bytes at the front of the buffer already searched for the end of the head. */
    private int searched;
    /** Bytes at the front of the buffer already found to be lines this parser takes. */
    private int checked;
    /** Line ends found so far in the head being searched. */
    private int lineEnds;
    /** Header lines of the head whose length {@link #headLength} last gave. */
    private int headerLines;
    private long contentLength;
    // The parts of the header line last read by headerLine(), read right after it.
    private int nameEnd;
    private int valueStart;
    private int valueEnd;

    /**
     * @param maxHead the longest head to take, at most {@link #MAX_HEAD}; no more than any size
     *                limit of the Netty decoder behind, so that every head taken is one it would take
     */
    protected HeadParser(int maxHead) {
        if (maxHead <= 0 || maxHead > MAX_HEAD) {
            throw new IllegalArgumentException("maxHead " + maxHead + " not in [1, " + MAX_HEAD + "]");
        }
        this.maxHead = maxHead;
    }

    /**
     * The index past the CRLF of the first line of {@code b[0, length)} if it is one this parser
     * takes, else -1.
     */
    protected abstract int firstLine(byte[] b, int length);

    /**
     * Whether the {@code end - start} bytes of a first line that have come at {@code start} could
     * start one this parser takes: Netty's decoders refuse some bytes before any line ends, and
     * must see them at once.
     */
    protected abstract boolean startsAsTaken(ByteBuf in, int start, int end);

    /** Whether a header named {@code b[start, start + length)} leaves the head to Netty's decoder. */
    protected boolean refusesHeader(byte[] b, int start, int length) {
        return false;
    }

    /**
     * The length of the head at the reader index, through its empty line; 0 if it has not all
     * arrived; -1 if it is not one this parser takes, as far as can be told: longer than
     * the longest head it takes, or a line already complete that it would not take. That early answer
     * lets Netty's decoder refuse a bad line as soon as it would have, not once the head is whole.
     */
    public final int headLength(ByteBuf in) {
        int start = in.readerIndex();
        int end = Math.min(in.writerIndex(), start + maxHead);
        // A head ends with CR LF CR LF: look for each LF, from three bytes before where the last
        // search stopped so that an ending split across reads is found.
        int newFrom = start + searched;
        int from = start + Math.max(searched - 3, 0);
        int lastLf = -1;
        while (from < end) {
            int lf = in.indexOf(from, end, (byte) '\n');
            if (lf < 0) {
                break;
            }
            if (lf >= newFrom) {
                lineEnds++;
            }
            if (lf - start >= 3 && in.getByte(lf - 1) == '\r' && in.getByte(lf - 2) == '\n'
                    && in.getByte(lf - 3) == '\r') {
                headerLines = lineEnds - 2; // all but the first line and the empty one
                reset();
                return lf + 1 - start;
            }
            lastLf = lf;
            from = lf + 1;
        }
        searched = end - start;
        if (searched >= maxHead || !startsAsTaken(in, start, end)
                || (lastLf >= 0 && !takesLines(in, lastLf + 1 - start))) {
            reset();
            return -1;
        }
        return 0;
    }

    /** Forgets what was learnt of the buffered bytes: the next head starts elsewhere. */
    public final void reset() {
        searched = 0;
        checked = 0;
        lineEnds = 0;
    }

    /**
     * Headers for the head whose length {@link #headLength} last gave, with room for its lines
     * and {@code more}: what Pacer adds on the way through, so that adding copies nothing.
     */
    protected final FlatHttpHeaders headersWithRoomFor(int more) {
        return FlatHttpHeaders.withRoomFor(headerLines + more);
    }

    /** The {@code Content-Length} of the head last parsed; -1 if it had none. */
    public final long contentLength() {
        return contentLength;
    }

    /** The head's {@code length} bytes at the reader index, copied to this thread's scratch array. */
    protected static byte[] copy(ByteBuf in, int length) {
        byte[] b = SCRATCH.get();
        in.getBytes(in.readerIndex(), b, 0, length);
        return b;
    }

    /** Whether the complete lines up to {@code upTo} bytes past the reader index are ones this parser takes. */
    private boolean takesLines(ByteBuf in, int upTo) {
        if (upTo <= checked) {
            return true;
        }
        // Only the lines not yet checked are copied, each to its place in the head, so that a head
        // arriving a byte at a time costs its length in copies, not its length squared.
        byte[] b = SCRATCH.get();
        in.getBytes(in.readerIndex() + checked, b, checked, upTo - checked);
        int p = checked == 0 ? firstLine(b, upTo) : checked;
        while (p > 0 && p < upTo) {
            int lineStart = p;
            p = headerLine(b, p, upTo);
            if (p > 0 && !takesHeader(b, lineStart)) {
                return false;
            }
        }
        checked = upTo;
        return p > 0;
    }

    /**
     * Reads the header lines of the whole head {@code b[0, length)} from {@code p}, just past its
     * first line, into {@code headers}; false if the head is not one this parser takes.
     */
    protected final boolean readHeaders(byte[] b, int p, int length, HttpHeaders headers) {
        contentLength = -1;
        for (int i = 0; p < length - 2; i++) {
            int lineStart = p;
            p = headerLine(b, p, length);
            if (p < 0 || !takesHeader(b, lineStart)) {
                return false;
            }
            if (isNamed(b, lineStart, HttpHeaderNames.CONTENT_LENGTH)) {
                if (contentLength >= 0 || (contentLength = canonicalNumber(b, valueStart, valueEnd)) < 0) {
                    return false;
                }
            }
            headers.add(name(i, b, lineStart, nameEnd - lineStart), value(i, b, valueStart, valueEnd - valueStart));
        }
        return true;
    }

    private boolean takesHeader(byte[] b, int lineStart) {
        return !isNamed(b, lineStart, HttpHeaderNames.TRANSFER_ENCODING)
                && !refusesHeader(b, lineStart, nameEnd - lineStart);
    }

    /**
     * The index past the CRLF of the header line at {@code p}, or -1 if it is not one this parser
     * takes. Leaves the name's end and the value's trimmed bounds in fields, for the caller.
     */
    private int headerLine(byte[] b, int p, int length) {
        int nameStart = p;
        while (p < length && isTokenChar(b[p])) {
            p++;
        }
        if (p == nameStart || p >= length || b[p] != ':') {
            return -1;
        }
        nameEnd = p++;
        while (p < length && (b[p] == ' ' || b[p] == '\t')) {
            p++;
        }
        valueStart = p;
        for (; p < length && b[p] != '\r'; p++) {
            byte c = b[p];
            if ((c < ' ' && c != '\t') || c >= 0x7F) {
                return -1;
            }
        }
        if (p + 1 >= length || b[p + 1] != '\n') {
            return -1;
        }
        int end = p;
        while (end > valueStart && (b[end - 1] == ' ' || b[end - 1] == '\t')) {
            end--;
        }
        valueEnd = end;
        return p + 2;
    }

    /** Whether the header line at {@code lineStart}, just read by {@link #headerLine}, is named {@code wanted} in any case. */
    private boolean isNamed(byte[] b, int lineStart, AsciiString wanted) {
        return equalsIgnoreCase(b, lineStart, nameEnd - lineStart, wanted);
    }

    /** Whether {@code b[start, start + length)} is {@code wanted}, ASCII case ignored. */
    protected static boolean equalsIgnoreCase(byte[] b, int start, int length, AsciiString wanted) {
        if (length != wanted.length()) {
            return false;
        }
        for (int k = 0; k < length; k++) {
            if (lower(b[start + k]) != lower(wanted.byteAt(k))) {
                return false;
            }
        }
        return true;
    }

    private static int lower(byte c) {
        return c >= 'A' && c <= 'Z' ? c + ('a' - 'A') : c;
    }

    protected static int digit(byte c) {
        return c >= '0' && c <= '9' ? c - '0' : -1000;
    }

    /** {@code b[from, to)} as a number written without sign, spaces or leading zeros; -1 otherwise. */
    private static long canonicalNumber(byte[] b, int from, int to) {
        int n = to - from;
        if (n == 0 || n > 18 || (b[from] == '0' && n > 1)) {
            return -1;
        }
        long v = 0;
        for (int i = from; i < to; i++) {
            int d = digit(b[i]);
            if (d < 0) {
                return -1;
            }
            v = v * 10 + d;
        }
        return v;
    }

    /** RFC 9110 tchar. */
    protected static boolean isTokenChar(byte c) {
        if (c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9') {
            return true;
        }
        switch (c) {
            case '!', '#', '$', '%', '&', '\'', '*', '+', '-', '.', '^', '_', '`', '|', '~':
                return true;
            default:
                return false;
        }
    }

    private CharSequence name(int i, byte[] b, int start, int length) {
        AsciiString known = KnownHeaderNames.find(b, start, length);
        if (known != null) {
            return known;
        }
        if (i < REMEMBERED) {
            CharSequence last = lastNames[i];
            if (last != null && sameBytes(last, b, start, length)) {
                return last;
            }
            return lastNames[i] = new AsciiString(b, start, length, true);
        }
        return new AsciiString(b, start, length, true);
    }

    private String value(int i, byte[] b, int start, int length) {
        if (length == 0) {
            return EMPTY;
        }
        if (i < REMEMBERED) {
            String last = lastValues[i];
            if (last != null && sameBytes(last, b, start, length)) {
                return last;
            }
            return lastValues[i] = latin1(b, start, length);
        }
        return latin1(b, start, length);
    }

    /** One char per byte, as Netty's decoders make Strings of what they read. */
    @SuppressWarnings("deprecation") // String(byte[], int hibyte, int, int): exactly that, without a charset lookup
    protected static String latin1(byte[] b, int start, int length) {
        return new String(b, 0, start, length);
    }

    /** Whether {@code s} holds one char per byte of {@code b[start, start + length)}. */
    protected static boolean sameBytes(CharSequence s, byte[] b, int start, int length) {
        if (s.length() != length) {
            return false;
        }
        if (s instanceof AsciiString a) {
            return Arrays.equals(a.array(), a.arrayOffset(), a.arrayOffset() + length, b, start, start + length);
        }
        for (int k = 0; k < length; k++) {
            if (s.charAt(k) != (b[start + k] & 0xFF)) {
                return false;
            }
        }
        return true;
    }
}
