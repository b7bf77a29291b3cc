package io.pacer.proxy.testing;

import io.netty.bootstrap.ServerBootstrap;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.ChannelOutboundHandlerAdapter;
import io.netty.channel.ChannelPipeline;
import io.netty.channel.ChannelPromise;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.channel.group.ChannelGroup;
import io.netty.channel.group.DefaultChannelGroup;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.SocketChannel;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.DefaultHttpContent;
import io.netty.handler.codec.http.DefaultHttpResponse;
import io.netty.handler.codec.http.DefaultLastHttpContent;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.HttpChunkedInput;
import io.netty.handler.codec.http.HttpDecoderConfig;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpObjectAggregator;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpRequestDecoder;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpServerCodec;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http.LastHttpContent;
import io.netty.handler.codec.http.websocketx.BinaryWebSocketFrame;
import io.netty.handler.codec.http.websocketx.ContinuationWebSocketFrame;
import io.netty.handler.codec.http.websocketx.TextWebSocketFrame;
import io.netty.handler.codec.http.websocketx.WebSocketFrame;
import io.netty.handler.codec.http.websocketx.WebSocketServerProtocolConfig;
import io.netty.handler.codec.http.websocketx.WebSocketServerProtocolHandler;
import io.netty.handler.stream.ChunkedInput;
import io.netty.handler.stream.ChunkedWriteHandler;
import io.netty.util.AttributeKey;
import io.netty.util.ReferenceCountUtil;
import io.netty.util.concurrent.DefaultThreadFactory;
import io.netty.util.concurrent.GlobalEventExecutor;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.BiConsumer;

/**
 * A real HTTP/1.1 server on 127.0.0.1 and an ephemeral port, standing in for one task of an app.
 *
 * <pre>{@code
 * try (TestUpstream a = TestUpstream.start("a", req -> Reply.ok("hello from " + req.path()))) {
 *     ... send traffic to a.port() through the proxy ...
 *     RecordedRequest seen = a.takeRequest(Duration.ofSeconds(5));
 *     assertEquals("/app/x", seen.uri());
 * }
 * }</pre>
 *
 * <p>Each upstream has its own small NIO event loop group and its own handler threads. Handlers run
 * off the event loop, one request at a time per connection, so a handler may block (on a latch, say)
 * without stalling other connections, and pipelined requests are answered in order. Every response
 * carries {@code X-Upstream: <name>}. Requests are aggregated (bodies up to 64 MB) and recorded
 * before the handler runs.
 *
 * <p>Fault factories: {@link #refusing()}, {@link #resetting(String)}, {@link #hanging(String)},
 * {@link #garbage(String)}; per-request faults: {@link Reply#abort()}, {@link Reply#disconnect()},
 * {@link Reply#hang()}, {@link Reply#delayed(Duration)}.
 */
public final class TestUpstream implements AutoCloseable {

    /** Answers one request. May block; exceptions are recorded in {@link #errors()} and answered 500. */
    @FunctionalInterface
    public interface Handler {
        Reply handle(RecordedRequest request) throws Exception;
    }

    /** The header every response carries, naming the upstream that answered. */
    public static final String UPSTREAM_HEADER = "X-Upstream";
    /** Largest request body an upstream accepts (413 beyond). */
    public static final int MAX_REQUEST_BYTES = 64 * 1024 * 1024;
    /** Largest WebSocket frame payload {@link #webSocketEcho(String)} accepts. */
    public static final int MAX_WEBSOCKET_FRAME = 16 * 1024 * 1024;
    /** What {@link #garbage(String)} answers. */
    public static final String GARBAGE = "this is not http\r\n\r\n";

    private static final AttributeKey<Integer> CONNECTION = AttributeKey.valueOf("pacer.test.connection");
    private static final AttributeKey<AtomicInteger> SEQUENCE = AttributeKey.valueOf("pacer.test.sequence");

    private final String name;
    private final EventLoopGroup group;
    private final ExecutorService handlerThreads;
    private final ChannelGroup accepted = new DefaultChannelGroup(GlobalEventExecutor.INSTANCE);
    private final List<RecordedRequest> requests = new CopyOnWriteArrayList<>();
    private final BlockingQueue<RecordedRequest> untaken = new LinkedBlockingQueue<>();
    private final List<Throwable> errors = new CopyOnWriteArrayList<>();
    private final AtomicInteger connections = new AtomicInteger();
    private final AtomicBoolean closed = new AtomicBoolean();
    private final Channel server;

    private TestUpstream(String name, BiConsumer<TestUpstream, ChannelPipeline> pipeline) {
        this.name = name;
        this.group = new MultiThreadIoEventLoopGroup(2, new DefaultThreadFactory("upstream-" + name, true),
                NioIoHandler.newFactory());
        this.handlerThreads = Executors.newCachedThreadPool(new DefaultThreadFactory("upstream-" + name + "-handler",
                true));
        try {
            this.server = new ServerBootstrap()
                    .group(group)
                    .channel(NioServerSocketChannel.class)
                    .option(ChannelOption.SO_BACKLOG, 256)
                    .childOption(ChannelOption.TCP_NODELAY, true)
                    .childHandler(new ChannelInitializer<SocketChannel>() {
                        @Override
                        protected void initChannel(SocketChannel ch) {
                            ch.attr(CONNECTION).set(connections.incrementAndGet());
                            ch.attr(SEQUENCE).set(new AtomicInteger());
                            accepted.add(ch);
                            pipeline.accept(TestUpstream.this, ch.pipeline());
                        }
                    })
                    .bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0))
                    .syncUninterruptibly()
                    .channel();
        } catch (RuntimeException e) {
            handlerThreads.shutdownNow();
            group.shutdownGracefully(0, 0, TimeUnit.MILLISECONDS);
            throw e;
        }
    }

    // ---------------------------------------------------------------- factories

    /** An upstream that answers every request with what {@code handler} returns. */
    public static TestUpstream start(String name, Handler handler) {
        return new TestUpstream(name, (up, p) -> {
            p.addLast(newServerCodec());
            p.addLast(new HttpObjectAggregator(MAX_REQUEST_BYTES));
            p.addLast(new ChunkedWriteHandler());
            p.addLast(up.new UpstreamHeader());
            p.addLast(up.new Dispatcher(handler));
        });
    }

    /** Answers 200 with the request body as its body (and the request's Content-Type, if any). */
    public static TestUpstream echo(String name) {
        return start(name, req -> {
            Reply reply = Reply.ok(req.body());
            String type = req.header(HttpHeaderNames.CONTENT_TYPE.toString());
            return type == null ? reply : reply.header(HttpHeaderNames.CONTENT_TYPE.toString(), type);
        });
    }

    /**
     * Answers every request with {@code bytes} bytes of {@link TestBodies} and a Content-Length,
     * generated as they are sent. Verify with {@link TestBodies#verify}.
     */
    public static TestUpstream downloading(String name, long bytes) {
        Reply reply = Reply.download(bytes);
        return start(name, req -> reply);
    }

    /**
     * A WebSocket server (any path) that echoes every text, binary and continuation frame as it
     * came, with frame payloads up to 16 MB. The handshake request is recorded.
     */
    public static TestUpstream webSocketEcho(String name) {
        WebSocketServerProtocolConfig config = WebSocketServerProtocolConfig.newBuilder()
                .websocketPath("/")
                .checkStartsWith(true)
                .maxFramePayloadLength(MAX_WEBSOCKET_FRAME)
                .handleCloseFrames(true)
                .allowExtensions(false)
                .build();
        return new TestUpstream(name, (up, p) -> {
            p.addLast(newServerCodec());
            p.addLast(new HttpObjectAggregator(64 * 1024));
            p.addLast(up.new UpstreamHeader());
            p.addLast(up.new HandshakeRecorder());
            p.addLast(new WebSocketServerProtocolHandler(config));
            p.addLast(new EchoFrames());
        });
    }

    /**
     * A port with nothing listening: connecting to it is refused. (The port was free a moment ago;
     * something else could take it, which on loopback in a test run does not happen in practice.)
     */
    public static int refusing() {
        try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return socket.getLocalPort();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** {@link #refusing()} as a loopback address. */
    public static InetSocketAddress refusingAddress() {
        return new InetSocketAddress(InetAddress.getLoopbackAddress(), refusing());
    }

    /**
     * Accepts, reads the request head, records it, then resets the connection (SO_LINGER 0, so the
     * peer gets an RST) before any byte of a response.
     */
    public static TestUpstream resetting(String name) {
        return new TestUpstream(name, (up, p) -> {
            p.addLast(newRequestDecoder());
            p.addLast(up.new ResetAfterHead());
        });
    }

    public static TestUpstream resetting() {
        return resetting("resetting");
    }

    /** Accepts and reads requests (recording them) but never answers and never closes. */
    public static TestUpstream hanging(String name) {
        return new TestUpstream(name, (up, p) -> {
            p.addLast(newRequestDecoder());
            p.addLast(new HttpObjectAggregator(MAX_REQUEST_BYTES));
            p.addLast(up.new Silent());
        });
    }

    public static TestUpstream hanging() {
        return hanging("hanging");
    }

    /**
     * Reads a request (recording it), answers {@link #GARBAGE} ({@code this is not http\r\n\r\n}),
     * which is no HTTP response, then closes the connection.
     */
    public static TestUpstream garbage(String name) {
        return new TestUpstream(name, (up, p) -> {
            p.addLast(newRequestDecoder());
            p.addLast(new HttpObjectAggregator(MAX_REQUEST_BYTES));
            p.addLast(up.new Garbage());
        });
    }

    public static TestUpstream garbage() {
        return garbage("garbage");
    }

    // ---------------------------------------------------------------- accessors

    public String name() {
        return name;
    }

    public int port() {
        return ((InetSocketAddress) server.localAddress()).getPort();
    }

    public InetSocketAddress address() {
        return (InetSocketAddress) server.localAddress();
    }

    /** {@code http://127.0.0.1:<port><path>}. */
    public URI uri(String path) {
        return URI.create("http://127.0.0.1:" + port() + path);
    }

    /** Every request received so far, in arrival order (a snapshot). */
    public List<RecordedRequest> requests() {
        return List.copyOf(requests);
    }

    public int requestCount() {
        return requests.size();
    }

    /**
     * The oldest request not taken yet, waiting up to {@code timeout} for one to arrive; throws
     * {@link AssertionError} if none does. {@link #requests()} is not affected.
     */
    public RecordedRequest takeRequest(Duration timeout) throws InterruptedException {
        RecordedRequest r = untaken.poll(timeout.toNanos(), TimeUnit.NANOSECONDS);
        if (r == null) {
            throw new AssertionError("upstream " + name + " received no request within " + timeout.toMillis()
                    + " ms (received " + requests.size() + " in all)");
        }
        return r;
    }

    /** Exceptions thrown by the handler, and requests that could not be decoded. */
    public List<Throwable> errors() {
        return List.copyOf(errors);
    }

    /** Connections accepted so far. */
    public int connections() {
        return connections.get();
    }

    /** Connections currently open. */
    public int openConnections() {
        return accepted.size();
    }

    /** Closes every accepted connection (FIN); the upstream keeps listening. */
    public void closeConnections() {
        accepted.close().awaitUninterruptibly(10, TimeUnit.SECONDS);
    }

    /** Stops listening, closes every connection and stops the threads. Idempotent. */
    @Override
    public void close() {
        if (!closed.compareAndSet(false, true)) {
            return;
        }
        server.close().awaitUninterruptibly(10, TimeUnit.SECONDS);
        accepted.close().awaitUninterruptibly(10, TimeUnit.SECONDS);
        handlerThreads.shutdownNow();
        group.shutdownGracefully(0, 2, TimeUnit.SECONDS).awaitUninterruptibly(15, TimeUnit.SECONDS);
    }

    @Override
    public String toString() {
        return "TestUpstream{" + name + " @" + (server.isOpen() ? port() : "closed") + ", " + requests.size()
                + " requests, " + connections.get() + " connections}";
    }

    // ---------------------------------------------------------------- internals

    private static HttpDecoderConfig decoderConfig() {
        return new HttpDecoderConfig()
                .setMaxInitialLineLength(64 * 1024)
                .setMaxHeaderSize(256 * 1024)
                .setMaxChunkSize(64 * 1024);
    }

    private static HttpServerCodec newServerCodec() {
        return new HttpServerCodec(decoderConfig());
    }

    private static HttpRequestDecoder newRequestDecoder() {
        return new HttpRequestDecoder(decoderConfig());
    }

    private RecordedRequest record(ChannelHandlerContext ctx, HttpRequest head, ByteBuf content, HttpHeaders trailers) {
        Channel ch = ctx.channel();
        RecordedRequest r = new RecordedRequest(
                head.method().name(),
                head.uri(),
                head.headers().copy(),
                content == null ? new byte[0] : ByteBufUtil.getBytes(content),
                head.protocolVersion(),
                (InetSocketAddress) ch.remoteAddress(),
                trailers == null ? Reply.newHeaders() : trailers.copy(),
                ch.attr(CONNECTION).get(),
                ch.attr(SEQUENCE).get().incrementAndGet());
        requests.add(r);
        untaken.add(r);
        return r;
    }

    private static void reset(Channel ch) {
        ch.config().setOption(ChannelOption.SO_LINGER, 0);
        ch.close();
    }

    /** Adds {@code X-Upstream} to every response head this upstream writes. */
    private final class UpstreamHeader extends ChannelOutboundHandlerAdapter {
        @Override
        public void write(ChannelHandlerContext ctx, Object msg, ChannelPromise promise) {
            if (msg instanceof HttpResponse response) {
                response.headers().set(UPSTREAM_HEADER, name);
            }
            ctx.write(msg, promise);
        }
    }

    /** Runs the handler for each request and writes its replies in order. One per connection. */
    private final class Dispatcher extends SimpleChannelInboundHandler<FullHttpRequest> {
        private final Handler handler;
        private CompletableFuture<Void> previous = CompletableFuture.completedFuture(null);

        Dispatcher(Handler handler) {
            this.handler = handler;
        }

        @Override
        protected void channelRead0(ChannelHandlerContext ctx, FullHttpRequest req) {
            if (req.decoderResult().isFailure()) {
                errors.add(new IOException("upstream " + name + " could not decode a request",
                        req.decoderResult().cause()));
                FullHttpResponse400.send(ctx);
                return;
            }
            RecordedRequest recorded = record(ctx, req, req.content(), req.trailingHeaders());
            boolean keepAlive = HttpUtil.isKeepAlive(req);
            boolean head = HttpMethod.HEAD.equals(req.method());
            HttpVersion version = req.protocolVersion();
            previous = previous.thenComposeAsync(ignored -> {
                Reply reply;
                try {
                    reply = handler.handle(recorded);
                    if (reply == null) {
                        throw new NullPointerException("the handler returned no reply");
                    }
                } catch (Throwable t) {
                    errors.add(t);
                    reply = Reply.status(500, "handler of " + name + " failed: " + t);
                }
                CompletableFuture<Void> sent = new CompletableFuture<>();
                Reply r = reply;
                Runnable send = () -> send(ctx, r, keepAlive, head, version, sent);
                if (r.delay().isZero()) {
                    ctx.executor().execute(send);
                } else {
                    ctx.executor().schedule(send, r.delay().toNanos(), TimeUnit.NANOSECONDS);
                }
                return sent;
            }, handlerThreads).exceptionally(t -> {
                errors.add(t);
                return null;
            });
        }

        private void send(ChannelHandlerContext ctx, Reply reply, boolean keepAlive, boolean head, HttpVersion version,
                          CompletableFuture<Void> sent) {
            switch (reply.action()) {
                case ABORT -> {
                    reset(ctx.channel());
                    sent.complete(null);
                    return;
                }
                case DISCONNECT -> {
                    ctx.close();
                    sent.complete(null);
                    return;
                }
                case HANG -> {
                    return; // never completes: later requests on this connection are not answered either
                }
                default -> { }
            }
            if (!ctx.channel().isActive()) {
                sent.complete(null);
                return;
            }
            boolean close = !keepAlive || reply.closeAfterResponse();
            HttpResponseStatus status = reply.reasonPhrase() == null
                    ? HttpResponseStatus.valueOf(reply.status())
                    : new HttpResponseStatus(reply.status(), reply.reasonPhrase());
            int code = reply.status();
            boolean noBodyAllowed = code / 100 == 1 || code == 204 || code == 304;
            boolean bodyless = head || noBodyAllowed;
            HttpHeaders h = reply.headersNoCopy().copy();
            boolean framed = h.contains(HttpHeaderNames.CONTENT_LENGTH) || h.contains(HttpHeaderNames.TRANSFER_ENCODING);
            if (close) {
                h.set(HttpHeaderNames.CONNECTION, HttpHeaderValues.CLOSE);
            } else if (version.equals(HttpVersion.HTTP_1_0)) {
                h.set(HttpHeaderNames.CONNECTION, HttpHeaderValues.KEEP_ALIVE);
            }
            ChannelFuture last;
            if (reply.chunkSize() > 0) {
                if (!framed && !noBodyAllowed) {
                    h.set(HttpHeaderNames.TRANSFER_ENCODING, HttpHeaderValues.CHUNKED);
                }
                ctx.write(new DefaultHttpResponse(HttpVersion.HTTP_1_1, status, h));
                if (bodyless) {
                    last = ctx.writeAndFlush(LastHttpContent.EMPTY_LAST_CONTENT);
                } else {
                    byte[] body = reply.bodyNoCopy();
                    for (int off = 0; off < body.length; off += reply.chunkSize()) {
                        int len = Math.min(reply.chunkSize(), body.length - off);
                        ctx.write(new DefaultHttpContent(Unpooled.wrappedBuffer(body, off, len)));
                    }
                    HttpHeaders trailers = reply.trailersNoCopy().copy();
                    last = ctx.writeAndFlush(new DefaultLastHttpContent(Unpooled.EMPTY_BUFFER, trailers));
                }
            } else if (reply.generatedLength() >= 0) {
                if (!framed) {
                    h.set(HttpHeaderNames.CONTENT_LENGTH, reply.generatedLength());
                }
                ctx.write(new DefaultHttpResponse(HttpVersion.HTTP_1_1, status, h));
                last = bodyless
                        ? ctx.writeAndFlush(LastHttpContent.EMPTY_LAST_CONTENT)
                        : ctx.writeAndFlush(new HttpChunkedInput(new GeneratedBody(reply.generatedLength())));
            } else {
                byte[] body = reply.bodyNoCopy();
                if (!framed && !noBodyAllowed) {
                    h.set(HttpHeaderNames.CONTENT_LENGTH, body.length);
                }
                ByteBuf content = bodyless ? Unpooled.EMPTY_BUFFER : Unpooled.wrappedBuffer(body);
                last = ctx.writeAndFlush(new DefaultFullHttpResponse(HttpVersion.HTTP_1_1, status, content, h,
                        Reply.newHeaders()));
            }
            last.addListener((ChannelFutureListener) f -> {
                if (close) {
                    f.channel().close();
                }
                sent.complete(null);
            });
        }

        @Override
        public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
            if (!(cause instanceof IOException)) {
                errors.add(cause);
            }
            ctx.close();
        }
    }

    /** 400 and close, for requests that could not be decoded. */
    private static final class FullHttpResponse400 {
        static void send(ChannelHandlerContext ctx) {
            HttpHeaders h = Reply.newHeaders();
            h.set(HttpHeaderNames.CONNECTION, HttpHeaderValues.CLOSE);
            h.set(HttpHeaderNames.CONTENT_LENGTH, 0);
            ctx.writeAndFlush(new DefaultFullHttpResponse(HttpVersion.HTTP_1_1, HttpResponseStatus.BAD_REQUEST,
                    Unpooled.EMPTY_BUFFER, h, Reply.newHeaders())).addListener(ChannelFutureListener.CLOSE);
        }
    }

    /** {@link TestBodies}, generated chunk by chunk as the channel can take it. */
    private static final class GeneratedBody implements ChunkedInput<ByteBuf> {
        private static final int PIECE = 64 * 1024;
        private final long length;
        private final byte[] scratch;
        private long offset;

        GeneratedBody(long length) {
            this.length = length;
            this.scratch = new byte[(int) Math.min(PIECE, Math.max(1, length))];
        }

        @Override
        public boolean isEndOfInput() {
            return offset >= length;
        }

        @Override
        public void close() { }

        @Override
        @Deprecated
        public ByteBuf readChunk(ChannelHandlerContext ctx) {
            return readChunk(ctx.alloc());
        }

        @Override
        public ByteBuf readChunk(ByteBufAllocator allocator) {
            if (offset >= length) {
                return null;
            }
            int n = (int) Math.min(scratch.length, length - offset);
            TestBodies.fill(offset, scratch, 0, n);
            ByteBuf buf = allocator.buffer(n);
            buf.writeBytes(scratch, 0, n);
            offset += n;
            return buf;
        }

        @Override
        public long length() {
            return length;
        }

        @Override
        public long progress() {
            return offset;
        }
    }

    /** {@link #resetting(String)}: records the head, then RST. */
    private final class ResetAfterHead extends ChannelInboundHandlerAdapter {
        private boolean done;

        @Override
        public void channelRead(ChannelHandlerContext ctx, Object msg) {
            try {
                if (!done && msg instanceof HttpRequest head) {
                    done = true;
                    record(ctx, head, null, null);
                    reset(ctx.channel());
                }
            } finally {
                ReferenceCountUtil.release(msg);
            }
        }

        @Override
        public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
            ctx.close();
        }
    }

    /** {@link #hanging(String)}: records, never answers. */
    private final class Silent extends SimpleChannelInboundHandler<FullHttpRequest> {
        @Override
        protected void channelRead0(ChannelHandlerContext ctx, FullHttpRequest req) {
            record(ctx, req, req.content(), req.trailingHeaders());
        }

        @Override
        public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
            ctx.close();
        }
    }

    /** {@link #garbage(String)}: records, answers bytes that are not HTTP, closes. */
    private final class Garbage extends SimpleChannelInboundHandler<FullHttpRequest> {
        @Override
        protected void channelRead0(ChannelHandlerContext ctx, FullHttpRequest req) {
            record(ctx, req, req.content(), req.trailingHeaders());
            ctx.writeAndFlush(Unpooled.copiedBuffer(GARBAGE, StandardCharsets.US_ASCII))
                    .addListener(ChannelFutureListener.CLOSE);
        }

        @Override
        public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
            ctx.close();
        }
    }

    /** Records the WebSocket handshake request and passes it on. */
    private final class HandshakeRecorder extends ChannelInboundHandlerAdapter {
        @Override
        public void channelRead(ChannelHandlerContext ctx, Object msg) {
            if (msg instanceof FullHttpRequest req) {
                record(ctx, req, req.content(), req.trailingHeaders());
            }
            ctx.fireChannelRead(msg);
        }
    }

    /** Sends every data frame back as it came. */
    private static final class EchoFrames extends SimpleChannelInboundHandler<WebSocketFrame> {
        @Override
        protected void channelRead0(ChannelHandlerContext ctx, WebSocketFrame frame) {
            if (frame instanceof TextWebSocketFrame || frame instanceof BinaryWebSocketFrame
                    || frame instanceof ContinuationWebSocketFrame) {
                ctx.writeAndFlush(frame.retainedDuplicate());
            }
        }

        @Override
        public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
            ctx.close();
        }
    }
}
