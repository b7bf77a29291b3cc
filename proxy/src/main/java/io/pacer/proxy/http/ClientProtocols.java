package io.pacer.proxy.http;

import io.netty.channel.Channel;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelPipeline;
import io.netty.handler.codec.http.HttpDecoderConfig;
import io.netty.handler.codec.http2.Http2FrameCodec;
import io.netty.handler.codec.http2.Http2FrameCodecBuilder;
import io.netty.handler.codec.http2.Http2MultiplexHandler;
import io.netty.handler.codec.http2.Http2Settings;
import io.netty.handler.codec.http2.Http2StreamChannel;
import io.netty.handler.codec.http2.Http2StreamFrameToHttpObjectCodec;
import io.netty.handler.flow.FlowControlHandler;
import io.netty.handler.timeout.IdleStateHandler;
import io.pacer.config.PacerConfig;
import io.pacer.core.RouteTable;
import io.pacer.proxy.upstream.UpstreamHealth;
import io.pacer.proxy.upstream.UpstreamPools;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import java.util.function.Supplier;

/**
 * Puts the handlers of a client protocol on a connection once it is known which one the client
 * speaks: HTTP/1.1 (the connection's own pipeline) or HTTP/2 (a frame codec on the connection, and
 * one child channel per stream). Either way each request ends up in a {@link FrontendHandler}, so
 * routing, limits, retries, metrics and the access log are the same, and tasks get HTTP/1.1.
 *
 * <p>HTTP/2 limits and abuse protections, all enforced by Netty's codec with a GOAWAY:
 * {@code http2_max_concurrent_streams}; a header list no larger than {@code max_header_size} plus
 * {@code max_uri_size} (a stream over it gets a 431); at most {@value #MAX_RESETS_PER_WINDOW}
 * streams reset by the client per {@value #RESET_WINDOW_SECONDS} s (rapid reset, CVE-2023-44487);
 * at most {@value #MAX_SMALL_CONTINUATIONS} tiny CONTINUATION frames per header block
 * (CONTINUATION flood); at most {@value #MAX_QUEUED_CONTROL_FRAMES} control frames (PING and
 * SETTINGS acknowledgements, RST_STREAM) waiting to be written to a client that does not read
 * (ping and settings floods); and at most two empty DATA frames in a row.
 */
final class ClientProtocols {

    static final int MAX_RESETS_PER_WINDOW = 200;
    static final int RESET_WINDOW_SECONDS = 30;
    static final int MAX_SMALL_CONTINUATIONS = 16;
    static final int MAX_QUEUED_CONTROL_FRAMES = 10_000;

    static final String H2 = "h2";
    static final String H2_STREAMS = "h2-streams";
    static final String H2_GUARD = "h2-guard";
    static final String H2_IDLE = "h2-idle";
    static final String H2_REQUEST = "h2-request";

    private final ProxySettings settings;
    private final Supplier<RouteTable> routes;
    private final UpstreamPools pools;
    private final UpstreamHealth health;
    private final BasicAuth auth;
    private final RequestObserver observer;
    private final TrafficStats stats;
    private final BooleanSupplier draining;
    private final HttpDecoderConfig decoderConfig;
    private final int maxConcurrentStreams;
    private final long gracefulShutdownMillis;
    /** tls_listen's actual port once bound; 443 without TLS. Written once at startup, read per redirect. */
    private volatile int httpsPort = 443;

    ClientProtocols(PacerConfig config, ProxySettings settings, Supplier<RouteTable> routes, UpstreamPools pools,
                    UpstreamHealth health, BasicAuth auth, RequestObserver observer, TrafficStats stats,
                    BooleanSupplier draining) {
        this.auth = auth;
        this.settings = settings;
        this.routes = routes;
        this.pools = pools;
        this.health = health;
        this.observer = observer;
        this.stats = stats;
        this.draining = draining;
        this.decoderConfig = new HttpDecoderConfig()
                .setMaxInitialLineLength(settings.maxUriSize)
                .setMaxHeaderSize(settings.maxHeaderSize)
                .setMaxChunkSize(65536)
                .setStrictLineParsing(true)
                .setHeadersFactory(FlatHttpHeaders.FACTORY)
                .setTrailersFactory(FlatHttpHeaders.TRAILERS_FACTORY);
        this.maxConcurrentStreams = config.listeners().http2MaxConcurrentStreams();
        this.gracefulShutdownMillis = config.operations().shutdownGrace().toMillis();
    }

    private FrontendHandler frontend(boolean secure) {
        return new FrontendHandler(settings, routes, pools, health, auth, observer, stats, draining, secure,
                () -> httpsPort);
    }

    /** Where {@code PACER_REDIRECT_TO_HTTPS} sends plain-HTTP clients. */
    void httpsPort(int port) {
        this.httpsPort = port;
    }

    /** HTTP/1.1 on the connection itself, added at the end of its pipeline. */
    void http1(ChannelPipeline pipeline, boolean secure) {
        pipeline
                // One codec for both directions: its encoder knows which answer is to a HEAD,
                // its decoder checks each head's bytes before parsing them.
                .addLast(PacerServer.CODEC, new ClientCodec(decoderConfig))
                .addLast(PacerServer.FLOW, new FlowControlHandler())
                .addLast(PacerServer.FRONTEND, frontend(secure));
    }

    /**
     * HTTP/2 on the connection, added at the end of its pipeline. The connection then reads on its
     * own (flow control, not read requests, holds each stream's client back); each stream is a
     * child channel that reads only when its {@link FrontendHandler} asks, and its window opens as
     * it reads.
     */
    void http2(Channel channel, boolean secure) {
        Http2FrameCodec codec = Http2FrameCodecBuilder.forServer()
                .initialSettings(Http2Settings.defaultSettings()
                        .maxConcurrentStreams(maxConcurrentStreams)
                        .maxHeaderListSize(settings.maxHeaderSize + settings.maxUriSize))
                .validateHeaders(true)
                .gracefulShutdownTimeoutMillis(gracefulShutdownMillis)
                .decoderEnforceMaxRstFramesPerWindow(MAX_RESETS_PER_WINDOW, RESET_WINDOW_SECONDS)
                .decoderEnforceMaxSmallContinuationFrames(MAX_SMALL_CONTINUATIONS)
                .encoderEnforceMaxQueuedControlFrames(MAX_QUEUED_CONTROL_FRAMES)
                .decoderEnforceMaxConsecutiveEmptyDataFrames(2)
                .build();
        long idleNanos = Math.max(settings.keepaliveTimeoutNanos, TimeUnit.SECONDS.toNanos(1));
        channel.pipeline()
                .addLast(H2_IDLE, new IdleStateHandler(0, 0, idleNanos, TimeUnit.NANOSECONDS))
                .addLast(H2, codec)
                .addLast(H2_STREAMS, new Http2MultiplexHandler(new ChannelInitializer<Http2StreamChannel>() {
                    @Override
                    protected void initChannel(Http2StreamChannel stream) {
                        stream.config().setAutoRead(false);
                        stream.pipeline()
                                .addLast(PacerServer.CODEC, new Http2StreamFrameToHttpObjectCodec(true, true))
                                .addLast(H2_REQUEST, Http2RequestCleanup.INSTANCE)
                                .addLast(PacerServer.FLOW, new FlowControlHandler())
                                .addLast(PacerServer.FRONTEND, frontend(secure));
                    }
                }))
                .addLast(H2_GUARD, new Http2ConnectionGuard(codec));
        channel.config().setAutoRead(true);
    }
}
