package io.pacer.proxy.upstream;

import io.netty.buffer.ByteBuf;
import io.netty.handler.codec.http.DefaultHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.util.AsciiString;
import io.netty.util.concurrent.FastThreadLocal;
import io.pacer.proxy.http.FlatHttpHeaders;
import io.pacer.proxy.http.KnownHeaderNames;
import java.util.Arrays;

/**
 * Parses the response heads most tasks send, in one pass over a copy of the whole head, and leaves
 * every other head to Netty's decoder by answering {@code null}. A head it takes has:
 * <ul>
 *   <li>the status line {@code HTTP/1.1} or {@code HTTP/1.0}, one space, a status from 200 to 599,
 *       one space and a reason phrase of printable ASCII with no trailing space;
 *   <li>header lines {@code name: value} ending in CRLF, with a token for the name right before
 *       the colon and a value of printable ASCII, spaces and tabs;
 *   <li>no {@code Transfer-Encoding}, at most one {@code Content-Length} holding a number in its
 *       canonical form, and a {@code Content-Length} unless the answer has no body (a {@code HEAD},
 *       204 or 304);
 *   <li>at most {@link #MAX_HEAD} bytes in all.
 * </ul>
 * What it produces for such a head is what Netty's {@code HttpResponseDecoder} produces: the same
 * version, status (reason phrase included), header names and values in order, trimmed of spaces
 * and tabs around the value. Anything else (interim and 101 answers, chunked or close-delimited
 * bodies, line folding, a bare CR or LF, control bytes, a malformed length) is for Netty's
 * decoder to frame or refuse, so those rules stay exactly Netty's.
 *
 * <p>A task answers the same way again and again, so the names, values and status of the last head
 * parsed on a connection are kept, and a byte-for-byte repeat reuses them instead of making new
 * Strings. They are immutable, and shared by the heads as Netty's constants are.
 *
 * <p>Not thread-safe: one per upstream connection, used by its event loop only.
 */
final class ResponseHeadParser {

    /** The longest head taken; longer ones, still within the decoder's limits, go to Netty's. */
    static final int MAX_HEAD = 8192;
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

    private final CharSequence[] lastNames = new CharSequence[REMEMBERED];
    private final String[] lastValues = new String[REMEMBERED];
    private HttpResponseStatus lastStatus;
    /** Bytes at the front of the buffer already searched for the end of the head. */
    private int searched;
    /** Bytes at the front of the buffer already found to be lines this parser takes. */
    private int checked;
    private long contentLength;
    // The parts of the header line last read by headerLine(), read right after it.
    private int nameEnd;
    private int valueStart;
    private int valueEnd;

    /**
     * The length of the head at the reader index, through its empty line; 0 if it has not all
     * arrived; -1 if it is not one this parser takes, as far as can be told: longer than
     * {@link #MAX_HEAD}, or a line already complete that it would not take. That early answer
     * lets Netty's decoder refuse a bad line as soon as it would have, not once the head is whole.
     */
    int headLength(ByteBuf in) {
        int start = in.readerIndex();
        int end = Math.min(in.writerIndex(), start + MAX_HEAD);
        // A head ends with CR LF CR LF: look for each LF, from three bytes before where the last
        // search stopped so that an ending split across reads is found.
        int from = start + Math.max(searched - 3, 0);
        int lastLf = -1;
        while (from < end) {
            int lf = in.indexOf(from, end, (byte) '\n');
            if (lf < 0) {
                break;
            }
            if (lf - start >= 3 && in.getByte(lf - 1) == '\r' && in.getByte(lf - 2) == '\n'
                    && in.getByte(lf - 3) == '\r') {
                reset();
                return lf + 1 - start;
            }
            lastLf = lf;
            from = lf + 1;
        }
        searched = end - start;
        if (searched >= MAX_HEAD || !startsAsTaken(in, start, end)
                || (lastLf >= 0 && !takesLines(in, lastLf + 1 - start))) {
            reset();
            return -1;
        }
        return 0;
    }

    private static final byte[] STATUS_LINE_START = "HTTP/1.1 200 ".getBytes(java.nio.charset.StandardCharsets.US_ASCII);

    /**
     * Whether the bytes of a status line that have come could start one this parser takes: Netty's
     * decoder refuses some first bytes before any line ends, and must see them at once.
     */
    private static boolean startsAsTaken(ByteBuf in, int start, int end) {
        int n = Math.min(end - start, STATUS_LINE_START.length);
        for (int i = 0; i < n; i++) {
            byte c = in.getByte(start + i);
            byte want = STATUS_LINE_START[i];
            boolean ok = i == 7 ? c == '1' || c == '0' : i >= 9 && i <= 11 ? c >= '0' && c <= '9' : c == want;
            if (!ok) {
                return false;
            }
        }
        return true;
    }

    /** Forgets what was learnt of the buffered bytes: the next head starts elsewhere. */
    void reset() {
        searched = 0;
        checked = 0;
    }

    /** Whether the complete lines up to {@code upTo} bytes past the reader index are ones this parser takes. */
    private boolean takesLines(ByteBuf in, int upTo) {
        if (upTo <= checked) {
            return true;
        }
        byte[] b = SCRATCH.get();
        in.getBytes(in.readerIndex(), b, 0, upTo);
        int p = checked == 0 ? statusLine(b, upTo) : checked;
        while (p > 0 && p < upTo) {
            int lineStart = p;
            p = headerLine(b, p, upTo);
            if (p > 0 && isNamed(b, lineStart, HttpHeaderNames.TRANSFER_ENCODING)) {
                return false;
            }
        }
        checked = upTo;
        return p > 0;
    }

    /** The {@code Content-Length} of the head last parsed; -1 if it had none. */
    long contentLength() {
        return contentLength;
    }

    /**
     * The head of {@code length} bytes at the reader index (nothing is consumed), or {@code null}
     * if it is not one this parser takes.
     */
    HttpResponse parse(ByteBuf in, int length, boolean headRequest) {
        byte[] b = SCRATCH.get();
        in.getBytes(in.readerIndex(), b, 0, length);
        int p = statusLine(b, length);
        if (p < 0) {
            return null;
        }
        HttpVersion version = b[7] == '1' ? HttpVersion.HTTP_1_1 : HttpVersion.HTTP_1_0;
        int code = statusCode(b);
        HttpResponseStatus status = status(code, b, 13, p - 15);

        HttpHeaders headers = FlatHttpHeaders.FACTORY.newHeaders();
        contentLength = -1;
        for (int i = 0; p < length - 2; i++) {
            int lineStart = p;
            p = headerLine(b, p, length);
            if (p < 0) {
                return null;
            }
            if (isNamed(b, lineStart, HttpHeaderNames.TRANSFER_ENCODING)) {
                return null;
            }
            if (isNamed(b, lineStart, HttpHeaderNames.CONTENT_LENGTH)) {
                if (contentLength >= 0 || (contentLength = canonicalNumber(b, valueStart, valueEnd)) < 0) {
                    return null;
                }
            }
            headers.add(name(i, b, lineStart, nameEnd - lineStart), value(i, b, valueStart, valueEnd - valueStart));
        }
        if (contentLength < 0 && !headRequest && code != 204 && code != 304) {
            return null; // a body that runs to the close
        }
        return new DefaultHttpResponse(version, status, headers);
    }

    /**
     * The index past the CRLF of a status line {@code HTTP/1.x SP DDD SP reason}, with a status
     * from 200 to 599 and a reason of printable ASCII that neither starts nor ends with a space;
     * -1 for any other first line.
     */
    private static int statusLine(byte[] b, int length) {
        if (length < 17 || b[0] != 'H' || b[1] != 'T' || b[2] != 'T' || b[3] != 'P' || b[4] != '/'
                || b[5] != '1' || b[6] != '.' || (b[7] != '1' && b[7] != '0') || b[8] != ' ' || b[12] != ' '
                || b[13] == ' ') {
            return -1;
        }
        int code = statusCode(b);
        if (code < 200 || code > 599) {
            return -1; // interim and 101 answers, or not three digits
        }
        int p = 13;
        while (p < length && b[p] >= ' ' && b[p] < 0x7F) {
            p++;
        }
        if (p == 13 || p + 1 >= length || b[p] != '\r' || b[p + 1] != '\n' || b[p - 1] == ' ') {
            return -1;
        }
        return p + 2;
    }

    private static int statusCode(byte[] b) {
        return digit(b[9]) * 100 + digit(b[10]) * 10 + digit(b[11]);
    }

    /**
     * The index past the CRLF of the header line {@code name: value} at {@code p}, with a token
     * for the name right before the colon and a value of printable ASCII, spaces and tabs; -1 for
     * any other line. Leaves the name's end and the value's bounds, trimmed of spaces and tabs, in
     * {@link #nameEnd}, {@link #valueStart} and {@link #valueEnd}.
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
        int n = wanted.length();
        if (nameEnd - lineStart != n) {
            return false;
        }
        for (int k = 0; k < n; k++) {
            if (lower(b[lineStart + k]) != lower(wanted.byteAt(k))) {
                return false;
            }
        }
        return true;
    }

    private static int lower(byte c) {
        return c >= 'A' && c <= 'Z' ? c + ('a' - 'A') : c;
    }

    private static int digit(byte c) {
        return c >= '0' && c <= '9' ? c - '0' : -1000;
    }

    /** {@code value} as a number written without sign, spaces or leading zeros; -1 otherwise. */
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
    private static boolean isTokenChar(byte c) {
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

    /** The status with this code and reason: Netty's constant when the reason is its standard one. */
    private HttpResponseStatus status(int code, byte[] b, int start, int length) {
        HttpResponseStatus last = lastStatus;
        if (last != null && last.code() == code && sameBytes(last.reasonPhrase(), b, start, length)) {
            return last;
        }
        HttpResponseStatus standard = HttpResponseStatus.valueOf(code);
        HttpResponseStatus status = sameBytes(standard.reasonPhrase(), b, start, length)
                ? standard : new HttpResponseStatus(code, latin1(b, start, length));
        lastStatus = status;
        return status;
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

    /** One char per byte, as Netty's decoder makes header Strings. */
    @SuppressWarnings("deprecation") // String(byte[], int hibyte, int, int): exactly that, without a charset lookup
    private static String latin1(byte[] b, int start, int length) {
        return new String(b, 0, start, length);
    }

    private static boolean sameBytes(CharSequence s, byte[] b, int start, int length) {
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
