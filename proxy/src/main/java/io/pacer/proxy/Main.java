package io.pacer.proxy;

import io.pacer.config.ConfigException;
import io.pacer.config.ConfigLoader;
import io.pacer.config.PacerConfig;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@code java -jar pacer.jar [-f pacer.toml] [--check]}: loads the configuration (or takes the
 * built-in defaults when there is none), then checks it or starts discovery and the proxy.
 */
public final class Main {

    /** Exit status for a configuration Pacer cannot run with, as for bad flags. */
    static final int EXIT_CONFIG = 2;

    /** Where Pacer looks for its configuration when no {@code -f} is given. */
    static final Path DEFAULT_FILE = Path.of("pacer.toml");

    /** How messages name the configuration when there is no file: Pacer runs on its built-in defaults. */
    static final Path BUILT_IN = Path.of("(built-in defaults)");

    private static final String USAGE = String.join("\n",
            "usage: java -jar pacer.jar [-f FILE] [--check]",
            "",
            "Pacer: an HTTP/1.1 and WebSocket reverse proxy for apps run by Marathon.",
            "",
            "  -f, --file FILE   configuration file (TOML); default: pacer.toml in the current",
            "                    directory, else the built-in defaults",
            "  -t, --check       check the configuration (apps file, TLS certificates, transport) and exit: 0 when it",
            "                    is valid, 2 when it is not; nothing is started",
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
    public static int run(String[] args, PrintStream out, PrintStream err) {
        Path file = null;
        boolean check = false;
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
                case "-t", "--check" -> check = true;
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
        // A file named with -f must exist; only the implicit pacer.toml may be absent.
        if (file == null && Files.exists(DEFAULT_FILE)) {
            file = DEFAULT_FILE;
        }
        PacerConfig config;
        try {
            config = file == null ? PacerConfig.defaults() : ConfigLoader.load(file);
            if (check) {
                Pacer.checkAppsFile(config, file);
                Pacer.checkCertificates(config, file);
                Pacer.transportFor(config, file == null ? BUILT_IN : file);
            }
        } catch (ConfigException e) {
            err.println("pacer: configuration error: " + e.getMessage());
            return EXIT_CONFIG;
        }
        if (check) {
            for (String warning : config.warnings()) {
                err.println("pacer: warning: " + warning);
            }
            out.println("pacer: " + (file == null ? "no configuration file; the built-in defaults" : file)
                    + " is valid");
            return 0;
        }
        LogSetup.apply(config.operations().logLevel(), config.operations().logFormat());
        Logger log = LoggerFactory.getLogger(Main.class);
        if (file == null) {
            log.info("no -f and no {} in {}: running on built-in defaults (listen {}, no routes, no admin API);"
                    + " see config/pacer.toml for every key", DEFAULT_FILE, Path.of("").toAbsolutePath(),
                    SocketAddresses.show(config.listeners().listen()));
        }
        for (String warning : config.warnings()) {
            // Each warning already starts with the file's name.
            log.warn("{}", warning);
        }
        Pacer pacer;
        try {
            pacer = Pacer.start(config, file == null ? BUILT_IN : file);
        } catch (ConfigException e) {
            err.println("pacer: configuration error: " + e.getMessage());
            return EXIT_CONFIG;
        } catch (ListenFailure e) {
            err.println("pacer: cannot start: " + e.getMessage());
            return 1;
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
        return BuildInfo.CURRENT.version();
    }
}
