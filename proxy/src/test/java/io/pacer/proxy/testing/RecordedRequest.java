package io.pacer.proxy.testing;

import io.netty.handler.codec.http.HttpHeaders;
import io.netty.handler.codec.http.HttpVersion;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;

/**
 * A request as a {@link TestUpstream} received it.
 *
 * @param method        the request method, as sent
 * @param uri           the request target, as sent ({@code /app/x?y=1})
 * @param headers       a copy of the request headers
 * @param body          the whole body (after de-chunking); empty when there was none
 * @param version       the protocol version of the request line
 * @param remoteAddress the peer of the connection it came on (the proxy's side of the upstream connection)
 * @param trailers      trailers of a chunked body; empty otherwise
 * @param connection    which accepted connection it came on: 1 for the upstream's first, and so on
 * @param sequence      its place on that connection: 1 for the first request, 2 for the second...
 */
public record RecordedRequest(String method, String uri, HttpHeaders headers, byte[] body, HttpVersion version,
                              InetSocketAddress remoteAddress, HttpHeaders trailers, int connection, int sequence) {

    /** The body as UTF-8 text. */
    public String bodyText() {
        return new String(body, StandardCharsets.UTF_8);
    }

    /** The first value of header {@code name} (case-insensitive), or null. */
    public String header(String name) {
        return headers.get(name);
    }

    /** The target without its query string. */
    public String path() {
        int q = uri.indexOf('?');
        return q < 0 ? uri : uri.substring(0, q);
    }

    @Override
    public String toString() {
        return method + " " + uri + " " + version + " (" + body.length + " body bytes, connection " + connection
                + " #" + sequence + " from " + remoteAddress + ")";
    }
}
