package io.pacer.proxy.upstream;

import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.DecoderResultProvider;
import io.netty.handler.codec.http.HttpDecoderConfig;
import io.netty.handler.codec.http.HttpMessage;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.HttpResponseDecoder;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.LastHttpContent;
import io.netty.util.AsciiString;
import io.pacer.proxy.http.FastPathDecoder;
import io.pacer.proxy.http.KnownHeaderNames;
import java.util.List;

/**
 * Decodes a task's responses into Netty's HTTP messages. The answers most tasks give (a status
 * from 200 to 599 and a body of known length, or none) are framed here, with the head parsed in one
 * pass by {@link ResponseHeadParser}; any other answer (interim, 101, chunked, close-delimited,
 * malformed) is handed to Netty's {@code HttpResponseDecoder}, made the first time one comes, which
 * frames or refuses it by its own rules. The hand-over happens only between two responses, and
 * the fast path takes over again once Netty's decoder has finished one, unless it failed or
 * switched protocols: then Netty's keeps the connection.
 *
 * <p>It is told whether the request in flight is a {@code HEAD}, whose answer has headers that
 * announce a body that never comes, and it can say whether bytes are left over once a response is
 * complete: a task that sent more than it announced must not have its connection reused, or the
 * surplus would be read as the next request's answer.
 *
 * <p>One per upstream connection, on its event loop.
 */
final class UpstreamResponseDecoder extends FastPathDecoder {

    private final ResponseHeadParser heads;
    private boolean headRequest;

    UpstreamResponseDecoder(HttpDecoderConfig config) {
        this(config, new ResponseHeadParser());
    }

    private UpstreamResponseDecoder(HttpDecoderConfig config, ResponseHeadParser heads) {
        super(config, heads);
        this.heads = heads;
    }

    void expectResponseTo(boolean head) {
        this.headRequest = head;
    }

    boolean hasLeftoverBytes() {
        return actualReadableBytes() > 0;
    }

    @Override
    protected HttpMessage parseHead(ByteBuf in, int length) {
        return heads.parse(in, length, headRequest);
    }

    @Override
    protected long bodyLength(HttpMessage head) {
        int code = ((HttpResponse) head).status().code();
        return headRequest || code == 204 || code == 304 ? 0 : heads.contentLength();
    }

    @Override
    protected Fallback newFallback(HttpDecoderConfig config) {
        return new NettyResponses(config);
    }

    /** Netty's response decoder, for every response the fast path does not take. */
    private final class NettyResponses extends HttpResponseDecoder implements Fallback {

        /** Set once it failed or switched protocols: what follows is not for the fast path. */
        private boolean keepsConnection;

        NettyResponses(HttpDecoderConfig config) {
            super(config);
        }

        @Override
        public void decodeNow(ChannelHandlerContext ctx, ByteBuf in, List<Object> out) throws Exception {
            decode(ctx, in, out);
        }

        @Override
        public void decodeLastNow(ChannelHandlerContext ctx, ByteBuf in, List<Object> out) throws Exception {
            decodeLast(ctx, in, out);
        }

        @Override
        public void releaseNow(ChannelHandlerContext ctx) throws Exception {
            handlerRemoved0(ctx);
        }

        /** Once a response is whole, unless this decoder failed (it discards the rest) or switched protocols. */
        @Override
        public boolean handsBack(List<Object> out, int from) {
            boolean whole = false;
            for (int i = from; i < out.size(); i++) {
                Object msg = out.get(i);
                if (msg instanceof DecoderResultProvider p && p.decoderResult().isFailure()) {
                    keepsConnection = true;
                } else if (msg instanceof HttpResponse r
                        && r.status().code() == HttpResponseStatus.SWITCHING_PROTOCOLS.code()) {
                    keepsConnection = true; // the bytes that follow are another protocol's
                }
                whole |= msg instanceof LastHttpContent;
            }
            return whole && !keepsConnection;
        }

        @Override
        protected AsciiString splitHeaderName(byte[] bytes, int start, int length) {
            AsciiString known = KnownHeaderNames.find(bytes, start, length);
            return known != null ? known : super.splitHeaderName(bytes, start, length);
        }

        @Override
        protected boolean isContentAlwaysEmpty(HttpMessage msg) {
            return headRequest || super.isContentAlwaysEmpty(msg);
        }
    }
}
