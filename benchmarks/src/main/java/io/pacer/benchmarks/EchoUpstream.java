package io.pacer.benchmarks;

import io.netty.bootstrap.ServerBootstrap;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.PooledByteBufAllocator;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.ServerChannel;
import io.netty.channel.epoll.Epoll;
import io.netty.channel.epoll.EpollIoHandler;
import io.netty.channel.epoll.EpollServerSocketChannel;
import io.netty.channel.epoll.EpollSocketChannel;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.SocketChannel;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.netty.channel.socket.nio.NioSocketChannel;
import io.netty.handler.codec.DateFormatter;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpRequestDecoder;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.LastHttpContent;
import io.netty.util.ReferenceCountUtil;
import io.netty.util.concurrent.DefaultThreadFactory;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Date;
import java.util.List;

/**
 * A minimal, fast upstream task: answers every request with {@code 200 hello\n}, keep-alive, like
 * an Nginx {@code return 200 "hello\n";} server. The answer is pre-encoded in a direct buffer (one
 * per second, for its {@code Date}), requests are parsed by Netty's decoder, answers to a burst of
 * pipelined requests go out with one flush, and the transport is native epoll when it loads.
 *
 * <pre>java -cp benchmarks/target/benchmarks.jar io.pacer.benchmarks.EchoUpstream PORT [PORT ...]</pre>
 *
 * <p>System property {@code echo.threads} (default 1) sets the number of event loops.
 */
public final class EchoUpstream implements AutoCloseable {

    private static final String HEAD_KEEP = "HTTP/1.1 200 OK\r\nServer: echo\r\nContent-Type: text/plain\r\n"
            + "Content-Length: 6\r\nConnection: keep-alive\r\nDate: ";
    private static final String HEAD_CLOSE = "HTTP/1.1 200 OK\r\nServer: echo\r\nContent-Type: text/plain\r\n"
            + "Content-Length: 6\r\nConnection: close\r\nDate: ";

    private static volatile Answers answers = new Answers(-1, null, null);

    private final EventLoopGroup group;
    private final boolean ownsGroup;
    private final List<Channel> servers = new ArrayList<>();

    private EchoUpstream(EventLoopGroup group, boolean ownsGroup) {
        this.group = group;
        this.ownsGroup = ownsGroup;
    }

    public static void main(String[] args) throws Exception {
        if (args.length == 0) {
            System.err.println("usage: EchoUpstream PORT [PORT ...]   (-Decho.threads=N, default 1)");
            System.exit(2);
        }
        int threads = Integer.getInteger("echo.threads", 1);
        int[] ports = new int[args.length];
        for (int i = 0; i < args.length; i++) {
            ports[i] = Integer.parseInt(args[i]);
        }
        EchoUpstream upstream = start(threads, "127.0.0.1", ports);
        Runtime.getRuntime().addShutdownHook(new Thread(upstream::close));
        System.out.println("echo upstream (" + transportName() + ", " + threads + " thread(s)) on "
                + upstream.addresses());
        upstream.servers.get(0).closeFuture().sync();
    }

    /** Starts on {@code ports} of {@code host} (0 picks a free port) with its own event loops. */
    public static EchoUpstream start(int threads, String host, int... ports) throws InterruptedException {
        return start(newGroup(threads, "echo"), true, host, ports);
    }

    static EchoUpstream start(EventLoopGroup group, boolean ownsGroup, String host, int... ports)
            throws InterruptedException {
        EchoUpstream upstream = new EchoUpstream(group, ownsGroup);
        ServerBootstrap b = new ServerBootstrap()
                .group(group)
                .channel(serverChannel())
                .option(ChannelOption.SO_BACKLOG, 4096)
                .option(ChannelOption.SO_REUSEADDR, true)
                .childOption(ChannelOption.TCP_NODELAY, true)
                .childOption(ChannelOption.ALLOCATOR, PooledByteBufAllocator.DEFAULT)
                .childHandler(new ChannelInitializer<SocketChannel>() {
                    @Override
                    protected void initChannel(SocketChannel ch) {
                        ch.pipeline().addLast(new HttpRequestDecoder()).addLast(new Answerer());
                    }
                });
        try {
            for (int port : ports) {
                upstream.servers.add(b.bind(host, port).sync().channel());
            }
        } catch (InterruptedException | RuntimeException e) {
            upstream.close();
            throw e;
        }
        return upstream;
    }

    public List<InetSocketAddress> addresses() {
        List<InetSocketAddress> out = new ArrayList<>();
        for (Channel ch : servers) {
            out.add((InetSocketAddress) ch.localAddress());
        }
        return out;
    }

    @Override
    public void close() {
        for (Channel ch : servers) {
            ch.close().syncUninterruptibly();
        }
        if (ownsGroup) {
            group.shutdownGracefully(0, 1, java.util.concurrent.TimeUnit.SECONDS).syncUninterruptibly();
        }
    }

    // ---- transport, shared with the benchmark's client --------------------------------------

    static boolean epoll() {
        return !Boolean.getBoolean("pacer.noEpoll") && Epoll.isAvailable();
    }

    static String transportName() {
        return epoll() ? "epoll" : "nio";
    }

    static EventLoopGroup newGroup(int threads, String name) {
        return new MultiThreadIoEventLoopGroup(threads, new DefaultThreadFactory(name, true),
                epoll() ? EpollIoHandler.newFactory() : NioIoHandler.newFactory());
    }

    static Class<? extends ServerChannel> serverChannel() {
        return epoll() ? EpollServerSocketChannel.class : NioServerSocketChannel.class;
    }

    static Class<? extends SocketChannel> socketChannel() {
        return epoll() ? EpollSocketChannel.class : NioSocketChannel.class;
    }

    // ---- the answer ---------------------------------------------------------------------------

    /** The two pre-encoded answers of the current second. */
    private record Answers(long second, ByteBuf keepAlive, ByteBuf close) {
        static Answers now() {
            long second = System.currentTimeMillis() / 1000;
            Answers a = answers;
            if (a.second != second) {
                String date = DateFormatter.format(new Date(second * 1000));
                a = new Answers(second, encode(HEAD_KEEP + date + "\r\n\r\nhello\n"),
                        encode(HEAD_CLOSE + date + "\r\n\r\nhello\n"));
                answers = a; // racy by design: two loops may both format the same second
            }
            return a;
        }

        /**
         * A direct buffer that the garbage collector frees, not a release: another loop may still be
         * writing a past second's answer, so none is released by hand, and the leak detector (which
         * tracks what an allocator hands out) must not report the ones left behind.
         */
        private static ByteBuf encode(String s) {
            byte[] bytes = s.getBytes(StandardCharsets.US_ASCII);
            java.nio.ByteBuffer direct = java.nio.ByteBuffer.allocateDirect(bytes.length).put(bytes).flip();
            return Unpooled.unreleasableBuffer(Unpooled.wrappedBuffer(direct));
        }
    }

    /** Answers each request once it is whole; flushes once per read burst. */
    private static final class Answerer extends ChannelInboundHandlerAdapter {
        private boolean keepAlive = true;
        private boolean closing;

        @Override
        public void channelRead(ChannelHandlerContext ctx, Object msg) {
            try {
                if (closing) {
                    return;
                }
                if (msg instanceof HttpRequest request) {
                    if (request.decoderResult().isFailure()) {
                        closing = true;
                        ctx.close();
                        return;
                    }
                    keepAlive = HttpUtil.isKeepAlive(request);
                }
                if (msg instanceof LastHttpContent) {
                    Answers a = Answers.now();
                    if (keepAlive) {
                        ctx.write(a.keepAlive.duplicate(), ctx.voidPromise());
                    } else {
                        closing = true;
                        ctx.writeAndFlush(a.close.duplicate()).addListener(ChannelFutureListener.CLOSE);
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
