package io.pacer.proxy.testing;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.handler.codec.DecoderResult;
import io.netty.handler.codec.DecoderResultProvider;
import io.netty.handler.codec.http.HttpContent;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.LastHttpContent;
import io.netty.util.ReferenceCountUtil;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;

/**
 * Feeds bytes to a decoder in given pieces, then a close, and writes down every message it emits
 * (heads with their headers in order, body bytes, end markers and trailers, failures with their
 * cause, raw bytes after a protocol switch), so that two decoders can be compared on the same
 * input by comparing two strings. Every message is released.
 */
public final class DecodedMessages {

    private DecodedMessages() { }

    /** What {@code channel}'s decoder emits for {@code bytes} cut at {@code cuts} (ends of pieces), then a close. */
    public static String of(EmbeddedChannel channel, byte[] bytes, List<Integer> cuts) {
        StringBuilder out = new StringBuilder();
        int from = 0;
        for (int to : cuts) {
            channel.writeInbound(Unpooled.wrappedBuffer(bytes, from, to - from));
            from = to;
            drain(channel, out);
        }
        channel.finish();
        out.append("| closed ");
        drain(channel, out);
        channel.finishAndReleaseAll();
        return out.toString();
    }

    /** Pieces of one byte for the first {@code upTo} bytes, then the rest in one. */
    public static List<Integer> everyByte(int length, int upTo) {
        List<Integer> cuts = new ArrayList<>();
        for (int i = 1; i <= length && i <= upTo; i++) {
            cuts.add(i);
        }
        if (length > upTo) {
            cuts.add(length);
        }
        return cuts;
    }

    /** Pieces of random sizes, small and large alike, up to {@code maxPiece}. */
    public static List<Integer> randomCuts(Random random, int length, int maxPiece) {
        List<Integer> cuts = new ArrayList<>();
        int at = 0;
        while (at < length) {
            at = Math.min(length, at + 1 + random.nextInt(random.nextBoolean() ? 8 : maxPiece));
            cuts.add(at);
        }
        return cuts;
    }

    /** The first 300 bytes, CR, LF and other unprintable bytes escaped, for an assertion message. */
    public static String escape(byte[] bytes) {
        StringBuilder out = new StringBuilder();
        for (int i = 0; i < Math.min(bytes.length, 300); i++) {
            int c = bytes[i] & 0xFF;
            if (c == '\r') {
                out.append("\\r");
            } else if (c == '\n') {
                out.append("\\n");
            } else if (c < ' ' || c >= 0x7F) {
                out.append(String.format("\\x%02x", c));
            } else {
                out.append((char) c);
            }
        }
        return bytes.length > 300 ? out + "..." : out.toString();
    }

    private static void drain(EmbeddedChannel channel, StringBuilder out) {
        for (Object msg; (msg = channel.readInbound()) != null; ) {
            try {
                describe(msg, out);
            } finally {
                ReferenceCountUtil.release(msg);
            }
        }
    }

    private static void describe(Object msg, StringBuilder out) {
        if (msg instanceof HttpRequest r) {
            out.append("| head ").append(r.method()).append(' ').append(r.uri()).append(' ')
                    .append(r.protocolVersion()).append(' ');
            headers(r.headers(), out);
        } else if (msg instanceof HttpResponse r) {
            out.append("| head ").append(r.protocolVersion()).append(' ').append(r.status().code()).append(" [")
                    .append(r.status().reasonPhrase()).append("] ");
            headers(r.headers(), out);
        }
        if (msg instanceof HttpContent c) {
            out.append("| body [").append(c.content().toString(StandardCharsets.ISO_8859_1)).append("] ");
        }
        if (msg instanceof LastHttpContent last) {
            out.append("| end ");
            headers(last.trailingHeaders(), out);
        }
        if (msg instanceof DecoderResultProvider p) {
            DecoderResult result = p.decoderResult();
            if (result.isFailure()) {
                out.append("| failed ").append(result.cause().getClass().getSimpleName()).append(": ")
                        .append(result.cause().getMessage()).append(' ');
            }
        } else if (msg instanceof ByteBuf raw) {
            out.append("| raw [").append(raw.toString(StandardCharsets.ISO_8859_1)).append("] ");
        }
    }

    private static void headers(HttpHeaders headers, StringBuilder out) {
        for (Map.Entry<CharSequence, CharSequence> e : (Iterable<Map.Entry<CharSequence, CharSequence>>) headers::iteratorCharSequence) {
            out.append(e.getKey()).append("=[").append(e.getValue()).append("] ");
        }
    }
}
