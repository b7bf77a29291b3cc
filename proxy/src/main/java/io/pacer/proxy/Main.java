package io.pacer.proxy;

import io.pacer.config.ConfigException;
import io.pacer.config.ConfigLoader;
import io.pacer.config.PacerConfig;
import java.io.PrintStream;
import java.nio.file.Path;
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
        LogSetup.apply(config.logLevel(), config.logFormat());
        Logger log = LoggerFactory.getLogger(Main.class);
        for (String warning : config.warnings()) {
            log.warn("{}: {}", file, warning);
        }
        Pacer pacer;
        try {
            pacer = Pacer.start(config, file);
        } catch (ConfigException e) {
            err.println("pacer: configuration error: " + e.getMessage());
            return EXIT_CONFIG;
        } catch (Exception e) {
            err.println("pacer: cannot start: " + e);
            return 1;
        }
        // SIGTERM and SIGINT run this hook: drain, then exit 0, as a clean stop should.
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            int status = 0;
            try {
                pacer.shutdown();
            } catch (RuntimeException e) {
                log.error("shutdown failed", e);
                status = 1;
            } finally {
                LogSetup.flush();
                Runtime.getRuntime().halt(status);
            }
        }, "pacer-shutdown"));
        try {
            // Event loop threads are daemons: the main thread keeps the JVM up until the server stops.
            pacer.awaitStopped();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        return -1;
    }

    static String version() {
        String v = Main.class.getPackage().getImplementationVersion();
        return v == null ? "dev" : v;
    }
}
