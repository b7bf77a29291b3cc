package io.pacer.proxy;

import io.pacer.config.ConfigException;
import io.pacer.config.PacerConfig;
import io.pacer.core.RouteTable;
import io.pacer.discovery.MarathonFormatException;
import io.pacer.discovery.MarathonSettings;
import io.pacer.discovery.RouteOptions;
import io.pacer.proxy.metrics.PacerMetrics;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.time.Clock;
import java.util.concurrent.atomic.AtomicBoolean;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One running Pacer: discovery feeding route tables to the data plane, metrics, the optional
 * access log and the admin API, started in that order and stopped in reverse.
 */
public final class Pacer implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(Pacer.class);

    private final PacerConfig config;
    private final RouteSource source;
    private final PacerMetrics metrics;
    private PacerServer server;
    private AdminServer admin;
    private RouteTable published = RouteTable.empty();
    private final AtomicBoolean closed = new AtomicBoolean();

    private Pacer(PacerConfig config, RouteSource source) {
        this.config = config;
        this.source = source;
        this.metrics = new PacerMetrics(() -> source.metrics());
    }

    /**
     * Starts everything {@code config} asks for.
     *
     * @throws ConfigException when the configuration cannot work (an unreadable apps file)
     */
    public static Pacer start(PacerConfig config, Path configFile) throws Exception {
        Pacer pacer = new Pacer(config, sourceFor(config));
        try {
            pacer.startAll(configFile);
            return pacer;
        } catch (Exception | Error e) {
            pacer.close();
            throw e;
        }
    }

    private static RouteSource sourceFor(PacerConfig config) {
        RouteOptions options = new RouteOptions(config.realm().orElse(null), config.routeByHost());
        if (!config.marathon().isEmpty()) {
            return new MarathonRouteSource(MarathonSettings.from(config));
        }
        if (config.appsFile().isPresent()) {
            return new FileRouteSource(config.appsFile().get(), options);
        }
        return new NoRouteSource();
    }

    private void startAll(Path configFile) throws Exception {
        try {
            source.start(this::publish);
        } catch (IOException | MarathonFormatException e) {
            Path apps = config.appsFile().orElse(null);
            String problem = e.getMessage() != null && apps != null && e.getMessage().contains(apps.toString())
                    ? e.getMessage() : apps + ": " + e.getMessage();
            throw new ConfigException(configFile, "apps_file", problem, e);
        }
        RequestObserver observer = config.accessLog()
                ? RequestObserver.of(metrics, new AccessLog("json".equals(config.accessLogFormat())
                        ? AccessLog.Format.JSON : AccessLog.Format.TEXT))
                : metrics;
        PacerServer started = PacerServer.start(config, source.table(), observer);
        metrics.bind(started);
        synchronized (this) {
            server = started;
            // A table published while the server was starting is in source.table() or arrives next.
            publishLocked(source.table());
        }
        if (config.adminPort() > 0) {
            AdminApi api = new AdminApi(config.xproxy(), config.realm().orElse(""), source, metrics::scrape,
                    this::notReadyReason, Clock.systemUTC(), started.taskStates());
            admin = AdminServer.start(new InetSocketAddress(config.listen().getAddress(), config.adminPort()), api);
        }
        log.info("pacer {} listening on {} ({}), admin API on {}, discovery: {}", Main.version(),
                started.localAddress(), started.transportName(),
                admin == null ? "none (set port)" : admin.localAddress(), source.source());
    }

    /** Publishes tables in version order: a source's tables only ever replace older ones. */
    private synchronized void publish(RouteTable table) {
        publishLocked(table);
    }

    private void publishLocked(RouteTable table) {
        if (table.version() < published.version()) {
            return;
        }
        published = table;
        if (server != null) {
            server.updateRoutes(table);
        }
        metrics.updateRoutes(table);
    }

    /** Why this instance should get no traffic now, or {@code null} when it should. */
    String notReadyReason() {
        if (server != null && server.isDraining()) {
            return "draining";
        }
        if (!source.loaded()) {
            return "no route table loaded yet";
        }
        return null;
    }

    public PacerServer server() {
        return server;
    }

    /** The admin server, or {@code null} without {@code port}. */
    public AdminServer admin() {
        return admin;
    }

    public PacerMetrics metrics() {
        return metrics;
    }

    /** Waits until the data plane has stopped. */
    public void awaitStopped() throws InterruptedException {
        server.awaitClose();
    }

    /** SIGTERM: drain the data plane within {@code shutdown_grace}, then stop the rest. */
    public void shutdown() {
        log.info("stopping: draining connections for up to {}", config.shutdownGrace());
        boolean drained = server == null || server.shutdown(config.shutdownGrace());
        close();
        log.info("stopped{}", drained ? "" : " (some connections were cut after the grace period)");
    }

    @Override
    public void close() {
        if (!closed.compareAndSet(false, true)) {
            return;
        }
        if (server != null) {
            server.close();
        }
        if (admin != null) {
            admin.close();
        }
        source.close();
        metrics.close();
    }
}
