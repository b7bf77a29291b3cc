package io.pacer.proxy;

import io.pacer.config.ConfigException;
import io.pacer.config.ConfigLoader;
import io.pacer.config.PacerConfig;
import io.pacer.core.RouteTable;
import io.pacer.discovery.AppsFileSource;
import io.pacer.discovery.MarathonFormatException;
import io.pacer.discovery.RouteOptions;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Path;
import java.util.concurrent.atomic.AtomicReference;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** {@code java -jar pacer.jar [-f pacer.toml]}: loads the configuration, starts discovery and the proxy. */
public final class Main {

    /** Exit status for a configuration Pacer cannot run with, as for bad flags. */
    static final int EXIT_CONFIG = 2;

    private static final String USAGE = String.join("\n",
            "usage: java -jar pacer.jar [-f FILE]",
            "",
            "Pacer: an HTTP/1.1 and WebSocket reverse proxy for apps run by Marathon.",
            "",
            "  -f, --file FILE   configuration file (TOML); default: pacer.toml",
            "  -h, --help        print this help and exit",
            "  -v, --version     print the version and exit",
            "",
            "Exit status: 0 after a clean stop, 2 for bad flags or configuration, 1 for other failures.",
            "");

    private Main() { }

    public static void main(String[] args) {
        int status = run(args, System.out, System.err);
        if (status >= 0) {
            System.exit(status);
        }
    }

    /** Runs Pacer; returns an exit status, or -1 once it is serving (the JVM then lives on). */
    static int run(String[] args, PrintStream out, PrintStream err) {
        Path file = Path.of("pacer.toml");
        for (int i = 0; i < args.length; i++) {
            switch (args[i]) {
                case "-h", "--help" -> {
                    out.print(USAGE);
                    return 0;
                }
                case "-v", "--version" -> {
                    out.println("pacer " + version());
                    return 0;
                }
                case "-f", "--file" -> {
                    if (i + 1 >= args.length) {
                        err.println("pacer: " + args[i] + " needs a file name");
                        err.print(USAGE);
                        return EXIT_CONFIG;
                    }
                    file = Path.of(args[++i]);
                }
                default -> {
                    err.println("pacer: unknown argument '" + args[i] + "'");
                    err.print(USAGE);
                    return EXIT_CONFIG;
                }
            }
        }
        PacerConfig config;
        try {
            config = ConfigLoader.load(file);
        } catch (ConfigException e) {
            err.println("pacer: configuration error: " + e.getMessage());
            return EXIT_CONFIG;
        }
        try {
            PacerServer server = start(config, file);
            // Event loop threads are daemons: the main thread keeps the JVM up until the server closes.
            server.awaitClose();
            return -1;
        } catch (ConfigException e) {
            err.println("pacer: configuration error: " + e.getMessage());
            return EXIT_CONFIG;
        } catch (Exception e) {
            err.println("pacer: cannot start: " + e);
            return 1;
        }
    }

    private static PacerServer start(PacerConfig config, Path file) throws Exception {
        Logger log = LoggerFactory.getLogger(Main.class);
        AtomicReference<PacerServer> server = new AtomicReference<>();
        AppsFileSource source = null;
        RouteTable initial = RouteTable.empty();
        String discovery = "none (every request answers 503)";
        if (config.appsFile().isPresent()) {
            Path apps = config.appsFile().get();
            source = new AppsFileSource(apps, table -> {
                PacerServer s = server.get();
                if (s != null) {
                    s.updateRoutes(table);
                }
            }, RouteOptions.defaults());
            try {
                source.start();
            } catch (IOException | MarathonFormatException e) {
                source.close();
                String problem = e.getMessage() != null && e.getMessage().contains(apps.toString())
                        ? e.getMessage() : apps + ": " + e.getMessage();
                throw new ConfigException(file, "apps_file", problem, e);
            }
            initial = source.current();
            discovery = "apps file " + apps;
        }
        PacerServer running = PacerServer.start(config, initial);
        server.set(running);
        // A table published between start() and set() would be lost without this second look.
        if (source != null && source.current() != initial) {
            running.updateRoutes(source.current());
        }
        log.info("pacer {} listening on {} ({}), {} routes, discovery: {}", version(), running.localAddress(),
                running.transportName(), running.routes().routes().size(), discovery);
        AppsFileSource toClose = source;
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            log.info("stopping");
            if (toClose != null) {
                toClose.close();
            }
            running.close();
        }, "pacer-shutdown"));
        return running;
    }

    static String version() {
        String v = Main.class.getPackage().getImplementationVersion();
        return v == null ? "dev" : v;
    }
}
