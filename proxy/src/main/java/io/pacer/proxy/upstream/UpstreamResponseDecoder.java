package io.pacer.proxy.upstream;

import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.ByteToMessageDecoder;
import io.netty.handler.codec.DecoderResultProvider;
import io.netty.handler.codec.http.HttpDecoderConfig;
import io.netty.handler.codec.http.HttpMessage;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.HttpResponseDecoder;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.LastHttpContent;
import io.netty.util.AsciiString;
import io.pacer.proxy.http.FixedLengthBody;
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
final class UpstreamResponseDecoder extends ByteToMessageDecoder {

    private final HttpDecoderConfig config;
    private final ResponseHeadParser heads = new ResponseHeadParser();
    private boolean headRequest;
    /** The body of the response being framed here, if any. */
    private final FixedLengthBody body;
    /** Netty's decoder, made for the first response this class does not frame. */
    private NettyResponses netty;
    /** Whether Netty's decoder has the response in progress (or, after a failure or a 101, all that follows). */
    private boolean delegating;
    /** Whether Netty's decoder keeps the connection for good. */
    private boolean delegatingForGood;

    UpstreamResponseDecoder(HttpDecoderConfig config) {
        this.config = config;
        this.body = new FixedLengthBody(config);
    }

    void expectResponseTo(boolean head) {
        this.headRequest = head;
    }

    boolean hasLeftoverBytes() {
        return actualReadableBytes() > 0;
    }

    @Override
    protected void decode(ChannelHandlerContext ctx, ByteBuf in, List<Object> out) throws Exception {
        if (delegating) {
            delegate(ctx, in, out);
            return;
        }
        if (body.inProgress()) {
            body.read(in, out);
            return;
        }
        int length = heads.headLength(in);
        if (length == 0) {
            return; // the rest of the head is still on its way
        }
        HttpResponse head = length < 0 ? null : heads.parse(in, length, headRequest);
        if (head == null) {
            heads.reset();
            delegating = true;
            delegate(ctx, in, out);
            return;
        }
        in.skipBytes(length);
        out.add(head);
        long contentLength = heads.contentLength();
        if (headRequest || isBodiless(head.status()) || contentLength == 0) {
            out.add(LastHttpContent.EMPTY_LAST_CONTENT);
        } else {
            body.start(contentLength);
            body.read(in, out);
        }
    }

    private static boolean isBodiless(HttpResponseStatus status) {
        int code = status.code();
        return code == 204 || code == 304;
    }


    private void delegate(ChannelHandlerContext ctx, ByteBuf in, List<Object> out) throws Exception {
        int from = out.size();
        nettyDecoder().decodeNow(ctx, in, out);
        watch(out, from);
    }

    /** Takes the fast path back after a response Netty's decoder finished, unless it must keep the connection. */
    private void watch(List<Object> out, int from) {
        for (int i = from; i < out.size(); i++) {
            Object msg = out.get(i);
            if (msg instanceof DecoderResultProvider p && p.decoderResult().isFailure()) {
                delegatingForGood = true; // it discards everything from here on
            } else if (msg instanceof HttpResponse r && r.status().code() == HttpResponseStatus.SWITCHING_PROTOCOLS.code()) {
                delegatingForGood = true; // the bytes that follow are another protocol's
            }
            if (msg instanceof LastHttpContent && !delegatingForGood) {
                delegating = false;
            }
        }
    }

    @Override
    protected void decodeLast(ChannelHandlerContext ctx, ByteBuf in, List<Object> out) throws Exception {
        if (!delegating) {
            if (body.inProgress()) {
                body.cutShort();
                return;
            }
            if (!in.isReadable()) {
                return; // closed between responses
            }
            // Part of a head, then the close: Netty's decoder says what that is.
            heads.reset();
            delegating = true;
        }
        int from = out.size();
        nettyDecoder().decodeLastNow(ctx, in, out);
        watch(out, from);
    }

    @Override
    protected void handlerRemoved0(ChannelHandlerContext ctx) throws Exception {
        if (netty != null) {
            netty.releaseNow(ctx);
        }
    }

    private NettyResponses nettyDecoder() {
        if (netty == null) {
            netty = new NettyResponses(config);
        }
        return netty;
    }

    /**
     * Netty's response decoder, driven by this class on its own buffer rather than placed in the
     * pipeline: {@code decode} keeps its state in fields and reads only the buffer it is given.
     */
    private final class NettyResponses extends HttpResponseDecoder {

        NettyResponses(HttpDecoderConfig config) {
            super(config);
        }

        void decodeNow(ChannelHandlerContext ctx, ByteBuf in, List<Object> out) throws Exception {
            decode(ctx, in, out);
        }

        void decodeLastNow(ChannelHandlerContext ctx, ByteBuf in, List<Object> out) throws Exception {
            decodeLast(ctx, in, out);
        }

        /** Frees its line buffer, as removing it from a pipeline would. */
        void releaseNow(ChannelHandlerContext ctx) throws Exception {
            handlerRemoved0(ctx);
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
