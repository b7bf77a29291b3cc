package io.pacer.proxy.admin;

import io.netty.bootstrap.ServerBootstrap;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.channel.group.ChannelGroup;
import io.netty.channel.group.DefaultChannelGroup;
import io.netty.channel.socket.SocketChannel;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpObjectAggregator;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpServerCodec;
import io.netty.handler.codec.http.HttpServerKeepAliveHandler;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http.QueryStringDecoder;
import io.netty.handler.codec.http.cookie.Cookie;
import io.netty.handler.codec.http.cookie.ServerCookieDecoder;
import io.netty.util.concurrent.GlobalEventExecutor;
import io.pacer.proxy.http.ProxySettings;
import io.pacer.proxy.Transport;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The admin API, on its own port and its own event loop so that neither traffic nor a scrape can
 * starve the other. It serves Nixy's endpoints with Nixy's shapes, plus {@code /v1/routes}; what it
 * says comes from an {@link AdminApi}.
 */
public final class AdminServer implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(AdminServer.class);

    private final EventLoopGroup group;
    private final Channel channel;
    private final AtomicBoolean closed = new AtomicBoolean();
    private final ChannelGroup connections = new DefaultChannelGroup("pacer-admin", GlobalEventExecutor.INSTANCE);

    private AdminServer(InetSocketAddress address, AdminApi api, AdminAuth auth, Transport transport)
            throws InterruptedException {
        this.group = transport.newGroup(1, "pacer-admin");
        ServerBootstrap bootstrap = new ServerBootstrap()
                .group(group)
                .channel(transport.serverChannel())
                .childHandler(new ChannelInitializer<SocketChannel>() {
                    @Override
                    protected void initChannel(SocketChannel ch) {
                        connections.add(ch);
                        ch.pipeline()
                                .addLast(new HttpServerCodec())
                                .addLast(new HttpServerKeepAliveHandler())
                                .addLast(new HttpObjectAggregator(64 * 1024))
                                .addLast(new Handler(api, auth));
                    }
                });
        try {
            this.channel = bootstrap.bind(address).sync().channel();
        } catch (Exception e) { // Netty rethrows a failed bind's checked exception unwrapped
            group.shutdownGracefully(0, 0, TimeUnit.SECONDS);
            throw e;
        }
    }

    /** An open admin API, as Nixy's. */
    public static AdminServer start(InetSocketAddress address, AdminApi api) throws InterruptedException {
        return start(address, api, null);
    }

    /** @param token the bearer token every endpoint but health, readiness and metrics wants; {@code null} for none */
    public static AdminServer start(InetSocketAddress address, AdminApi api, String token) throws InterruptedException {
        return new AdminServer(address, api, new AdminAuth(token), Transport.detect());
    }

    public InetSocketAddress localAddress() {
        return (InetSocketAddress) channel.localAddress();
    }

    @Override
    public void close() {
        if (!closed.compareAndSet(false, true)) {
            return;
        }
        channel.close().syncUninterruptibly();
        connections.close().awaitUninterruptibly();
        group.shutdownGracefully(0, 1, TimeUnit.SECONDS).syncUninterruptibly();
    }

    private static final class Handler extends SimpleChannelInboundHandler<FullHttpRequest> {
        private final AdminApi api;
        private final AdminAuth auth;

        Handler(AdminApi api, AdminAuth auth) {
            this.api = api;
            this.auth = auth;
        }

        @Override
        protected void channelRead0(ChannelHandlerContext ctx, FullHttpRequest request) {
            if (DashboardEvents.streaming(ctx)) {
                return; // the connection carries an event stream now; an answer would corrupt it
            }
            AdminApi.Answer answer;
            if (!request.decoderResult().isSuccess()) {
                answer = AdminApi.Answer.text(400, "bad request\n");
            } else {
                try {
                    answer = answer(ctx, request);
                } catch (RuntimeException e) {
                    log.warn("admin {} {} failed", request.method(), request.uri(), e);
                    answer = AdminApi.Answer.text(500, "internal error\n");
                }
                if (answer == null) {
                    return; // the dashboard's event stream took over the connection
                }
            }
            byte[] bytes = answer.body().getBytes(StandardCharsets.UTF_8);
            // A HEAD answer says how long the GET's body is and sends none.
            ByteBuf body = HttpMethod.HEAD.equals(request.method())
                    ? Unpooled.EMPTY_BUFFER : Unpooled.wrappedBuffer(bytes);
            FullHttpResponse response = new DefaultFullHttpResponse(HttpVersion.HTTP_1_1,
                    HttpResponseStatus.valueOf(answer.status()), body);
            response.headers().set(HttpHeaderNames.CONTENT_TYPE, answer.contentType());
            response.headers().setInt(HttpHeaderNames.CONTENT_LENGTH, bytes.length);
            answer.headers().forEach(response.headers()::set);
            response.headers().set(HttpHeaderNames.SERVER, ProxySettings.SERVER);
            boolean keepAlive = HttpUtil.isKeepAlive(request);
            if (!keepAlive) {
                response.headers().set(HttpHeaderNames.CONNECTION, HttpHeaderValues.CLOSE);
                ctx.writeAndFlush(response).addListener(ChannelFutureListener.CLOSE);
            } else {
                ctx.writeAndFlush(response);
            }
        }

        /**
         * The dashboard's login ({@code /ui/?token=}) first, then the lock, then the event stream
         * (which answers by itself: {@code null}) or the API's answer.
         */
        private AdminApi.Answer answer(ChannelHandlerContext ctx, FullHttpRequest request) {
            QueryStringDecoder uri = new QueryStringDecoder(request.uri());
            String path = uri.path();
            Dashboard dashboard = api.dashboard();
            List<String> login = uri.parameters().get("token");
            if (dashboard != null && path.equals("/ui/") && login != null && !login.isEmpty()) {
                return auth.login(login.get(0));
            }
            AdminApi.Answer refused = auth.check(path, request.headers().get(HttpHeaderNames.AUTHORIZATION),
                    cookie(request));
            if (refused != null) {
                return refused;
            }
            if (dashboard != null && path.equals(DashboardEvents.PATH) && HttpMethod.GET.equals(request.method())) {
                DashboardEvents.start(ctx, dashboard);
                return null;
            }
            return api.handle(request.method().name(), path);
        }

        /** The dashboard's cookie, if the request has one. */
        private static String cookie(FullHttpRequest request) {
            String header = request.headers().get(HttpHeaderNames.COOKIE);
            if (header == null) {
                return null;
            }
            for (Cookie c : ServerCookieDecoder.LAX.decode(header)) {
                if (c.name().equals(AdminAuth.COOKIE)) {
                    return c.value();
                }
            }
            return null;
        }

        @Override
        public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
            ctx.close();
        }
    }
}
