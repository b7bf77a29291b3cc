package io.pacer.proxy;

import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http2.HttpConversionUtil;

/**
 * Removes the {@code x-http2-*} headers Netty's stream codec adds when it turns an HTTP/2 request
 * into an HTTP/1.1 one (stream id, scheme, ...): they describe the client's connection, which is no
 * business of the task's, and a client could not send them over HTTP/1.1 either.
 */
@ChannelHandler.Sharable
final class Http2RequestCleanup extends ChannelInboundHandlerAdapter {

    static final Http2RequestCleanup INSTANCE = new Http2RequestCleanup();

    private Http2RequestCleanup() { }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        if (msg instanceof HttpRequest request) {
            HttpHeaders h = request.headers();
            for (HttpConversionUtil.ExtensionHeaderNames name : HttpConversionUtil.ExtensionHeaderNames.values()) {
                h.remove(name.text());
            }
        }
        ctx.fireChannelRead(msg);
    }
}
