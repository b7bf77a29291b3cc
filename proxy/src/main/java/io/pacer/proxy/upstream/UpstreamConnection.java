package io.pacer.proxy.upstream;

import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.handler.codec.http.HttpContent;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.util.ReferenceCountUtil;
import io.pacer.core.Task;
import io.pacer.proxy.Transport;

/**
 * One connection to a task, and the last handler of its pipeline. It belongs to one event loop and
 * serves one exchange at a time; between exchanges it waits in that loop's {@link UpstreamPool}.
 * Whatever arrives while no exchange is bound (a late byte after a discarded answer, a close) is
 * dropped and makes the connection unusable.
 */
public final class UpstreamConnection extends ChannelInboundHandlerAdapter {

    private final Task task;
    private final UpstreamPool pool;
    private Channel channel;
    private UpstreamResponseDecoder decoder;
    private UpstreamListener listener;
    private long idleSinceNanos;
    private boolean broken;
    private boolean reused;

    UpstreamConnection(Task task, UpstreamPool pool) {
        this.task = task;
        this.pool = pool;
    }

    public Task task() {
        return task;
    }

    public Channel channel() {
        return channel;
    }

    void decoder(UpstreamResponseDecoder d) {
        this.decoder = d;
    }

    /** Binds the exchange whose request goes out next; {@code head} if it is a HEAD request. */
    public void bind(UpstreamListener l, boolean head) {
        this.listener = l;
        decoder.expectResponseTo(head);
    }

    /** Whether the task sent bytes past the end of the response just read. */
    public boolean hasLeftoverBytes() {
        return decoder.hasLeftoverBytes();
    }

    public void unbind() {
        this.listener = null;
    }

    boolean isReusable() {
        return !broken && channel != null && channel.isActive();
    }

    /** Taken from the pool rather than freshly connected: the task may have closed it meanwhile. */
    void markReused() {
        reused = true;
    }

    public boolean reused() {
        return reused;
    }

    void markIdle(long nanos) {
        idleSinceNanos = nanos;
    }

    long idleSinceNanos() {
        return idleSinceNanos;
    }

    public void close() {
        broken = true;
        listener = null;
        if (channel != null) {
            // Often an abort mid-request, to an upstream waiting for the rest of it: it must see the end.
            Transport.closeNow(channel);
        }
    }

    /**
     * Goes before the codec: bytes that arrive while no exchange is bound (a task that writes to an
     * idle keep-alive connection) close the connection at once, before a decoder could take them
     * for the next request's answer.
     */
    ChannelInboundHandlerAdapter idleGuard() {
        return new ChannelInboundHandlerAdapter() {
            @Override
            public void channelRead(ChannelHandlerContext ctx, Object msg) {
                if (listener == null) {
                    ReferenceCountUtil.release(msg);
                    close();
                } else {
                    ctx.fireChannelRead(msg);
                }
            }
        };
    }

    @Override
    public void handlerAdded(ChannelHandlerContext ctx) {
        channel = ctx.channel();
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        UpstreamListener l = listener;
        if (l == null) {
            // Nothing asked for this: the connection is out of step, never reuse it.
            ReferenceCountUtil.release(msg);
            close();
            return;
        }
        if (msg instanceof HttpResponse response) {
            l.onResponseHead(response);
            if (msg instanceof HttpContent content) {
                l.onResponseContent(content);
            }
        } else if (msg instanceof HttpContent content) {
            l.onResponseContent(content);
        } else {
            l.onTunnelBytes(msg);
        }
    }

    @Override
    public void channelReadComplete(ChannelHandlerContext ctx) {
        UpstreamListener l = listener;
        if (l != null) {
            l.onUpstreamReadComplete();
        }
    }

    @Override
    public void channelWritabilityChanged(ChannelHandlerContext ctx) {
        UpstreamListener l = listener;
        if (l != null) {
            l.onUpstreamWritabilityChanged();
        }
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) {
        broken = true;
        UpstreamListener l = listener;
        listener = null;
        pool.forget(this);
        if (l != null) {
            l.onUpstreamClosed(this, null);
        }
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        broken = true;
        UpstreamListener l = listener;
        listener = null;
        ctx.close();
        if (l != null) {
            // A failed write lands here from inside the exchange's own write call; telling it
            // later keeps the exchange from changing state under that call.
            ctx.executor().execute(() -> l.onUpstreamClosed(this, cause));
        }
    }

    @Override
    public String toString() {
        return "upstream " + task.address() + (channel == null ? "" : " " + channel.id());
    }
}
