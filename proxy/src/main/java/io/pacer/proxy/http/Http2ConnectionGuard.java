package io.pacer.proxy.http;

import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.handler.codec.http2.Http2Exception;
import io.netty.handler.codec.http2.Http2FrameCodec;
import io.netty.handler.codec.http2.Http2FrameStreamException;
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

    /**
     * The codec reports protocol errors here before it answers them itself (RST_STREAM, or GOAWAY
     * with the error's code and a close); closing here first would send a GOAWAY saying NO_ERROR
     * instead. Anything else is not the codec's business: the connection closes.
     */
    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        if (cause instanceof Http2Exception || cause instanceof Http2FrameStreamException
                || cause.getCause() instanceof Http2Exception) {
            log.debug("HTTP/2 client {} broke the protocol: {}", ctx.channel().remoteAddress(), cause.toString());
            return;
        }
        log.debug("HTTP/2 connection {} failed", ctx.channel(), cause);
        ctx.channel().close();
    }
}
