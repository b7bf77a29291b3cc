package io.pacer.proxy.admin;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.http.DefaultHttpContent;
import io.netty.handler.codec.http.DefaultHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.util.AttributeKey;
import io.netty.util.concurrent.ScheduledFuture;
import io.pacer.proxy.http.ProxySettings;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.TimeUnit;

/**
 * {@code GET /v1/dashboard/events}: the dashboard as server-sent events on one admin connection,
 * a snapshot at once and then one every {@link #PERIOD_MILLIS} ms, until the viewer leaves or the
 * admin server closes. Runs on the connection's event loop; a viewer too slow to take a snapshot
 * skips the next ones rather than having them queued in memory.
 */
final class DashboardEvents {

    static final String PATH = "/v1/dashboard/events";
    static final long PERIOD_MILLIS = 1000;

    private static final AttributeKey<Boolean> STREAMING = AttributeKey.valueOf("pacer.dashboard.streaming");

    private DashboardEvents() { }

    /** Whether this connection already carries an event stream. */
    static boolean streaming(ChannelHandlerContext ctx) {
        return Boolean.TRUE.equals(ctx.channel().attr(STREAMING).get());
    }

    static void start(ChannelHandlerContext ctx, Dashboard dashboard) {
        ctx.channel().attr(STREAMING).set(true);
        HttpResponse head = new DefaultHttpResponse(HttpVersion.HTTP_1_1, HttpResponseStatus.OK);
        head.headers().set(HttpHeaderNames.CONTENT_TYPE, "text/event-stream; charset=utf-8");
        head.headers().set(HttpHeaderNames.CACHE_CONTROL, HttpHeaderValues.NO_CACHE);
        head.headers().set(HttpHeaderNames.SERVER, ProxySettings.SERVER);
        // The stream lasts as long as the connection: nothing else will be answered on it.
        head.headers().set(HttpHeaderNames.CONNECTION, HttpHeaderValues.CLOSE);
        HttpUtil.setTransferEncodingChunked(head, true);
        ctx.write(head);
        Dashboard.Sampler sampler = dashboard.sampler();
        // retry: how long the browser's EventSource waits before reconnecting after a drop.
        ctx.writeAndFlush(chunk("retry: 2000\n" + event(sampler)));
        ScheduledFuture<?> tick = ctx.executor().scheduleAtFixedRate(() -> {
            if (ctx.channel().isActive() && ctx.channel().isWritable()) {
                ctx.writeAndFlush(chunk(event(sampler)));
            }
        }, PERIOD_MILLIS, PERIOD_MILLIS, TimeUnit.MILLISECONDS);
        ctx.channel().closeFuture().addListener(f -> tick.cancel(false));
    }

    private static String event(Dashboard.Sampler sampler) {
        // The JSON is one line (no pretty printing), as one SSE data line must be.
        return "event: state\ndata: " + sampler.next() + "\n\n";
    }

    private static DefaultHttpContent chunk(String text) {
        ByteBuf bytes = Unpooled.copiedBuffer(text, StandardCharsets.UTF_8);
        return new DefaultHttpContent(bytes);
    }
}
