package io.pacer.benchmarks;

import io.netty.bootstrap.Bootstrap;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.PooledByteBufAllocator;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.socket.SocketChannel;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.HttpResponseDecoder;
import io.netty.handler.codec.http.LastHttpContent;
import io.netty.util.ReferenceCountUtil;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;

/**
 * A wrk-like load generator for in-process benchmarks: {@code n} keep-alive connections, each with
 * one request in flight at a time (a closed loop, no pipelining), issuing a pre-encoded
 * {@code GET} as soon as the previous answer is whole. Counts answers and non-2xx answers;
 * {@link #awaitAnswers} blocks a caller until a given number more have arrived.
 */
final class ClosedLoopClient implements AutoCloseable {

    private final EventLoopGroup group;
    private final ByteBuf request;
    private final List<Channel> channels = new ArrayList<>();
    private final AtomicLong answers = new AtomicLong();
    private final AtomicLong bad = new AtomicLong();
    private volatile Waiter waiter;
    private volatile boolean running = true;

    private record Waiter(long target, Thread thread) { }

    ClosedLoopClient(int threads, InetSocketAddress target, String path, int connections) throws InterruptedException {
        this.group = EchoUpstream.newGroup(threads, "client");
        // What wrk sends, plus the User-Agent and Accept a typical API client adds.
        byte[] bytes = ("GET " + path + " HTTP/1.1\r\nHost: " + target.getHostString() + ":" + target.getPort()
                + "\r\nUser-Agent: pacer-bench\r\nAccept: */*\r\n\r\n").getBytes(StandardCharsets.US_ASCII);
        this.request = Unpooled.unreleasableBuffer(Unpooled.directBuffer(bytes.length).writeBytes(bytes));
        Bootstrap b = new Bootstrap()
                .group(group)
                .channel(EchoUpstream.socketChannel())
                .option(ChannelOption.TCP_NODELAY, true)
                .option(ChannelOption.ALLOCATOR, PooledByteBufAllocator.DEFAULT)
                .handler(new ChannelInitializer<SocketChannel>() {
                    @Override
                    protected void initChannel(SocketChannel ch) {
                        ch.pipeline().addLast(new HttpResponseDecoder()).addLast(new Loop());
                    }
                });
        try {
            for (int i = 0; i < connections; i++) {
                channels.add(b.connect(target).sync().channel());
            }
        } catch (InterruptedException | RuntimeException e) {
            close();
            throw e;
        }
    }

    /** Sends the first request on every connection; each then keeps one request in flight. */
    void start() {
        for (Channel ch : channels) {
            ch.writeAndFlush(request.duplicate(), ch.voidPromise());
        }
    }

    long answers() {
        return answers.get();
    }

    long badAnswers() {
        return bad.get();
    }

    /** Blocks until {@code count} more answers than now have arrived. */
    void awaitAnswers(long count, long timeoutNanos) throws TimeoutException {
        long target = answers.get() + count;
        Waiter w = new Waiter(target, Thread.currentThread());
        waiter = w;
        long deadline = System.nanoTime() + timeoutNanos;
        while (answers.get() < target) {
            long left = deadline - System.nanoTime();
            if (left <= 0) {
                waiter = null;
                throw new TimeoutException(answers.get() + " answers, waiting for " + target
                        + "; connections open: " + openConnections());
            }
            LockSupport.parkNanos(this, Math.min(left, TimeUnit.MILLISECONDS.toNanos(100)));
        }
        waiter = null;
    }

    int openConnections() {
        int open = 0;
        for (Channel ch : channels) {
            if (ch.isActive()) {
                open++;
            }
        }
        return open;
    }

    @Override
    public void close() {
        running = false;
        for (Channel ch : channels) {
            ch.close().syncUninterruptibly();
        }
        group.shutdownGracefully(0, 1, TimeUnit.SECONDS).syncUninterruptibly();
    }

    private final class Loop extends ChannelInboundHandlerAdapter {
        @Override
        public void channelRead(ChannelHandlerContext ctx, Object msg) {
            try {
                if (msg instanceof HttpResponse response && response.status().code() / 100 != 2) {
                    bad.incrementAndGet();
                }
                if (msg instanceof LastHttpContent) {
                    long n = answers.incrementAndGet();
                    Waiter w = waiter;
                    if (w != null && n >= w.target) {
                        LockSupport.unpark(w.thread);
                    }
                    if (running) {
                        ctx.write(request.duplicate(), ctx.voidPromise());
                    }
                }
            } finally {
                ReferenceCountUtil.release(msg);
            }
        }

        @Override
        public void channelReadComplete(ChannelHandlerContext ctx) {
            ctx.flush();
        }

        @Override
        public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
            ctx.close();
        }
    }
}
