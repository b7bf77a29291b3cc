package io.pacer.proxy.http;

import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.util.AsciiString;
import io.pacer.core.Task;
import java.util.List;

/**
 * Header rules of the data plane: what an upstream receives and what a client gets back.
 *
 * <p>Hop-by-hop headers, and any header the {@code Connection} header names, belong to one
 * connection and are never forwarded. Framing ({@code Transfer-Encoding}, {@code Content-Length})
 * is kept as the sender wrote it, since bodies are streamed through unchanged.
 */
final class ProxyHeaders {

    static final AsciiString X_PROXY = AsciiString.cached("X-Proxy");
    static final AsciiString X_REAL_IP = AsciiString.cached("X-Real-IP");
    static final AsciiString X_FORWARDED_FOR = AsciiString.cached("X-Forwarded-For");
    static final AsciiString X_FORWARDED_PROTO = AsciiString.cached("X-Forwarded-Proto");
    static final AsciiString X_FORWARDED_HOST = AsciiString.cached("X-Forwarded-Host");
    private static final AsciiString HTTP = AsciiString.cached("http");
    private static final AsciiString HTTPS = AsciiString.cached("https");
    private static final AsciiString KEEP_ALIVE = AsciiString.cached("keep-alive");
    private static final AsciiString PROXY_CONNECTION = AsciiString.cached("proxy-connection");
    private static final AsciiString WEBSOCKET = AsciiString.cached("websocket");

    private ProxyHeaders() { }

    /** Whether the client asks to switch this connection to WebSocket. */
    static boolean isWebSocketUpgrade(HttpRequest request) {
        HttpHeaders h = request.headers();
        return request.method() == HttpMethod.GET
                && h.containsValue(HttpHeaderNames.UPGRADE, WEBSOCKET, true)
                && h.containsValue(HttpHeaderNames.CONNECTION, HttpHeaderValues.UPGRADE, true);
    }

    /**
     * The request as the upstream gets it: HTTP/1.1, {@code Host} passed through (the address of
     * {@code hostless} when the client sent none), forwarding headers set, hop-by-hop headers and
     * {@code Expect} (Pacer answers 100-continue itself) gone.
     */
    static HttpRequest toUpstream(HttpRequest request, String uri, String clientIp, Task hostless,
                                  boolean webSocket) {
        return toUpstream(request, uri, clientIp, clientIp, false, hostless, webSocket, false);
    }

    /**
     * @param peerIp         the address the request came from, appended to {@code X-Forwarded-For}
     * @param clientIp       the client it is for ({@code X-Real-IP}): the peer, or the client behind
     *                       a trusted proxy
     * @param trustForwarded the peer is a trusted proxy: its {@code X-Forwarded-Proto} and
     *                       {@code X-Forwarded-Host} are kept
     */
    static HttpRequest toUpstream(HttpRequest request, String uri, String peerIp, String clientIp,
                                  boolean trustForwarded, Task hostless, boolean webSocket) {
        return toUpstream(request, uri, peerIp, clientIp, trustForwarded, hostless, webSocket, false);
    }

    /** As above; {@code secure} when the client came over TLS ({@code X-Forwarded-Proto: https}). */
    static HttpRequest toUpstream(HttpRequest request, String uri, String peerIp, String clientIp,
                                  boolean trustForwarded, Task hostless, boolean webSocket, boolean secure) {
        // Rewritten in place: the decoded request is ours alone, and copying its headers was the
        // largest allocation of a proxied request.
        HttpHeaders h = request.headers();
        stripHopByHop(h);
        h.remove(HttpHeaderNames.EXPECT);
        h.remove(HttpHeaderNames.PROXY_AUTHORIZATION);
        String host = h.get(HttpHeaderNames.HOST);
        if (host == null || host.isEmpty()) {
            host = hostless.address(); // built only here: most requests carry a Host
            h.set(HttpHeaderNames.HOST, host);
        }
        // Every hop a client's proxies recorded, on however many lines, then this client.
        List<String> forwardedFor = h.getAll(X_FORWARDED_FOR);
        if (forwardedFor.isEmpty()) {
            h.set(X_FORWARDED_FOR, peerIp);
        } else {
            StringBuilder hops = new StringBuilder();
            for (String line : forwardedFor) {
                if (!line.isBlank()) {
                    hops.append(line.trim()).append(", ");
                }
            }
            h.set(X_FORWARDED_FOR, hops.append(peerIp).toString());
        }
        h.set(X_REAL_IP, clientIp);
        if (!trustForwarded || !h.contains(X_FORWARDED_PROTO)) {
            h.set(X_FORWARDED_PROTO, secure ? HTTPS : HTTP);
        }
        if (!trustForwarded || !h.contains(X_FORWARDED_HOST)) {
            h.set(X_FORWARDED_HOST, host);
        }
        if (webSocket) {
            h.set(HttpHeaderNames.UPGRADE, WEBSOCKET);
            h.set(HttpHeaderNames.CONNECTION, HttpHeaderValues.UPGRADE);
        }
        request.setProtocolVersion(HttpVersion.HTTP_1_1);
        request.setUri(uri);
        return request;
    }

    /**
     * Rewrites an upstream's response head for the client, in place.
     *
     * @return whether the body must be delimited by closing the connection, because the upstream
     *     gave no length and the client cannot take chunked encoding
     */
    static boolean toClient(HttpResponse response, boolean headRequest, HttpVersion clientVersion,
                            boolean keepAlive, AsciiString xproxy) {
        HttpHeaders h = response.headers();
        boolean switching = response.status().code() == HttpResponseStatus.SWITCHING_PROTOCOLS.code();
        AsciiString upgrade = switching ? AsciiString.of(String.valueOf(h.get(HttpHeaderNames.UPGRADE))) : null;
        stripHopByHop(h);
        response.setProtocolVersion(HttpVersion.HTTP_1_1);
        if (switching) {
            h.set(HttpHeaderNames.UPGRADE, upgrade);
            h.set(HttpHeaderNames.CONNECTION, HttpHeaderValues.UPGRADE);
            Responses.stamp(h, xproxy, true);
            return false;
        }
        boolean closeDelimited = false;
        if (mayHaveBody(response, headRequest)
                && !HttpUtil.isTransferEncodingChunked(response) && !HttpUtil.isContentLengthSet(response)) {
            if (clientVersion.equals(HttpVersion.HTTP_1_0)) {
                closeDelimited = true;
            } else {
                HttpUtil.setTransferEncodingChunked(response, true);
            }
        }
        boolean persistent = keepAlive && !closeDelimited;
        Responses.stamp(h, xproxy, persistent);
        if (persistent && clientVersion.equals(HttpVersion.HTTP_1_0)) {
            h.set(HttpHeaderNames.CONNECTION, HttpHeaderValues.KEEP_ALIVE);
        }
        return closeDelimited;
    }

    private static boolean mayHaveBody(HttpResponse response, boolean headRequest) {
        int code = response.status().code();
        return !headRequest && code >= 200 && code != 204 && code != 304;
    }

    /** Removes RFC 9110's connection-specific headers and every header {@code Connection} names. */
    static void stripHopByHop(HttpHeaders h) {
        if (h instanceof FlatHttpHeaders flat) {
            removeConnectionNamed(flat);
        } else if (h.contains(HttpHeaderNames.CONNECTION)) {
            // Netty's own headers (HTTP/2 streams) have no index: their lines are copied out first,
            // since removing headers while iterating over them is not safe.
            for (String value : h.getAll(HttpHeaderNames.CONNECTION)) {
                removeNamed(h, value);
            }
        }
        h.remove(HttpHeaderNames.CONNECTION);
        h.remove(KEEP_ALIVE);
        h.remove(PROXY_CONNECTION);
        h.remove(HttpHeaderNames.TE);
        h.remove(HttpHeaderNames.UPGRADE);
        h.remove(HttpHeaderNames.PROXY_AUTHENTICATE);
    }

    /**
     * Removes what each {@code Connection} line names, reading the lines in place rather than from
     * the list {@code getAll} would make for every message. Removing a header moves the lines
     * after it, so each line is found again by its rank among the {@code Connection} lines, which
     * stay put: {@link #removeNamed} never removes them.
     */
    private static void removeConnectionNamed(FlatHttpHeaders h) {
        for (int rank = 0; ; rank++) {
            CharSequence value = connectionLine(h, rank);
            if (value == null) {
                return;
            }
            removeNamed(h, value);
        }
    }

    /** The value of the {@code rank}th {@code Connection} line (from 0); {@code null} when there are fewer. */
    private static CharSequence connectionLine(FlatHttpHeaders h, int rank) {
        int seen = 0;
        for (int i = 0; i < h.size(); i++) {
            if (HttpHeaderNames.CONNECTION.contentEqualsIgnoreCase(h.nameAt(i)) && seen++ == rank) {
                return h.valueAt(i);
            }
        }
        return null;
    }

    /**
     * Removes each header named in one {@code Connection} value (comma-separated tokens). The
     * tokens nearly every message carries ({@code keep-alive}, {@code upgrade}) name headers that
     * are removed anyway, so they cost no substring; so does {@code connection}, which must stay
     * until every line of it has been read.
     */
    private static void removeNamed(HttpHeaders h, CharSequence value) {
        int length = value.length();
        int start = 0;
        while (start < length) {
            int comma = AsciiString.indexOf(value, ',', start);
            int end = comma < 0 ? length : comma;
            int from = start;
            int to = end;
            while (from < to && isOws(value.charAt(from))) {
                from++;
            }
            while (to > from && isOws(value.charAt(to - 1))) {
                to--;
            }
            if (to > from && !isRemovedAnyway(value, from, to - from)) {
                CharSequence name = value.subSequence(from, to);
                // Framing headers stay: the codecs need them to delimit the streamed body.
                if (!HttpHeaderNames.TRANSFER_ENCODING.contentEqualsIgnoreCase(name)
                        && !HttpHeaderNames.CONTENT_LENGTH.contentEqualsIgnoreCase(name)) {
                    h.remove(name);
                }
            }
            start = end + 1;
        }
    }

    private static boolean isOws(char c) {
        return c == ' ' || c == '\t';
    }

    private static boolean isRemovedAnyway(CharSequence value, int from, int length) {
        return isToken(value, from, length, HttpHeaderValues.KEEP_ALIVE)
                || isToken(value, from, length, HttpHeaderValues.UPGRADE)
                || isToken(value, from, length, HttpHeaderNames.CONNECTION);
    }

    private static boolean isToken(CharSequence value, int from, int length, AsciiString token) {
        return length == token.length() && AsciiString.regionMatches(value, true, from, token, 0, length);
    }
}
