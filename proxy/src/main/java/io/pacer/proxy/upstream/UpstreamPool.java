package io.pacer.proxy.upstream;

import io.netty.bootstrap.Bootstrap;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoop;
import io.netty.channel.socket.SocketChannel;
import io.netty.channel.CombinedChannelDuplexHandler;
import io.netty.handler.codec.http.HttpDecoderConfig;
import io.netty.resolver.AddressResolverGroup;
import io.netty.util.concurrent.Future;
import io.netty.util.concurrent.Promise;
import io.pacer.core.Task;
import io.pacer.proxy.http.FlatHttpHeaders;
import io.pacer.proxy.http.ProxySettings;
import io.pacer.proxy.http.TrafficStats;
import io.pacer.proxy.Transport;
import java.net.InetSocketAddress;
import java.util.ArrayDeque;
import java.util.HashMap;
import java.util.Iterator;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;

/**
 * Idle keep-alive connections to tasks, for one event loop. Exchanges on that loop connect through
 * it, so a client connection and its upstream connections share a thread: no handoff, no locks.
 * Every method must be called on {@link #loop}.
 *
 * <p>Idle connections are reused most-recent first, which lets the rest age out; each idles at most
 * {@code upstream_keepalive_timeout}, and at most {@code upstream_keepalive} wait per task.
 */
public final class UpstreamPool {

    public static final String CODEC = "http";
    public static final String HANDLER = "upstream";
    public static final String IDLE_GUARD = "idle-guard";

    private final EventLoop loop;
    private final Bootstrap bootstrap;
    private final ProxySettings settings;
    private final TrafficStats stats;
    private final Map<Task, ArrayDeque<UpstreamConnection>> idle = new HashMap<>();
    private Set<Task> live = Set.of();

    UpstreamPool(EventLoop loop, Transport transport, AddressResolverGroup<InetSocketAddress> resolver,
                 ProxySettings settings, TrafficStats stats) {
        this.loop = loop;
        this.settings = settings;
        this.stats = stats;
        this.bootstrap = new Bootstrap()
                .group(loop)
                .channel(transport.socketChannel())
                .resolver(resolver)
                .option(ChannelOption.CONNECT_TIMEOUT_MILLIS, settings.connectTimeoutMillis)
                .option(ChannelOption.TCP_NODELAY, true)
                .option(ChannelOption.SO_KEEPALIVE, true)
                .option(ChannelOption.AUTO_READ, true);
        long sweepNanos = Math.max(TimeUnit.MILLISECONDS.toNanos(100),
                Math.min(TimeUnit.SECONDS.toNanos(1), settings.upstreamIdleNanos / 2));
        loop.scheduleWithFixedDelay(this::closeExpired, sweepNanos, sweepNanos, TimeUnit.NANOSECONDS);
    }

    EventLoop loop() {
        return loop;
    }

    /**
     * A reusable idle connection to {@code task}, taken out of the pool, or {@code null}: the
     * common case of a busy proxy, answered without a future. Closes the stale ones it meets.
     */
    public UpstreamConnection pollIdle(Task task) {
        ArrayDeque<UpstreamConnection> queue = idle.get(task);
        while (queue != null && !queue.isEmpty()) {
            UpstreamConnection conn = queue.pollLast();
            stats.idleUpstreamConnections.decrementAndGet();
            if (conn.isReusable() && !conn.hasLeftoverBytes()) {
                conn.markReused();
                return conn;
            }
            conn.close();
        }
        return null;
    }

    /** A new connection to {@code task} within {@code connectTimeoutMillis}; fails with the connect error. */
    public Future<UpstreamConnection> connect(Task task, int connectTimeoutMillis) {
        Promise<UpstreamConnection> promise = loop.newPromise();
        UpstreamConnection conn = new UpstreamConnection(task, this);
        HttpDecoderConfig decoder = new HttpDecoderConfig()
                .setMaxInitialLineLength(8192)
                .setMaxHeaderSize(Math.max(settings.maxHeaderSize, 65536))
                .setMaxChunkSize(65536)
                .setHeadersFactory(FlatHttpHeaders.FACTORY)
                .setTrailersFactory(FlatHttpHeaders.TRAILERS_FACTORY);
        Bootstrap b = bootstrap.clone();
        if (connectTimeoutMillis != settings.connectTimeoutMillis) {
            b.option(ChannelOption.CONNECT_TIMEOUT_MILLIS, connectTimeoutMillis);
        }
        ChannelFuture connect = b
                .handler(new ChannelInitializer<SocketChannel>() {
                    @Override
                    protected void initChannel(SocketChannel ch) {
                        UpstreamResponseDecoder responses = new UpstreamResponseDecoder(decoder);
                        ch.pipeline().addLast(IDLE_GUARD, conn.idleGuard());
                        ch.pipeline().addLast(CODEC, new CombinedChannelDuplexHandler<>(responses, new UpstreamRequestEncoder()));
                        ch.pipeline().addLast(HANDLER, conn);
                        conn.decoder(responses);
                    }
                })
                .connect(InetSocketAddress.createUnresolved(task.host(), task.port()));
        stats.upstreamConnections.incrementAndGet();
        connect.channel().closeFuture().addListener(f -> stats.upstreamConnections.decrementAndGet());
        connect.addListener(f -> {
            if (f.isSuccess()) {
                promise.setSuccess(conn);
            } else {
                promise.setFailure(f.cause());
            }
        });
        return promise;
    }

    /** Takes back a connection whose exchange is over; keeps it only if it can serve another. */
    public void release(UpstreamConnection conn, boolean reusable) {
        conn.unbind();
        // The exchange may have paused reads for a slow client; an idle connection must notice a close.
        conn.channel().config().setAutoRead(true);
        if (!reusable || !conn.isReusable() || !live.contains(conn.task()) || settings.upstreamKeepalive == 0) {
            conn.close();
            return;
        }
        ArrayDeque<UpstreamConnection> queue = idle.computeIfAbsent(conn.task(), t -> new ArrayDeque<>());
        if (queue.size() >= settings.upstreamKeepalive) {
            conn.close();
            return;
        }
        conn.markIdle(System.nanoTime());
        queue.addLast(conn);
        stats.idleUpstreamConnections.incrementAndGet();
    }

    /** Drops an idle connection that closed while waiting. */
    void forget(UpstreamConnection conn) {
        ArrayDeque<UpstreamConnection> queue = idle.get(conn.task());
        if (queue != null && queue.remove(conn)) {
            stats.idleUpstreamConnections.decrementAndGet();
        }
    }

    /**
     * The tasks of the new route table. Idle connections to any other task close now; busy ones
     * close when their exchange ends, so no request is cut.
     */
    void retainOnly(Set<Task> tasks) {
        live = tasks;
        for (Iterator<Map.Entry<Task, ArrayDeque<UpstreamConnection>>> it = idle.entrySet().iterator(); it.hasNext(); ) {
            Map.Entry<Task, ArrayDeque<UpstreamConnection>> e = it.next();
            if (!tasks.contains(e.getKey())) {
                for (UpstreamConnection conn : e.getValue()) {
                    stats.idleUpstreamConnections.decrementAndGet();
                    conn.close();
                }
                it.remove();
            }
        }
    }

    private void closeExpired() {
        long deadline = System.nanoTime() - settings.upstreamIdleNanos;
        for (Iterator<ArrayDeque<UpstreamConnection>> it = idle.values().iterator(); it.hasNext(); ) {
            ArrayDeque<UpstreamConnection> queue = it.next();
            // Oldest first: stop at the first connection still young enough.
            while (!queue.isEmpty() && queue.peekFirst().idleSinceNanos() - deadline <= 0) {
                stats.idleUpstreamConnections.decrementAndGet();
                queue.pollFirst().close();
            }
            if (queue.isEmpty()) {
                it.remove();
            }
        }
    }

    /** Closes every idle connection; used at shutdown. */
    void closeAll() {
        retainOnly(Set.of());
    }
}
