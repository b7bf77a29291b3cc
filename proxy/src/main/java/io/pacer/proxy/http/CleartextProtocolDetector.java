package io.pacer.proxy.http;

import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.ByteToMessageDecoder;
import java.nio.charset.StandardCharsets;
import java.util.List;

/**
 * On {@code listen} with {@code http2_cleartext = true}: reads the first bytes of a connection and
 * sets it up for HTTP/2 if they are the HTTP/2 connection preface ("prior knowledge"), for HTTP/1.1
 * otherwise. Decides as soon as a byte differs from the preface, so an HTTP/1.1 request is not
 * held back; the bytes read so far go on to the chosen protocol's handlers.
 */
final class CleartextProtocolDetector extends ByteToMessageDecoder {

    /** RFC 9113, section 3.4. */
    private static final byte[] PREFACE = "PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n".getBytes(StandardCharsets.US_ASCII);

    private final ClientProtocols protocols;

    CleartextProtocolDetector(ClientProtocols protocols) {
        this.protocols = protocols;
    }

    @Override
    public void channelActive(ChannelHandlerContext ctx) throws Exception {
        ctx.read(); // auto-read is off: ask for the first bytes
        super.channelActive(ctx);
    }

    @Override
    protected void decode(ChannelHandlerContext ctx, ByteBuf in, List<Object> out) {
        int length = Math.min(in.readableBytes(), PREFACE.length);
        boolean prefix = true;
        for (int i = 0; i < length && prefix; i++) {
            prefix = in.getByte(in.readerIndex() + i) == PREFACE[i];
        }
        if (prefix && length < PREFACE.length) {
            return; // so far so good: wait for more (ByteToMessageDecoder asks for it)
        }
        if (prefix) {
            protocols.http2(ctx.channel(), false);
        } else {
            protocols.http1(ctx.pipeline(), false);
        }
        // Removing the decoder hands what it holds to the handlers just added.
        ctx.pipeline().remove(this);
    }
}
