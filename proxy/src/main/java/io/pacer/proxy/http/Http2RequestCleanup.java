package io.pacer.proxy.http;

import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.handler.codec.http.DefaultHttpRequest;
import io.netty.handler.codec.http.DefaultLastHttpContent;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http2.HttpConversionUtil;

/**
 * Makes an HTTP/2 stream's request look as {@link ClientCodec} delivers an HTTP/1.1 one, so that
 * {@link FrontendHandler} serves both alike:
 * <ul>
 * <li>a request whose HEADERS ended the stream arrives from Netty's stream codec as one full
 *     message; it is split into its head and its end marker, as the HTTP/1.1 decoder emits them;
 * <li>a request with a body but no {@code content-length} is marked chunked, which is how it will
 *     be framed to the task;
 * <li>the {@code x-http2-*} headers the codec adds (stream id, scheme, ...) are removed: they
 *     describe the client's connection, no business of the task's.
 * </ul>
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
            if (msg instanceof FullHttpRequest full) {
                DefaultHttpRequest head = new DefaultHttpRequest(full.protocolVersion(), full.method(), full.uri(), h);
                head.setDecoderResult(full.decoderResult());
                ctx.fireChannelRead(head);
                ctx.fireChannelRead(new DefaultLastHttpContent(full.content(), full.trailingHeaders()));
                return;
            }
            if (!HttpUtil.isContentLengthSet(request) && !HttpUtil.isTransferEncodingChunked(request)) {
                HttpUtil.setTransferEncodingChunked(request, true);
            }
        }
        ctx.fireChannelRead(msg);
    }
}
