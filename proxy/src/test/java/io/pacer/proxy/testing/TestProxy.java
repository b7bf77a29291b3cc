package io.pacer.proxy.testing;

import io.pacer.config.PacerConfig;
import io.pacer.core.App;
import io.pacer.core.RouteTable;
import io.pacer.core.Task;
import io.pacer.proxy.http.PacerServer;
import java.net.InetSocketAddress;
import java.net.URI;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.UnaryOperator;

/**
 * A real Pacer on 127.0.0.1 (ephemeral port) for integration tests, with helpers to build route
 * tables from {@link TestUpstream}s. Timeouts default to values that keep tests quick.
 */
public final class TestProxy implements AutoCloseable {

    private static final AtomicLong VERSIONS = new AtomicLong();

    private final PacerServer server;

    private TestProxy(PacerServer server) {
        this.server = server;
    }

    /** Pacer with test defaults ({@code xproxy = "test-proxy"}, 2 worker threads, short timeouts). */
    public static TestProxy start(RouteTable table) {
        return start(table, UnaryOperator.identity());
    }

    /** Pacer with test defaults adjusted by {@code config}. */
    public static TestProxy start(RouteTable table, UnaryOperator<PacerConfig.Builder> config) {
        PacerConfig.Builder builder = PacerConfig.builder()
                .listen(new InetSocketAddress("127.0.0.1", 0))
                .xproxy("test-proxy")
                .workerThreads(2)
                .connectTimeout(Duration.ofSeconds(2))
                .readTimeout(Duration.ofSeconds(5))
                .sendTimeout(Duration.ofSeconds(5));
        try {
            return new TestProxy(PacerServer.start(config.apply(builder).build(), table));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    /**
     * Pacer in front of {@code app} alone, with timeouts short enough that failing upstreams cost
     * little (connect 500 ms, send 2 s, read {@code readTimeout}); {@code extra} adjusts them further.
     */
    public static TestProxy startWithShortTimeouts(App app, Duration readTimeout,
            UnaryOperator<PacerConfig.Builder> extra) {
        return start(table(app), cfg -> extra.apply(cfg
                .connectTimeout(Duration.ofMillis(500))
                .readTimeout(readTimeout)
                .sendTimeout(Duration.ofSeconds(2))));
    }

    public PacerServer server() {
        return server;
    }

    public InetSocketAddress address() {
        return server.localAddress();
    }

    public int port() {
        return address().getPort();
    }

    /** {@code http://127.0.0.1:<port><path>} */
    public URI uri(String path) {
        return URI.create("http://127.0.0.1:" + port() + path);
    }

    /** The {@code tls_listen} port; fails when the proxy has no TLS listener. */
    public int tlsPort() {
        InetSocketAddress tls = server.tlsAddress();
        if (tls == null) {
            throw new IllegalStateException("no tls_listen");
        }
        return tls.getPort();
    }

    public RawHttp connect() throws java.io.IOException {
        return RawHttp.connect(address());
    }

    public void routes(RouteTable table) {
        server.updateRoutes(table);
    }

    @Override
    public void close() {
        server.close();
    }

    // ---- route tables ----------------------------------------------------------------------

    /** An app served at its id, with one task per upstream (task ids are the upstreams' names). */
    public static App app(String id, TestUpstream... tasks) {
        List<Task> list = new ArrayList<>();
        for (TestUpstream t : tasks) {
            list.add(new Task(id.substring(1).replace('/', '_') + "." + t.name(), "127.0.0.1", t.port()));
        }
        return new App(id, List.of(id), list);
    }

    /** An app with explicit tasks, e.g. ports where nothing listens. */
    public static App app(String id, List<String> prefixes, int... ports) {
        List<Task> list = new ArrayList<>();
        for (int port : ports) {
            list.add(new Task(id.substring(1).replace('/', '_') + "." + port, "127.0.0.1", port));
        }
        return new App(id, prefixes, list);
    }

    public static RouteTable table(App... apps) {
        return RouteTable.builder(VERSIONS.incrementAndGet()).addAll(List.of(apps)).build();
    }
}
