package io.pacer.proxy;

import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.handler.codec.http2.Http2FrameCodec;
import io.netty.handler.timeout.IdleStateEvent;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The end of an HTTP/2 connection's pipeline: closes the connection when Pacer drains or when it
 * has been idle for {@code keepalive_timeout} with no stream open, and logs what the codec did not
 * handle. Closing goes through the codec, which sends GOAWAY and lets open streams finish (up to
 * {@code shutdown_grace}) before the connection closes.
 */
final class Http2ConnectionGuard extends ChannelInboundHandlerAdapter {

    private static final Logger log = LoggerFactory.getLogger(Http2ConnectionGuard.class);

    private final Http2FrameCodec codec;

    Http2ConnectionGuard(Http2FrameCodec codec) {
        this.codec = codec;
    }

    @Override
    public void userEventTriggered(ChannelHandlerContext ctx, Object evt) {
        if (evt == FrontendHandler.Drain.EVENT) {
            ctx.channel().close(); // from the tail, through the codec: GOAWAY, then wait for open streams
        } else if (evt instanceof IdleStateEvent) {
            if (codec.connection().numActiveStreams() == 0) {
                ctx.channel().close();
            }
        } else {
            ctx.fireUserEventTriggered(evt);
        }
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        log.debug("HTTP/2 connection {} failed", ctx.channel(), cause);
        ctx.channel().close();
    }
}
