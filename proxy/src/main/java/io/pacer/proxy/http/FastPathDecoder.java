package io.pacer.proxy.http;

import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.ByteToMessageDecoder;
import io.netty.handler.codec.http.HttpDecoderConfig;
import io.netty.handler.codec.http.HttpMessage;
import io.netty.handler.codec.http.LastHttpContent;
import java.util.List;

/**
 * An HTTP/1.1 decoder with two paths, shared by the client and the upstream side. The heads a
 * {@link HeadParser} takes are parsed in one pass, and their bodies of known length framed by a
 * {@link FixedLengthBody}; every other message goes to a {@link Fallback}, one of Netty's decoders
 * made the first time one comes and driven on this decoder's buffer. The hand-over happens only
 * between two messages, and the fast path takes the next message again once the fallback says
 * it may.
 *
 * <p>One per connection, on its event loop.
 */
public abstract class FastPathDecoder extends ByteToMessageDecoder {

    /**
     * Netty's decoder behind the fast path. Its {@code decode} keeps its state in fields and reads
     * only the buffer it is given, so it can be driven from outside a pipeline; these methods make
     * the protected ones reachable.
     */
    public interface Fallback {
        void decodeNow(ChannelHandlerContext ctx, ByteBuf in, List<Object> out) throws Exception;

        void decodeLastNow(ChannelHandlerContext ctx, ByteBuf in, List<Object> out) throws Exception;

        /** Frees its line buffer, as removing it from a pipeline would. */
        void releaseNow(ChannelHandlerContext ctx) throws Exception;

        /**
         * Whether the next message may go to the fast path, after a {@code decodeNow} that added
         * {@code out[from, out.size())}: the last message is whole and nothing of the next is held.
         */
        boolean handsBack(List<Object> out, int from);
    }

    private final HttpDecoderConfig config;
    /** {@code null} when every message goes to the fallback. */
    private final HeadParser heads;
    private final FixedLengthBody body;
    private Fallback fallback;
    /** Whether the fallback has the message in progress, or the connection for good. */
    private boolean delegating;

    /** @param heads the fast path's parser; {@code null} sends every message to the fallback */
    protected FastPathDecoder(HttpDecoderConfig config, HeadParser heads) {
        this.config = config;
        this.heads = heads;
        this.body = new FixedLengthBody(config);
        this.delegating = heads == null;
    }

    /**
     * The head of {@code length} bytes at the reader index, parsed by this decoder's
     * {@link HeadParser} (nothing is consumed), or {@code null} if it goes to the fallback.
     */
    protected abstract HttpMessage parseHead(ByteBuf in, int length);

    /** The length of the body that follows {@code head}, just parsed; 0 for none. */
    protected abstract long bodyLength(HttpMessage head);

    protected abstract Fallback newFallback(HttpDecoderConfig config);

    @Override
    protected final void decode(ChannelHandlerContext ctx, ByteBuf in, List<Object> out) throws Exception {
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
        HttpMessage head = length < 0 ? null : parseHead(in, length);
        if (head == null) {
            heads.reset();
            delegating = true;
            delegate(ctx, in, out);
            return;
        }
        in.skipBytes(length);
        out.add(head);
        long bodyLength = bodyLength(head);
        if (bodyLength <= 0) {
            out.add(LastHttpContent.EMPTY_LAST_CONTENT);
        } else {
            body.start(bodyLength);
            body.read(in, out);
        }
    }

    private void delegate(ChannelHandlerContext ctx, ByteBuf in, List<Object> out) throws Exception {
        Fallback f = fallback();
        int from = out.size();
        f.decodeNow(ctx, in, out);
        if (heads != null && f.handsBack(out, from)) {
            delegating = false;
        }
    }

    @Override
    protected final void decodeLast(ChannelHandlerContext ctx, ByteBuf in, List<Object> out) throws Exception {
        if (!delegating) {
            if (body.inProgress()) {
                body.cutShort();
                return;
            }
            if (!in.isReadable()) {
                return; // closed between messages
            }
            // Part of a head, then the close: Netty's decoder says what that is.
            heads.reset();
            delegating = true;
        }
        fallback().decodeLastNow(ctx, in, out);
    }

    @Override
    protected final void handlerRemoved0(ChannelHandlerContext ctx) throws Exception {
        if (fallback != null) {
            fallback.releaseNow(ctx);
        }
    }

    private Fallback fallback() {
        if (fallback == null) {
            fallback = newFallback(config);
        }
        return fallback;
    }
}
