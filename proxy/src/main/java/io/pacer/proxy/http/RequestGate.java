package io.pacer.proxy.http;

import io.netty.handler.codec.TooLongFrameException;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http.TooLongHttpHeaderException;
import io.netty.handler.codec.http.TooLongHttpLineException;
import io.pacer.core.AppOptions;
import io.pacer.core.RequestPaths;
import io.pacer.core.RouteMatch;
import io.pacer.core.RouteTable;
import java.net.InetAddress;
import java.util.function.IntSupplier;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The request role of a client connection, apart from its channel: checks one request head, finds
 * its route and decides whether it may go on: refused with a status of Pacer's own, redirected,
 * held for basic auth, or forwarded. {@link FrontendHandler} keeps the connection role (reads,
 * timers, keep-alive, writing the answers) and carries the decision out.
 *
 * <p>Threading: one gate per connection, called on its event loop; what it reads (settings, the
 * route table in force) is immutable or published safely.
 */
final class RequestGate {

    private static final Logger log = LoggerFactory.getLogger(RequestGate.class);

    /** What the connection does with a request head. */
    sealed interface Decision permits Refuse, Redirect, Authenticate, Admitted { }

    /** An answer of Pacer's own; with {@code skipBody} the connection may go on after the body's end marker. */
    record Refuse(HttpResponseStatus status, boolean keepAlive, boolean skipBody) implements Decision { }

    /** A redirect to {@code location}. */
    record Redirect(String location, boolean keepAlive, boolean skipBody) implements Decision { }

    /** The app wants basic auth ({@code PACER_AUTH}): check the credentials, then forward or answer 401. */
    record Authenticate(Admitted request) implements Decision { }

    /**
     * A routed, admitted request: hand it to an exchange with the app's tasks. The decision itself,
     * not wrapped in one, so that forwarding a request costs one object less.
     *
     * @param uri            the normalized target Pacer routed on
     * @param clientIp       whom the request is for: the peer, or the client behind a trusted proxy
     * @param trustForwarded the peer is a trusted proxy, whose X-Forwarded-Proto and -Host pass through
     */
    record Admitted(HttpRequest head, RouteMatch match, String uri, boolean hasBody, boolean keepAlive,
                    String clientIp, boolean trustForwarded) implements Decision {
        AppOptions options() {
            return match.app().options();
        }
    }

    private final ProxySettings settings;
    private final Supplier<RouteTable> routes;
    private final boolean secure;
    private final IntSupplier httpsPort;

    /**
     * @param secure    the connection came over TLS
     * @param httpsPort where plain-HTTP requests for apps that ask for HTTPS are redirected
     */
    RequestGate(ProxySettings settings, Supplier<RouteTable> routes, boolean secure, IntSupplier httpsPort) {
        this.settings = settings;
        this.routes = routes;
        this.secure = secure;
        this.httpsPort = httpsPort;
    }

    /**
     * Decides what becomes of {@code request}, from {@code peer} (the socket's or the PROXY
     * header's address, {@code peerIp} its text) on a connection that is {@code draining} or not.
     */
    Decision decide(HttpRequest request, InetAddress peer, String peerIp, boolean draining) {
        if (request.decoderResult().isFailure()) {
            Throwable cause = request.decoderResult().cause();
            HttpResponseStatus status = cause instanceof TooLongHttpLineException ? HttpResponseStatus.REQUEST_URI_TOO_LONG
                    : cause instanceof TooLongHttpHeaderException ? HttpResponseStatus.REQUEST_HEADER_FIELDS_TOO_LARGE
                    : cause instanceof TooLongFrameException ? HttpResponseStatus.REQUEST_HEADER_FIELDS_TOO_LARGE
                    : HttpResponseStatus.BAD_REQUEST;
            log.debug("bad request from {}: {}", peerIp, cause.toString());
            return closing(status);
        }
        if (!HttpVersion.HTTP_1_1.equals(request.protocolVersion()) && !HttpVersion.HTTP_1_0.equals(request.protocolVersion())) {
            return closing(HttpResponseStatus.HTTP_VERSION_NOT_SUPPORTED);
        }
        if (!RequestTargets.hasUnambiguousFraming(request)) {
            // Two framings for one body, or one that cannot be read for sure: whichever we chose,
            // someone downstream may choose otherwise.
            return closing(HttpResponseStatus.BAD_REQUEST);
        }
        String uri = RequestTargets.originForm(request.uri());
        if (uri != null) {
            // Routed and forwarded normalized: the upstream sees the path Pacer routed on.
            uri = RequestPaths.normalize(uri);
        }
        if (uri == null || request.method() == HttpMethod.CONNECT) {
            return closing(request.method() == HttpMethod.CONNECT ? HttpResponseStatus.METHOD_NOT_ALLOWED
                    : HttpResponseStatus.BAD_REQUEST);
        }
        boolean hasBody = HttpUtil.isTransferEncodingChunked(request) || HttpUtil.getContentLength(request, 0L) > 0;
        boolean keepAlive = HttpUtil.isKeepAlive(request) && settings.keepaliveTimeoutNanos > 0 && !draining;
        // An answer before the body was read keeps the connection only when there is no body to skip.
        boolean keepAfterAnswer = keepAlive && !hasBody;
        long contentLength = HttpUtil.getContentLength(request, -1L);
        // By virtual host first (Host, port and case ignored), then by path prefix.
        RouteMatch match = routes.get().lookup(request.headers().get(HttpHeaderNames.HOST), uri);
        AppOptions options = match == null ? AppOptions.DEFAULTS : match.app().options();
        if (contentLength > settings.maxBodySize(options)) {
            return closing(HttpResponseStatus.REQUEST_ENTITY_TOO_LARGE);
        }
        String expect = request.headers().get(HttpHeaderNames.EXPECT);
        if (expect != null && !HttpHeaderValues.CONTINUE.contentEqualsIgnoreCase(expect.trim())) {
            return closing(HttpResponseStatus.EXPECTATION_FAILED);
        }
        if (match == null) {
            return new Refuse(HttpResponseStatus.SERVICE_UNAVAILABLE, keepAfterAnswer, !hasBody);
        }
        if (match.kind() == RouteMatch.Kind.REDIRECT) {
            int q = uri.indexOf('?');
            return new Redirect(q < 0 ? match.prefix() : match.prefix() + uri.substring(q), keepAfterAnswer, !hasBody);
        }
        // Behind a trusted balancer the client is the one its X-Forwarded-For names.
        boolean trustedPeer = settings.trustedProxies != null && settings.trustedProxies.allows(peer);
        InetAddress client = trustedPeer ? ForwardedClient.of(request.headers(), peer, settings.trustedProxies) : peer;
        String clientIp = client == peer ? peerIp : client.getHostAddress();
        HttpResponseStatus refused = AppAccess.check(options, client);
        if (refused != null) {
            return new Refuse(refused, keepAfterAnswer, !hasBody);
        }
        // Before basic auth, so that credentials are only ever sent over TLS. A trusted balancer in
        // front that terminated TLS says so with X-Forwarded-Proto: no redirect loop behind it.
        if (match.app().https().redirectToHttps() && !secure
                && !(trustedPeer && "https".equalsIgnoreCase(request.headers().get(ProxyHeaders.X_FORWARDED_PROTO)))) {
            String location = HttpsRedirect.location(request.headers().get(HttpHeaderNames.HOST), uri, httpsPort.getAsInt());
            return location == null ? closing(HttpResponseStatus.BAD_REQUEST) // no usable Host to redirect to
                    : new Redirect(location, keepAfterAnswer, !hasBody);
        }
        Admitted admitted = new Admitted(request, match, uri, hasBody, keepAlive, clientIp, trustedPeer);
        return options.users() != null ? new Authenticate(admitted) : admitted;
    }

    /** Answered, then the connection closes: nothing after this head can be read for sure. */
    private static Refuse closing(HttpResponseStatus status) {
        return new Refuse(status, false, false);
    }
}
