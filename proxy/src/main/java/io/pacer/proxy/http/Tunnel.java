package io.pacer.proxy.http;

import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.handler.timeout.IdleStateEvent;
import io.netty.handler.timeout.IdleStateHandler;
import java.util.concurrent.TimeUnit;

/**
 * After a 101 answer, a connection pair that only relays bytes: WebSocket frames pass through
 * unparsed, in both directions, with backpressure (a side stops reading while its peer cannot
 * take more). Either side closing, or both staying silent for the read timeout, closes both.
 */
final class Tunnel extends ChannelInboundHandlerAdapter {

    private final Channel peer;

    private Tunnel(Channel peer) {
        this.peer = peer;
    }

    /**
     * Replaces the HTTP handlers of both channels by relays. Both channels must belong to the
     * calling event loop; the HTTP codecs must already be removed or about to be, so that bytes
     * they buffered reach the relay.
     */
    static void join(Channel client, Channel upstream, long idleNanos, TrafficStats stats) {
        stats.tunnels.incrementAndGet();
        client.closeFuture().addListener(f -> stats.tunnels.decrementAndGet());
        client.pipeline().addLast("tunnel-idle", new IdleStateHandler(0, 0, idleNanos, TimeUnit.NANOSECONDS));
        client.pipeline().addLast("tunnel", new Tunnel(upstream));
        upstream.pipeline().addLast("tunnel", new Tunnel(client));
        client.config().setAutoRead(true);
        upstream.config().setAutoRead(true);
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        peer.write(msg, peer.voidPromise());
        if (!peer.isWritable()) {
            ctx.channel().config().setAutoRead(false);
        }
    }

    @Override
    public void channelReadComplete(ChannelHandlerContext ctx) {
        peer.flush();
    }

    @Override
    public void channelWritabilityChanged(ChannelHandlerContext ctx) {
        if (ctx.channel().isWritable()) {
            peer.config().setAutoRead(true);
        }
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) {
        if (peer.isActive()) {
            peer.writeAndFlush(Unpooled.EMPTY_BUFFER).addListener(ChannelFutureListener.CLOSE);
        }
    }

    @Override
    public void userEventTriggered(ChannelHandlerContext ctx, Object evt) {
        if (evt instanceof IdleStateEvent) {
            ctx.close();
            peer.close();
        }
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        ctx.close();
        peer.close();
    }
}
