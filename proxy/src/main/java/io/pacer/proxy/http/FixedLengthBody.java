package io.pacer.proxy.http;

import io.netty.buffer.ByteBuf;
import io.netty.handler.codec.http.DefaultHttpContent;
import io.netty.handler.codec.http.DefaultLastHttpContent;
import io.netty.handler.codec.http.HttpDecoderConfig;
import io.netty.handler.codec.http.HttpHeadersFactory;
import java.util.List;

/**
 * A body of known length being read by a fast-path decoder, framed as Netty's decoders frame one:
 * a slice of whatever has come, at most a chunk at a time, the last one an end marker.
 *
 * <p>Not thread-safe: one per decoder, on its connection's event loop.
 */
final class FixedLengthBody {

    private final int maxChunkSize;
    private final HttpHeadersFactory trailersFactory;
    private long left;

    FixedLengthBody(HttpDecoderConfig config) {
        this.maxChunkSize = config.getMaxChunkSize();
        this.trailersFactory = config.getTrailersFactory();
    }

    /** Expects {@code length} body bytes, more than none. */
    void start(long length) {
        left = length;
    }

    /** Whether body bytes are still due. */
    boolean inProgress() {
        return left > 0;
    }

    /** The connection closed before the announced length: no end marker, as Netty's decoders do. */
    void cutShort() {
        left = 0;
    }

    /** Takes the part of the body that has come from {@code in}. */
    void read(ByteBuf in, List<Object> out) {
        int readable = in.readableBytes();
        if (readable == 0) {
            return; // an empty content would read as the end of the body
        }
        int toRead = (int) Math.min(Math.min(readable, maxChunkSize), left);
        ByteBuf content = in.readRetainedSlice(toRead);
        left -= toRead;
        out.add(left == 0 ? new DefaultLastHttpContent(content, trailersFactory) : new DefaultHttpContent(content));
    }
}
