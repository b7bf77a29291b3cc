package io.pacer.proxy.http;

import io.netty.buffer.ByteBuf;
import io.netty.handler.codec.http.DefaultHttpRequest;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.util.AsciiString;

/**
 * Parses the request heads most clients send; every other head goes to the strict front door
 * ({@link ClientCodec}'s byte scanner, then Netty's decoder). See {@link HeadParser} for the header
 * lines taken. The request line must be a common method ({@code GET HEAD POST PUT DELETE OPTIONS
 * PATCH}), one space, a target of printable ASCII, one space and {@code HTTP/1.1} or
 * {@code HTTP/1.0}. A head naming {@code Sec-WebSocket-Key1} or {@code Key2} (an old WebSocket
 * handshake whose body Netty's decoder counts) is left to the front door too.
 *
 * <p>Such a head passes the byte scanner, and what it produces is what Netty's
 * {@code HttpRequestDecoder} produces: the same method, target, version and headers in order. The
 * target of the last head is kept for reuse, as its names and values are.
 *
 * <p>Not thread-safe: one per client connection, used by its event loop only.
 */
final class RequestHeadParser extends HeadParser {

    private static final HttpMethod[] METHODS = {
        HttpMethod.GET, HttpMethod.HEAD, HttpMethod.POST, HttpMethod.PUT, HttpMethod.DELETE, HttpMethod.OPTIONS,
        HttpMethod.PATCH,
    };
    private static final AsciiString KEY1 = AsciiString.cached("Sec-WebSocket-Key1");
    private static final AsciiString KEY2 = AsciiString.cached("Sec-WebSocket-Key2");

    /** Headers {@code ProxyHeaders.toUpstream} may add: Host, X-Forwarded-For, -Proto, -Host, X-Real-IP. */
    private static final int ADDED = 5;

    private String lastTarget;
    // The parts of the request line last read by firstLine(), read right after it.
    private HttpMethod method;
    private int targetEnd;

    /** @param maxHead the decoder's lowest size limit (request line, headers), or less */
    RequestHeadParser(int maxHead) {
        super(Math.min(maxHead, MAX_HEAD));
    }

    /**
     * The head of {@code length} bytes at the reader index (nothing is consumed), or {@code null}
     * if it is not one this parser takes.
     */
    HttpRequest parse(ByteBuf in, int length) {
        byte[] b = copy(in, length);
        int p = firstLine(b, length);
        if (p < 0) {
            return null;
        }
        HttpMethod m = method;
        int targetStart = m.name().length() + 1;
        int end = targetEnd;
        HttpVersion version = b[end + 8] == '1' ? HttpVersion.HTTP_1_1 : HttpVersion.HTTP_1_0;
        HttpHeaders headers = headersWithRoomFor(ADDED);
        if (!readHeaders(b, p, length, headers)) {
            return null;
        }
        return new DefaultHttpRequest(version, m, target(b, targetStart, end - targetStart), headers);
    }

    /** {@code METHOD SP target SP HTTP/1.x CRLF}. */
    @Override
    protected int firstLine(byte[] b, int length) {
        HttpMethod m = methodAt(b, length);
        if (m == null) {
            return -1;
        }
        int p = m.name().length() + 1;
        int targetStart = p;
        while (p < length && b[p] > ' ' && b[p] < 0x7F) {
            p++;
        }
        if (p == targetStart || p + 11 > length || b[p] != ' ' || b[p + 1] != 'H' || b[p + 2] != 'T'
                || b[p + 3] != 'T' || b[p + 4] != 'P' || b[p + 5] != '/' || b[p + 6] != '1' || b[p + 7] != '.'
                || (b[p + 8] != '1' && b[p + 8] != '0') || b[p + 9] != '\r' || b[p + 10] != '\n') {
            return -1;
        }
        method = m;
        targetEnd = p;
        return p + 11;
    }

    /** The common method that starts {@code b}, followed by a space; {@code null} for any other start. */
    private static HttpMethod methodAt(byte[] b, int length) {
        for (HttpMethod m : METHODS) {
            AsciiString name = m.asciiName();
            int n = name.length();
            if (n < length && b[n] == ' ' && sameBytes(name, b, 0, n)) {
                return m;
            }
        }
        return null;
    }

    /**
     * Never: the front door's byte scanner refuses a bad byte as soon as it comes, so a head that
     * has not all come at the first look is the scanner's, whatever it turns out to be.
     */
    @Override
    protected boolean startsAsTaken(ByteBuf in, int start, int end) {
        return false;
    }

    @Override
    protected boolean refusesHeader(byte[] b, int start, int length) {
        return equalsIgnoreCase(b, start, length, KEY1) || equalsIgnoreCase(b, start, length, KEY2);
    }

    private String target(byte[] b, int start, int length) {
        String last = lastTarget;
        if (last != null && sameBytes(last, b, start, length)) {
            return last;
        }
        return lastTarget = latin1(b, start, length);
    }
}
