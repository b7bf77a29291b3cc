package io.pacer.proxy.upstream;

import io.netty.buffer.ByteBuf;
import io.netty.handler.codec.http.DefaultHttpResponse;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpVersion;
import io.pacer.proxy.http.HeadParser;
import java.nio.charset.StandardCharsets;

/**
 * Parses the response heads most tasks send; every other head is left to Netty's decoder (see
 * {@link HeadParser} for the header lines taken). The status line must be {@code HTTP/1.1} or
 * {@code HTTP/1.0}, one space, a status from 200 to 599, one space and a reason phrase of
 * printable ASCII that neither starts nor ends with a space; and a response must say its length
 * with {@code Content-Length}, unless it has no body (an answer to {@code HEAD}, a 204 or a 304).
 * Interim and 101 answers, chunked and close-delimited bodies are Netty's decoder's.
 *
 * <p>What it produces for such a head is what Netty's {@code HttpResponseDecoder} produces: the
 * same version, status (reason phrase included), and header names and values in order. The status
 * of the last head is kept for reuse, as its names and values are.
 *
 * <p>Not thread-safe: one per upstream connection, used by its event loop only.
 */
final class ResponseHeadParser extends HeadParser {

    private static final byte[] STATUS_LINE_START = "HTTP/1.1 200 ".getBytes(StandardCharsets.US_ASCII);

    /** Headers {@code ProxyHeaders.toClient} and the exchange may add (Connection, a sticky cookie, ...). */
    private static final int ADDED = 3;

    private HttpResponseStatus lastStatus;

    ResponseHeadParser() {
        super(MAX_HEAD); // the upstream decoder's limits are higher
    }

    /**
     * The head of {@code length} bytes at the reader index (nothing is consumed), or {@code null}
     * if it is not one this parser takes.
     */
    HttpResponse parse(ByteBuf in, int length, boolean headRequest) {
        byte[] b = copy(in, length);
        int p = firstLine(b, length);
        if (p < 0) {
            return null;
        }
        HttpHeaders headers = headersWithRoomFor(ADDED);
        if (!readHeaders(b, p, length, headers)) {
            return null;
        }
        int code = statusCode(b);
        if (contentLength() < 0 && !headRequest && code != 204 && code != 304) {
            return null; // a body that runs to the close
        }
        HttpVersion version = b[7] == '1' ? HttpVersion.HTTP_1_1 : HttpVersion.HTTP_1_0;
        return new DefaultHttpResponse(version, status(code, b, 13, p - 15), headers);
    }

    /** {@code HTTP/1.x SP DDD SP reason CRLF}, with a status from 200 to 599. */
    @Override
    protected int firstLine(byte[] b, int length) {
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
        if (p + 1 >= length || b[p] != '\r' || b[p + 1] != '\n' || b[p - 1] == ' ') {
            return -1;
        }
        return p + 2;
    }

    @Override
    protected boolean startsAsTaken(ByteBuf in, int start, int end) {
        int n = Math.min(end - start, STATUS_LINE_START.length);
        for (int i = 0; i < n; i++) {
            byte c = in.getByte(start + i);
            boolean ok = i == 7 ? c == '1' || c == '0' : i >= 9 && i <= 11 ? digit(c) >= 0 : c == STATUS_LINE_START[i];
            if (!ok) {
                return false;
            }
        }
        return true;
    }

    private static int statusCode(byte[] b) {
        return digit(b[9]) * 100 + digit(b[10]) * 10 + digit(b[11]);
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
}
