package io.pacer.proxy.http;

import io.netty.bootstrap.ServerBootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.ReflectiveChannelFactory;
import io.netty.channel.WriteBufferWaterMark;
import io.netty.channel.group.ChannelGroup;
import io.netty.channel.group.ChannelGroupFuture;
import io.netty.channel.group.DefaultChannelGroup;
import io.netty.channel.socket.DatagramChannel;
import io.netty.channel.socket.SocketChannel;
import io.netty.handler.codec.haproxy.HAProxyMessageDecoder;
import io.netty.handler.ssl.SniHandler;
import io.netty.resolver.dns.DnsAddressResolverGroup;
import io.netty.resolver.dns.DnsNameResolverBuilder;
import io.pacer.config.Durations;
import io.pacer.config.PacerConfig;
import io.pacer.core.Balance;
import io.pacer.core.RouteTable;
import io.pacer.core.Task;
import io.pacer.core.TaskStates;
import io.netty.util.concurrent.GlobalEventExecutor;
import io.pacer.proxy.Transport;
import io.pacer.proxy.tls.CertificateSetupException;
import io.pacer.proxy.tls.CertificateStore;
import io.pacer.proxy.tls.TlsContexts;
import io.pacer.proxy.upstream.UpstreamHealth;
import io.pacer.proxy.upstream.UpstreamPools;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The data plane: a listening socket, its event loops, the current route table and the upstream
 * connection pools. Route tables are swapped with {@link #updateRoutes}: each request reads the
 * table once, when its head arrives, so it finishes on the table it started with.
 */
public final class PacerServer implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(PacerServer.class);

    static final String TRAFFIC = "traffic";
    static final String CODEC = "http";
    static final String PROXY_PROTOCOL = "proxy-protocol";
    static final String FLOW = "flow";
    static final String FRONTEND = "frontend";
    static final String TLS = "tls";
    static final String ALPN = "alpn";
    static final String DETECT = "detect";
    /** Largest TLS ClientHello read to find the SNI name (Netty's default). */
    private static final int MAX_CLIENT_HELLO = 16 * 1024;

    private final ProxySettings settings;
    private final Transport transport;
    private final EventLoopGroup bossGroup;
    private final EventLoopGroup workerGroup;
    private final DnsAddressResolverGroup resolver;
    private final UpstreamPools pools;
    private final UpstreamHealth health;
    private final BasicAuth auth = new BasicAuth();
    private final TrafficStats stats = new TrafficStats();
    private final ChannelGroup clients;
    private volatile boolean draining;
    private final AtomicBoolean closed = new AtomicBoolean();
    /** The resolver's sockets, so that {@link #close} can wait for them to close. */
    private final ChannelGroup dnsChannels;
    private final Channel serverChannel;
    /** The {@code tls_listen} socket, or {@code null} without TLS. */
    private final Channel tlsChannel;
    /** The certificates served on {@code tls_listen}, or {@code null} without TLS. */
    private final CertificateStore certificates;
    private volatile RouteTable routes;
    /** Client connections admitted and still open, counted only when {@code max_connections} is set. */
    private final AtomicInteger admitted = new AtomicInteger();

    private PacerServer(PacerConfig config, RouteTable initial, RequestObserver observer, Transport transport)
            throws InterruptedException {
        this.settings = new ProxySettings(config);
        this.transport = transport;
        this.routes = Objects.requireNonNull(initial, "initial");
        int workers = config.listeners().workerThreads();
        int threads = workers > 0 ? workers : Runtime.getRuntime().availableProcessors();
        this.bossGroup = transport.newGroup(1, "pacer-accept");
        this.workerGroup = transport.newGroup(threads, "pacer-io");
        this.dnsChannels = new DefaultChannelGroup("pacer-dns", GlobalEventExecutor.INSTANCE);
        ReflectiveChannelFactory<? extends DatagramChannel> datagrams =
                new ReflectiveChannelFactory<>(transport.datagramChannel());
        ReflectiveChannelFactory<? extends SocketChannel> streams =
                new ReflectiveChannelFactory<>(transport.socketChannel());
        this.resolver = new DnsAddressResolverGroup(new DnsNameResolverBuilder()
                .datagramChannelFactory(() -> tracked(dnsChannels, datagrams.newChannel()))
                .socketChannelFactory(() -> tracked(dnsChannels, streams.newChannel())));
        this.pools = new UpstreamPools(transport, resolver, settings, stats);
        ClientTraffic traffic = new ClientTraffic(stats);
        this.clients = new DefaultChannelGroup("pacer-clients", GlobalEventExecutor.INSTANCE);
        this.health = new UpstreamHealth(config.upstream().failurePolicy(),
                Balance.ofConfigName(config.upstream().balance()), observer);
        pools.retainOnly(initial.tasks());
        health.retainOnly(initial.tasks());
        int maxConnections = config.limits().maxConnections();
        ConnectionRefusal refusal = new ConnectionRefusal(settings.xproxy);
        ClientProtocols protocols = new ClientProtocols(config, settings, () -> routes, pools, health, auth, observer,
                stats, () -> draining);
        long handshakeMillis = Math.max(1, config.limits().clientHeaderTimeout().toMillis());
        boolean cleartextHttp2 = config.listeners().http2Cleartext();
        CertificateStore store = null;
        Channel plain = null;
        try {
            if (config.listeners().tlsCertificates().isPresent()) {
                TlsContexts contexts = TlsContexts.detect();
                try {
                    store = CertificateStore.open(config.listeners().tlsCertificates().get(),
                            config.listeners().tlsDefaultCertificate().orElse(null), contexts);
                } catch (IOException io) {
                    throw new CertificateSetupException("tls_certificates", "cannot watch "
                            + config.listeners().tlsCertificates().get() + ": " + io, io);
                }
                log.info("TLS through {}; certificates {}", contexts.providerName(), store);
            }
            CertificateStore tls = store;
            plain = bootstrap(traffic, maxConnections, refusal, ch -> {
                if (cleartextHttp2) {
                    ch.pipeline().addLast(DETECT, new CleartextProtocolDetector(protocols));
                } else {
                    protocols.http1(ch.pipeline(), false);
                }
            }).bind(config.listeners().listen()).sync().channel();
            Channel tlsBound = null;
            if (tls != null) {
                try {
                    tlsBound = bootstrap(traffic, maxConnections, refusal, ch -> ch.pipeline()
                            // The handshake gets client_header_timeout, as the first request's head does on listen.
                            .addLast(TLS, new SniHandler(tls, MAX_CLIENT_HELLO, handshakeMillis))
                            .addLast(ALPN, new AlpnProtocolChoice(protocols)))
                            .bind(config.listeners().tlsListen().orElseThrow()).sync().channel();
                } catch (InterruptedException e) {
                    throw e;
                } catch (Exception e) {
                    // Netty rethrows a failed bind's checked exception unwrapped, hence Exception.
                    throw new TlsListenException(config.listeners().tlsListen().get(), e);
                }
            }
            this.tlsChannel = tlsBound;
        } catch (Exception e) {
            // Netty rethrows a failed bind's checked exception unwrapped, hence Exception.
            // Nothing listens: release the loops and the resolver before reporting the failure.
            if (plain != null) {
                plain.close().syncUninterruptibly();
            }
            if (store != null) {
                store.close();
            }
            resolver.close(); // first, as in close()
            bossGroup.shutdownGracefully(0, 0, TimeUnit.SECONDS);
            workerGroup.shutdownGracefully(0, 0, TimeUnit.SECONDS);
            throw e;
        }
        this.serverChannel = plain;
        this.certificates = store;
        if (tlsChannel != null) {
            protocols.httpsPort(((InetSocketAddress) tlsChannel.localAddress()).getPort());
        }
    }

    /** Binding {@code tls_listen} failed; {@link #getCause()} is what the bind threw. */
    public static final class TlsListenException extends RuntimeException {
        private static final long serialVersionUID = 1L;
        private final InetSocketAddress address;

        TlsListenException(InetSocketAddress address, Throwable cause) {
            super("tls_listen " + address + ": " + cause.getMessage(), cause);
            this.address = address;
        }

        public InetSocketAddress address() {
            return address;
        }
    }

    /** What a listener puts on an admitted connection after the traffic counter. */
    @FunctionalInterface
    private interface ProtocolSetup {
        void apply(SocketChannel ch);
    }

    /** A listener's bootstrap: admission against {@code max_connections}, byte counting, then {@code setup}. */
    private ServerBootstrap bootstrap(ClientTraffic traffic, int maxConnections, ConnectionRefusal refusal,
                                      ProtocolSetup setup) {
        return new ServerBootstrap()
                .group(bossGroup, workerGroup)
                .channel(transport.serverChannel())
                .option(ChannelOption.SO_BACKLOG, 4096)
                .option(ChannelOption.SO_REUSEADDR, true)
                .childOption(ChannelOption.AUTO_READ, false)
                .childOption(ChannelOption.TCP_NODELAY, true)
                .childOption(ChannelOption.WRITE_BUFFER_WATER_MARK, new WriteBufferWaterMark(32 * 1024, 128 * 1024))
                .childHandler(new ChannelInitializer<SocketChannel>() {
                    @Override
                    protected void initChannel(SocketChannel ch) {
                        clients.add(ch);
                        if (maxConnections > 0) {
                            if (admitted.incrementAndGet() > maxConnections) {
                                admitted.decrementAndGet();
                                stats.refusedConnections.increment();
                                ch.pipeline().addLast(refusal);
                                return;
                            }
                            ch.closeFuture().addListener(f -> admitted.decrementAndGet());
                        }
                        ch.pipeline().addLast(TRAFFIC, traffic);
                        if (settings.proxyProtocol) {
                            // Before TLS and before the protocol choice: the balancer's header comes first.
                            ch.pipeline().addLast(PROXY_PROTOCOL, new HAProxyMessageDecoder())
                                    .addLast(new ProxyProtocolHandler());
                        }
                        setup.apply(ch);
                    }
                });
    }

    /** Binds {@code config.listeners().listen()} and serves {@code initial} until the first update. */
    public static PacerServer start(PacerConfig config, RouteTable initial) throws InterruptedException {
        return start(config, initial, RequestObserver.NONE);
    }

    /** As {@link #start(PacerConfig, RouteTable)}, telling {@code observer} about every request. */
    public static PacerServer start(PacerConfig config, RouteTable initial, RequestObserver observer)
            throws InterruptedException {
        return start(config, initial, observer, Transport.named(config.listeners().transport()));
    }

    /** As {@link #start(PacerConfig, RouteTable, RequestObserver)}, on a transport already chosen. */
    public static PacerServer start(PacerConfig config, RouteTable initial, RequestObserver observer,
            Transport transport) throws InterruptedException {
        return new PacerServer(config, initial, observer, transport);
    }

    /** Live connection and byte counts. */
    public TrafficStats stats() {
        return stats;
    }

    /** Connections answered 503 and closed because {@code max_connections} were open. */
    public long refusedConnections() {
        return stats.refusedConnections();
    }

    public InetSocketAddress localAddress() {
        return (InetSocketAddress) serverChannel.localAddress();
    }

    /** Where {@code tls_listen} accepts, or {@code null} without TLS. */
    public InetSocketAddress tlsAddress() {
        return tlsChannel == null ? null : (InetSocketAddress) tlsChannel.localAddress();
    }

    /** The certificates served on {@code tls_listen}, or {@code null} without TLS. */
    public CertificateStore certificates() {
        return certificates;
    }

    public String transportName() {
        return transport.name();
    }

    public RouteTable routes() {
        return routes;
    }

    /**
     * Publishes a new table. Requests already routed keep their app; idle pooled connections to
     * tasks that left close now, busy ones when their exchange ends.
     */
    public void updateRoutes(RouteTable table) {
        Objects.requireNonNull(table, "table");
        Set<Task> tasks = table.tasks();
        // Failure memory first, so no request of the new table meets a task without its state.
        health.retainOnly(tasks);
        routes = table;
        pools.retainOnly(tasks);
    }

    /** What the data plane remembers of each task: requests in flight, recent failures, marks. */
    public TaskStates taskStates() {
        return health.states();
    }

    /** Blocks until the listening socket is closed by {@link #close}. */
    public void awaitClose() throws InterruptedException {
        serverChannel.closeFuture().sync();
    }

    /** Whether {@link #shutdown} has begun. */
    public boolean isDraining() {
        return draining;
    }

    /**
     * Stops gracefully: stops accepting, closes idle client connections, lets requests in flight
     * finish (their answers carry {@code Connection: close}) for up to {@code grace}, then closes
     * whatever is left and releases every resource.
     *
     * @return whether every client connection had closed by itself within {@code grace}
     */
    public boolean shutdown(Duration grace) {
        draining = true;
        serverChannel.close().syncUninterruptibly();
        if (tlsChannel != null) {
            tlsChannel.close().syncUninterruptibly();
        }
        for (Channel ch : clients) {
            ch.pipeline().fireUserEventTriggered(FrontendHandler.Drain.EVENT);
        }
        long deadline = System.nanoTime() + grace.toNanos();
        boolean drained;
        while (!(drained = clients.isEmpty()) && System.nanoTime() - deadline < 0) {
            try {
                Thread.sleep(20); // a shutdown, not a test: polling the group's size is simplest
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                break;
            }
        }
        if (!drained) {
            log.warn("{} client connections still open after the {} grace period; closing them", clients.size(),
                    Durations.format(grace));
        }
        close();
        return drained;
    }

    private static <C extends Channel> C tracked(ChannelGroup group, C channel) {
        group.add(channel);
        return channel;
    }

    /**
     * Waits, briefly, until the client, upstream and DNS sockets have closed, before the loops stop.
     * On io_uring a close completes only once the kernel has answered the cancellation of the
     * socket's pending reads and writes; one that completes after its loop stopped taking tasks
     * never reaches the pipeline (Netty: "Can't invoke task later as EventLoop rejected it"), so
     * the decoders never release what they buffered.
     */
    private void awaitClosed(ChannelGroupFuture clientsClosed, ChannelGroupFuture dnsClosed) {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(2);
        clientsClosed.awaitUninterruptibly(2, TimeUnit.SECONDS);
        // An upstream connection of a request in flight is closed by its client's channelInactive.
        while (stats.upstreamConnections() > 0 && System.nanoTime() - deadline < 0) {
            try {
                Thread.sleep(5); // a shutdown, not a test: polling a counter is simplest
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            }
        }
        dnsClosed.awaitUninterruptibly(Math.max(0, deadline - System.nanoTime()), TimeUnit.NANOSECONDS);
    }

    @Override
    public void close() {
        if (!closed.compareAndSet(false, true)) {
            return;
        }
        ChannelGroupFuture clientsClosed = clients.close();
        serverChannel.close().syncUninterruptibly();
        if (tlsChannel != null) {
            tlsChannel.close().syncUninterruptibly();
        }
        if (certificates != null) {
            certificates.close();
        }
        pools.closeAll();
        auth.close();
        // The resolver's DNS sockets close on their loops before the loops stop: io_uring keeps a
        // buffer in every socket's pending read and gives it back only when the socket is closed.
        resolver.close();
        awaitClosed(clientsClosed, dnsChannels.close());
        bossGroup.shutdownGracefully(0, 2, TimeUnit.SECONDS);
        workerGroup.shutdownGracefully(0, 2, TimeUnit.SECONDS).syncUninterruptibly();
        bossGroup.terminationFuture().syncUninterruptibly();
        log.debug("stopped listening on {}", serverChannel.localAddress());
    }
}
