package io.pacer.proxy.http;

import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpContent;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http.LastHttpContent;
import io.netty.handler.codec.http2.Http2StreamChannel;
import io.netty.util.ReferenceCountUtil;
import io.netty.util.concurrent.Future;
import io.netty.util.concurrent.ScheduledFuture;
import io.pacer.core.RequestPaths;
import io.pacer.core.RouteMatch;
import io.pacer.core.RouteTable;
import io.pacer.core.TaskPicker;
import io.pacer.proxy.upstream.UpstreamHealth;
import io.pacer.proxy.upstream.UpstreamPool;
import io.pacer.proxy.upstream.UpstreamPools;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import java.util.function.IntSupplier;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The client side of one connection: reads one request at a time, has its {@link RequestGate}
 * decide what becomes of it, and hands it to a {@link ProxyExchange} or answers it directly (301,
 * 401, 4xx, 503). Keep-alive, timers, draining and writing Pacer's own answers are this class's;
 * checking, routing and admitting a request head are the gate's.
 *
 * <p>The channel runs with auto-read off behind a {@code FlowControlHandler}: Pacer asks for each
 * message, so a pipelined request waits until the previous answer is done, and a request body is
 * read no faster than the upstream takes it.
 */
final class FrontendHandler extends ChannelInboundHandlerAdapter {

    private static final Logger log = LoggerFactory.getLogger(FrontendHandler.class);

    private final ProxySettings settings;
    private final UpstreamPools pools;
    private final UpstreamHealth health;
    private final BasicAuth auth;
    private final RequestObserver observer;
    private final TrafficStats stats;
    private final BooleanSupplier serverDraining;
    /** The client came over TLS. */
    private final boolean secure;
    /** The request role: checks, routes and admits each request head. */
    private final RequestGate gate;
    private ChannelHandlerContext ctx;
    /** Set once the first read was asked for: added to an active channel or made active. */
    private boolean started;
    private String clientIp = "unknown";
    private InetAddress clientAddress;
    /** The request being answered by Pacer itself, for the observer. */
    private HttpRequest ownRequest;
    private long ownRequestNanos;
    private ProxyExchange exchange;
    /**
     * Chooses the tasks of this connection's exchanges: made for the first, restarted for each
     * after. Exchanges come one at a time, and one that is done picks no more tasks.
     */
    private TaskPicker picker;
    /**
     * One timer per connection, for the idle deadline and the exchange's timeouts alike. It fires
     * at the earliest deadline known when it was set; later deadlines just move a field, so a
     * keep-alive connection schedules about one task per idle period, not one per request.
     */
    private ScheduledFuture<?> timer;
    private long timerAtNanos;
    /** When an idle connection closes; 0 while a request is being read or served. */
    private long idleDeadlineNanos;
    /** After an early answer to a bodiless request: drop its end marker, then read the next one. */
    private boolean skippingBody;
    private boolean closing;
    /** Pacer is shutting down: finish the request in flight, then close. */
    private boolean draining;

    FrontendHandler(ProxySettings settings, Supplier<RouteTable> routes, UpstreamPools pools,
                    UpstreamHealth health, BasicAuth auth, RequestObserver observer, TrafficStats stats,
                    BooleanSupplier serverDraining, boolean secure, IntSupplier httpsPort) {
        this.secure = secure;
        this.gate = new RequestGate(settings, routes, secure, httpsPort);
        this.serverDraining = serverDraining;
        this.settings = settings;
        this.pools = pools;
        this.health = health;
        this.auth = auth;
        this.observer = observer;
        this.stats = stats;
    }

    /**
     * Added after the connection became active (behind a TLS handshake, a protocol choice, or on an
     * HTTP/2 stream): no channelActive will come, so start now.
     */
    @Override
    public void handlerAdded(ChannelHandlerContext ctx) {
        if (ctx.channel().isActive()) {
            start(ctx);
        }
    }

    @Override
    public void channelActive(ChannelHandlerContext ctx) {
        start(ctx);
    }

    private void start(ChannelHandlerContext ctx) {
        if (started) {
            return;
        }
        started = true;
        this.ctx = ctx;
        // Accepted just as the drain began, after the drain signal went out: serve one request, then close.
        draining = serverDraining.getAsBoolean();
        if (ctx.channel().remoteAddress() instanceof InetSocketAddress remote && remote.getAddress() != null) {
            clientAddress = remote.getAddress();
            clientIp = clientAddress.getHostAddress();
        }
        // Added after a PROXY header was read (behind TLS, on an HTTP/2 stream): its event went by.
        Channel connection = ctx.channel() instanceof Http2StreamChannel stream ? stream.parent() : ctx.channel();
        InetAddress proxied = connection.attr(ProxyProtocolHandler.CLIENT).get();
        if (proxied != null) {
            clientAddress = proxied;
            clientIp = proxied.getHostAddress();
        }
        armIdle(settings.clientHeaderTimeoutNanos);
        ctx.read();
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        if (msg instanceof HttpRequest request) {
            try {
                onRequest(request);
            } finally {
                // A request that failed to decode arrives as a full message with an empty body.
                if (msg instanceof HttpContent) {
                    ReferenceCountUtil.release(msg);
                }
            }
        } else if (msg instanceof HttpContent content) {
            if (exchange != null) {
                exchange.onRequestContent(content);
            } else {
                content.release();
                if (skippingBody && content instanceof LastHttpContent) {
                    skippingBody = false;
                    readNext(settings.keepaliveTimeoutNanos);
                }
            }
        } else {
            ReferenceCountUtil.release(msg);
        }
    }

    private void onRequest(HttpRequest request) {
        cancelIdle();
        ownRequest = request;
        ownRequestNanos = System.nanoTime();
        if (closing) {
            return;
        }
        if (exchange != null) {
            // Only the decoder's last pass at end of input delivers a head mid-exchange (reads are
            // asked for one at a time otherwise); the connection is closing anyway.
            log.debug("request head after end of input on {}", ctx.channel());
            draining = true;
            return;
        }
        boolean head = request.method() == HttpMethod.HEAD;
        RequestGate.Decision decision = gate.decide(request, clientAddress, clientIp, draining);
        if (decision instanceof RequestGate.Refuse refuse) {
            respond(refuse.status(), refuse.keepAlive(), head, refuse.skipBody());
        } else if (decision instanceof RequestGate.Redirect redirect) {
            sendOwn(Responses.redirect(ctx.alloc(), redirect.location(), settings.xproxy, redirect.keepAlive(), head),
                    redirect.keepAlive(), redirect.skipBody());
        } else if (decision instanceof RequestGate.Authenticate authenticate) {
            authenticate(authenticate.request());
        } else {
            forward((RequestGate.Admitted) decision);
        }
    }

    /**
     * Basic auth for an app with {@code PACER_AUTH}. New credentials are checked off the event loop;
     * the request then continues from the listener, on this loop, unless the connection closed
     * meanwhile. No read is asked for until then, so the request body waits in the socket.
     */
    private void authenticate(RequestGate.Admitted request) {
        String appId = request.match().app().id();
        Map<String, String> users = request.options().users();
        String authorization = request.head().headers().get(HttpHeaderNames.AUTHORIZATION);
        switch (auth.quickCheck(appId, users, authorization)) {
            case ALLOWED:
                forward(request);
                return;
            case DENIED:
                unauthorized(request);
                return;
            default:
                break;
        }
        Future<Boolean> verdict = auth.verify(appId, users, authorization, ctx.executor());
        if (verdict == null) {
            respond(HttpResponseStatus.SERVICE_UNAVAILABLE, false, request.head().method() == HttpMethod.HEAD, false);
            return;
        }
        verdict.addListener(f -> {
            if (closing || !ctx.channel().isActive()) {
                return;
            }
            if (Boolean.TRUE.equals(f.getNow())) {
                forward(request);
            } else {
                unauthorized(request);
            }
        });
    }

    private void unauthorized(RequestGate.Admitted request) {
        boolean keepAlive = request.keepAlive() && !request.hasBody();
        FullHttpResponse answer = Responses.error(ctx.alloc(), HttpResponseStatus.UNAUTHORIZED, settings.xproxy,
                keepAlive, request.head().method() == HttpMethod.HEAD);
        answer.headers().set(HttpHeaderNames.WWW_AUTHENTICATE,
                "Basic realm=\"" + request.match().app().id() + "\", charset=\"UTF-8\"");
        sendOwn(answer, keepAlive, !request.hasBody());
    }

    /** Hands a routed, admitted request to a new exchange with the app's tasks. */
    private void forward(RequestGate.Admitted admitted) {
        HttpRequest request = admitted.head();
        RouteMatch match = admitted.match();
        if (HttpUtil.is100ContinueExpected(request)) {
            ctx.writeAndFlush(Responses.continue100());
        }
        boolean webSocket = ProxyHeaders.isWebSocketUpgrade(request);
        ownRequest = null;
        HttpVersion clientVersion = request.protocolVersion();
        String clientUri = request.uri();
        String uri = admitted.uri();
        String target = admitted.options().stripPrefix() ? RequestPaths.stripPrefix(uri, match.prefix()) : uri;
        HttpRequest upstreamRequest = ProxyHeaders.toUpstream(request, target, clientIp, admitted.clientIp(),
                admitted.trustForwarded(), match.app().task(0, 0), webSocket, secure);
        picker = health.picker(match.app(), picker);
        exchange = new ProxyExchange(this, ctx, settings, pools.forLoop(ctx.channel().eventLoop()), health, picker,
                observer, admitted.clientIp(), clientVersion, clientUri, upstreamRequest, admitted.hasBody(), webSocket,
                admitted.keepAlive(), match.app());
        exchange.start();
    }

    /**
     * An answer of Pacer's own. With {@code skipBody} the request has no body left to read, so
     * the connection can carry on once its end marker has been dropped.
     */
    private void respond(HttpResponseStatus status, boolean keepAlive, boolean head, boolean skipBody) {
        sendOwn(Responses.error(ctx.alloc(), status, settings.xproxy, keepAlive, head), keepAlive, skipBody);
    }

    private void sendOwn(FullHttpResponse response, boolean keepAlive, boolean skipBody) {
        HttpRequest request = ownRequest;
        if (request != null) {
            ownRequest = null;
            observer.requestFinished(RequestRecord.of(clientIp, request.method().name(), request.uri(),
                    response.status().code(), 0, response.content().readableBytes(),
                    System.nanoTime() - ownRequestNanos, 0, null, null, 0, false, true));
        }
        if (keepAlive) {
            ctx.writeAndFlush(response);
            skippingBody = skipBody;
            ctx.read();
        } else {
            closing = true;
            ctx.writeAndFlush(response).addListener(ChannelFutureListener.CLOSE);
        }
    }

    // ---- called by the exchange -------------------------------------------------------------

    void exchangeFinished(ProxyExchange finished, boolean keepAlive) {
        exchangeFinished(finished, keepAlive, null);
    }

    /** The exchange is over; with a {@code tunnelTo} channel, this connection becomes a tunnel. */
    void exchangeFinished(ProxyExchange finished, boolean keepAlive, Channel tunnelTo) {
        if (exchange != finished) {
            return;
        }
        exchange = null;
        if (tunnelTo != null) {
            becomeTunnel(tunnelTo);
        } else if (keepAlive) {
            readNext(settings.keepaliveTimeoutNanos);
        } else {
            closeAfterFlush();
        }
    }

    void respondAfterExchange(ProxyExchange finished, HttpResponseStatus status, boolean keepAlive, boolean head) {
        if (exchange != finished) {
            return;
        }
        exchange = null;
        if (keepAlive) {
            ctx.writeAndFlush(Responses.error(ctx.alloc(), status, settings.xproxy, true, head));
            readNext(settings.keepaliveTimeoutNanos);
        } else {
            closing = true;
            ctx.writeAndFlush(Responses.error(ctx.alloc(), status, settings.xproxy, false, head))
                    .addListener(ChannelFutureListener.CLOSE);
        }
    }

    void abortExchange(ProxyExchange aborted) {
        if (exchange == aborted) {
            exchange = null;
        }
        closeNow();
    }

    private void becomeTunnel(Channel upstream) {
        stopTimer();
        Channel client = ctx.channel();
        upstream.pipeline().remove(UpstreamPool.IDLE_GUARD);
        upstream.pipeline().remove(UpstreamPool.HANDLER);
        client.pipeline().remove(PacerServer.FLOW);
        client.pipeline().remove(this);
        Tunnel.join(client, upstream, settings.readTimeoutNanos, stats);
        // Removing the codecs last hands the bytes their decoders buffered to the relays just added.
        upstream.pipeline().remove(UpstreamPool.CODEC);
        client.pipeline().remove(PacerServer.CODEC);
    }

    // ---- connection lifecycle ------------------------------------------------------------------

    private void readNext(long idleNanos) {
        armIdle(idleNanos);
        ctx.read();
    }

    private void armIdle(long nanos) {
        idleDeadlineNanos = System.nanoTime() + nanos;
        checkTimeoutsAt(idleDeadlineNanos);
    }

    private void cancelIdle() {
        idleDeadlineNanos = 0;
    }

    /** Makes sure the timer fires no later than {@code deadline}. */
    void checkTimeoutsAt(long deadline) {
        if (timer != null) {
            if (timerAtNanos - deadline <= 0) {
                return;
            }
            timer.cancel(false);
        }
        timerAtNanos = deadline;
        timer = ctx.executor().schedule(this::onTimer, Math.max(0, deadline - System.nanoTime()), TimeUnit.NANOSECONDS);
    }

    private void onTimer() {
        timer = null;
        long now = System.nanoTime();
        if (exchange != null) {
            long next = exchange.checkTimeouts(now);
            if (next != 0 && exchange != null) {
                checkTimeoutsAt(next);
            }
        }
        if (idleDeadlineNanos != 0 && exchange == null && !closing) {
            if (now - idleDeadlineNanos >= 0) {
                closeNow();
            } else {
                checkTimeoutsAt(idleDeadlineNanos);
            }
        }
    }

    private void stopTimer() {
        idleDeadlineNanos = 0;
        if (timer != null) {
            timer.cancel(false);
            timer = null;
        }
    }

    private void closeAfterFlush() {
        closing = true;
        ctx.writeAndFlush(Unpooled.EMPTY_BUFFER).addListener(ChannelFutureListener.CLOSE);
    }

    private void closeNow() {
        closing = true;
        ctx.close();
    }

    /**
     * A read cycle ended. The flow-control handler counts a read cycle as the answer to every
     * {@code read()} asked for during it, even one that got no message, so whoever still wants
     * input must ask again.
     */
    @Override
    public void channelReadComplete(ChannelHandlerContext ctx) {
        if (exchange != null) {
            exchange.readClientIfReady();
        } else if (!closing) {
            ctx.read();
        }
    }

    /** Whether the client came over TLS. */
    boolean secure() {
        return secure;
    }

    boolean draining() {
        return draining;
    }

    @Override
    public void userEventTriggered(ChannelHandlerContext ctx, Object evt) {
        if (evt instanceof ProxyProtocolHandler.ClientAddress client) {
            clientAddress = client.address();
            clientIp = clientAddress.getHostAddress();
        } else if (evt == Drain.EVENT) {
            draining = true;
            // Idle between requests: close now. A request in flight closes the connection when done,
            // and its answer says so with Connection: close.
            if (exchange == null && !closing) {
                closeNow();
            }
        } else {
            ctx.fireUserEventTriggered(evt);
        }
    }

    /** Sent down every client connection's pipeline when Pacer starts to shut down. */
    enum Drain { EVENT }

    @Override
    public void channelWritabilityChanged(ChannelHandlerContext ctx) {
        if (exchange != null) {
            exchange.onClientWritabilityChanged();
        }
        ctx.fireChannelWritabilityChanged();
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) {
        stopTimer();
        if (exchange != null) {
            exchange.onClientClosed();
            exchange = null;
        }
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        log.debug("client connection {} failed", ctx.channel(), cause);
        closeNow();
    }
}
