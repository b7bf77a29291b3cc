package io.pacer.proxy;

import io.pacer.config.ConfigException;
import io.pacer.config.Discovery;
import io.pacer.config.Durations;
import io.pacer.config.PacerConfig;
import io.pacer.core.RouteTable;
import io.pacer.discovery.AppsFileSource;
import io.pacer.discovery.MarathonFormatException;
import io.pacer.discovery.MarathonSettings;
import io.pacer.discovery.RouteOptions;
import io.pacer.proxy.admin.AdminApi;
import io.pacer.proxy.admin.AdminServer;
import io.pacer.proxy.admin.Dashboard;
import io.pacer.proxy.http.AccessLog;
import io.pacer.proxy.http.PacerServer;
import io.pacer.proxy.http.RequestObserver;
import io.pacer.proxy.metrics.PacerMetrics;
import io.pacer.proxy.routes.FileRouteSource;
import io.pacer.proxy.routes.MarathonRouteSource;
import io.pacer.proxy.routes.NoRouteSource;
import io.pacer.proxy.routes.RouteSource;
import io.pacer.proxy.tls.CertificateSetupException;
import io.pacer.proxy.tls.CertificateStore;
import io.pacer.proxy.tls.TlsContexts;
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
        this.metrics = new PacerMetrics(() -> source.metrics(), Clock.systemUTC(),
                config.operations().appLatencyHistograms());
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
        Discovery discovery = config.discovery();
        RouteOptions options = new RouteOptions(discovery.realm().orElse(null), discovery.routeByHost());
        if (!discovery.marathon().isEmpty()) {
            return new MarathonRouteSource(MarathonSettings.from(config));
        }
        if (discovery.appsFile().isPresent()) {
            return new FileRouteSource(discovery.appsFile().get(), options);
        }
        return new NoRouteSource();
    }

    private void startAll(Path configFile) throws Exception {
        // First: a transport that cannot run here is a configuration error, found before anything starts.
        Transport transport = transportFor(config, configFile);
        try {
            source.start(this::publish);
        } catch (IOException | MarathonFormatException e) {
            throw appsFileError(config, configFile, e);
        }
        RequestObserver observer = config.operations().accessLog()
                ? RequestObserver.of(metrics, new AccessLog("json".equals(config.operations().accessLogFormat())
                        ? AccessLog.Format.JSON : AccessLog.Format.TEXT))
                : metrics;
        PacerServer started;
        try {
            started = PacerServer.start(config, source.table(), observer, transport);
        } catch (CertificateSetupException e) {
            throw new ConfigException(configFile, e.key(), e.problem(), e);
        } catch (PacerServer.TlsListenException e) {
            throw ListenFailure.of("tls_listen", e.address(), e.getCause());
        } catch (InterruptedException e) {
            throw e;
        } catch (Exception e) {
            // Netty rethrows the bind's own exception (BindException, or its native one) unwrapped.
            throw ListenFailure.of("listen", config.listeners().listen(), e);
        }
        metrics.bind(started);
        synchronized (this) {
            server = started;
            // A table published while the server was starting is in source.table() or arrives next.
            publishLocked(source.table());
        }
        if (config.adminAddress().isPresent()) {
            InetSocketAddress address = config.adminAddress().get();
            Dashboard dashboard = new Dashboard(source, source::metrics, metrics::appTotals, this::notReadyReason,
                    Clock.systemUTC(), started.taskStates());
            AdminApi api = new AdminApi(config.listeners().xproxy(), config.discovery().realm().orElse(""), source,
                    metrics::scrape, this::notReadyReason, Clock.systemUTC(), started.taskStates(), dashboard);
            try {
                admin = AdminServer.start(address, api, config.admin().token().orElse(null));
            } catch (InterruptedException e) {
                throw e;
            } catch (Exception e) {
                throw ListenFailure.of(config.admin().listen().isPresent() ? "admin_listen" : "port", address, e);
            }
            if (config.admin().token().isEmpty() && !address.getAddress().isLoopbackAddress()) {
                // Nixy's open admin API, kept for compatibility; worth a line in the log all the same.
                log.warn("admin API on {} without admin_token: anyone who reaches it can read /v1/config and"
                        + " /v1/routes and POST /v1/reload; set admin_token", SocketAddresses.show(address));
            }
        }
        // The addresses as configured, with the ports bound (a dual-stack socket would show 0.0.0.0 as [::]).
        log.info("pacer {} listening on {} ({}), admin API on {}{}, discovery: {}", Main.version(),
                SocketAddresses.show(config.listeners().listen().getAddress(), started.localAddress().getPort()),
                started.transportName(), admin == null ? "none (set admin_listen)"
                        : SocketAddresses.show(config.adminAddress().get().getAddress(), admin.localAddress().getPort()),
                admin != null && config.admin().token().isEmpty() ? " (open: no admin_token)" : "",
                source.source());
        if (started.tlsAddress() != null) {
            log.info("TLS (HTTPS, HTTP/2 by ALPN) listening on {}",
                    SocketAddresses.show(config.listeners().tlsListen().get().getAddress(), started.tlsAddress().getPort()));
        }
    }

    /**
     * What {@code --check} adds to loading the file: the apps file, when there is one, must be
     * readable and in Marathon's shape, as {@link #start} requires.
     *
     * @param configFile the configuration's file, named in the error; {@code null} for the built-in defaults
     */
    static void checkAppsFile(PacerConfig config, Path configFile) throws ConfigException {
        if (config.discovery().appsFile().isEmpty()) {
            return;
        }
        AppsFileSource apps = new AppsFileSource(config.discovery().appsFile().get(), table -> { },
                new RouteOptions(config.discovery().realm().orElse(null)));
        try {
            apps.start();
        } catch (IOException | MarathonFormatException e) {
            throw appsFileError(config, configFile, e);
        } finally {
            apps.close();
        }
    }

    /**
     * What {@code --check} adds for TLS: every certificate of {@code tls_certificates} is read as at
     * startup, so a directory with none usable, or a {@code tls_default_certificate} naming none,
     * fails the check naming the key.
     */
    static void checkCertificates(PacerConfig config, Path configFile) throws ConfigException {
        if (config.listeners().tlsCertificates().isEmpty()) {
            return;
        }
        try {
            CertificateStore.check(config.listeners().tlsCertificates().get(),
                    config.listeners().tlsDefaultCertificate().orElse(null), TlsContexts.detect());
        } catch (CertificateSetupException e) {
            throw new ConfigException(configFile, e.key(), e.problem(), e);
        } catch (IOException e) {
            throw new ConfigException(configFile, "tls_certificates", "cannot read "
                    + config.listeners().tlsCertificates().get() + ": " + e, e);
        }
    }

    /**
     * The transport {@code transport} names, as {@link #start} and {@code --check} find it: one named
     * explicitly that cannot run here is a configuration error naming the key and the reason.
     */
    static Transport transportFor(PacerConfig config, Path configFile) throws ConfigException {
        try {
            return Transport.named(config.listeners().transport());
        } catch (Transport.UnavailableException e) {
            throw new ConfigException(configFile, "transport", e.getMessage(), e);
        }
    }

    /** An apps file Pacer cannot start with, as a configuration error naming {@code apps_file} and the file once. */
    private static ConfigException appsFileError(PacerConfig config, Path configFile, Exception e) {
        Path apps = config.discovery().appsFile().orElse(null);
        String problem = e.getMessage() != null && apps != null && e.getMessage().contains(apps.toString())
                ? e.getMessage() : apps + ": " + e.getMessage();
        return new ConfigException(configFile, "apps_file", problem, e);
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
        log.info("stopping: draining connections for up to {}", Durations.format(config.operations().shutdownGrace()));
        boolean drained = server == null || server.shutdown(config.operations().shutdownGrace());
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
