package io.pacer.proxy.tls;

import io.netty.handler.ssl.SslContext;
import io.netty.util.Mapping;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.ClosedWatchServiceException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardWatchEventKinds;
import java.nio.file.WatchKey;
import java.nio.file.WatchService;
import java.nio.file.attribute.BasicFileAttributes;
import java.security.cert.X509Certificate;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.SSLException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The certificates of the {@code tls_certificates} directory, and the choice among them for a
 * handshake's SNI name.
 *
 * <p>Layout: {@code NAME.crt} (the chain, leaf first) with {@code NAME.key}, or one {@code NAME.pem}
 * holding both. Files whose name starts with a dot are ignored (editors' and Kubernetes' temporary
 * files), and so are files with other endings.
 *
 * <p>Choice: the certificate whose subjectAltName (or CN) names the host exactly, else one with a
 * wildcard covering its first label ({@code *.example.com} covers {@code a.example.com}, not
 * {@code example.com} nor {@code a.b.example.com}), else the default: {@code tls_default_certificate},
 * or the first by NAME. Clients without SNI get the default. When two certificates name the same
 * host, the first by NAME wins.
 *
 * <p>Threading: handshakes on the event loops read one immutable {@link Selection} through a
 * volatile field; the watcher thread builds the next one and publishes it with one write, so a
 * handshake sees the old set or the new one, never a mix. A file that fails to load is logged and
 * its last good version, if any, stays in use; if nothing usable is left, the whole last good set stays.
 */
public final class CertificateStore implements Mapping<String, SslContext>, AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(CertificateStore.class);
    /** Quiet time after the last change before reloading: copying a pair is several events. */
    private static final long SETTLE_MILLIS = 200;

    private final Path directory;
    private final String defaultName;
    private final TlsContexts contexts;
    private volatile Selection selection;
    /** {@code null} for a store that only checks ({@link #check}). */
    private final WatchService watchService;
    private final Thread watcher;

    /** One immutable set of certificates with its lookup tables. */
    static final class Selection {
        final Map<String, ServerCertificate> byName;
        private final Map<String, ServerCertificate> exact = new HashMap<>();
        /** Keyed by the wildcard's suffix, dot included: ".example.com". */
        private final Map<String, ServerCertificate> wildcard = new HashMap<>();
        final ServerCertificate fallback;

        Selection(Map<String, ServerCertificate> byName, ServerCertificate fallback) {
            this.byName = Collections.unmodifiableMap(new TreeMap<>(byName));
            this.fallback = fallback;
            for (ServerCertificate certificate : this.byName.values()) {
                for (String host : certificate.hostNames()) {
                    if (host.startsWith("*.")) {
                        wildcard.putIfAbsent(host.substring(1), certificate);
                    } else {
                        exact.putIfAbsent(host, certificate);
                    }
                }
            }
        }

        ServerCertificate select(String host) {
            if (host == null || host.isEmpty()) {
                return fallback;
            }
            String name = host.toLowerCase(Locale.ROOT);
            if (name.endsWith(".")) {
                name = name.substring(0, name.length() - 1);
            }
            ServerCertificate found = exact.get(name);
            if (found == null) {
                int dot = name.indexOf('.');
                if (dot > 0) {
                    found = wildcard.get(name.substring(dot));
                }
            }
            return found != null ? found : fallback;
        }
    }

    private CertificateStore(Path directory, String defaultName, TlsContexts contexts, boolean watch) throws IOException {
        this.directory = directory;
        this.defaultName = defaultName;
        this.contexts = contexts;
        this.watchService = watch ? directory.getFileSystem().newWatchService() : null;
        try {
            if (watch) {
                // Watched before the first load, so a change made during it is not missed.
                directory.register(watchService, StandardWatchEventKinds.ENTRY_CREATE,
                        StandardWatchEventKinds.ENTRY_MODIFY, StandardWatchEventKinds.ENTRY_DELETE);
            }
            Selection first = load(null);
            if (first == null) {
                throw new CertificateSetupException("tls_certificates", "no usable certificate in " + directory
                        + " (expected NAME.crt with NAME.key, or NAME.pem holding both; see the warnings above)", null);
            }
            if (defaultName != null && !first.byName.containsKey(defaultName)) {
                throw new CertificateSetupException("tls_default_certificate", "no usable certificate named "
                        + defaultName + " in " + directory + " (found " + first.byName.keySet() + ")", null);
            }
            selection = first;
        } catch (IOException | RuntimeException e) {
            if (watchService != null) {
                watchService.close();
            }
            throw e;
        }
        if (watch) {
            this.watcher = new Thread(this::watch, "pacer-certificates");
            watcher.setDaemon(true);
            watcher.start();
        } else {
            this.watcher = null;
        }
    }

    /**
     * Loads every certificate of {@code directory} and watches it.
     *
     * @throws CertificateSetupException when no certificate can be served, or {@code defaultName} is not one of them
     */
    public static CertificateStore open(Path directory, String defaultName, TlsContexts contexts) throws IOException {
        return new CertificateStore(directory, defaultName, contexts, true);
    }

    /**
     * Loads the directory once, as {@link #open} would, without watching it: for {@code --check}.
     *
     * @return the certificates that would be served, by NAME
     * @throws CertificateSetupException as {@link #open}
     */
    public static Map<String, ServerCertificate> check(Path directory, String defaultName, TlsContexts contexts) throws IOException {
        return new CertificateStore(directory, defaultName, contexts, false).certificates();
    }

    /** The context for a handshake naming {@code host} by SNI ({@code null} without SNI). */
    @Override
    public SslContext map(String host) {
        return selection.select(host).context();
    }

    /** The certificate a handshake naming {@code host} gets. */
    ServerCertificate select(String host) {
        return selection.select(host);
    }

    /** The certificates served now, by NAME. */
    Map<String, ServerCertificate> certificates() {
        return selection.byName;
    }

    /** Reads the directory again now; the watcher calls this after every change. */
    synchronized void reload() {
        Selection next = load(selection);
        if (next != null && next != selection) {
            selection = next;
        }
    }

    // ---- loading --------------------------------------------------------------------------

    /**
     * The set the directory holds now, reusing {@code previous}'s certificates whose files did not
     * change; {@code previous} itself when nothing usable is left; {@code null} if there never was any.
     */
    private Selection load(Selection previous) {
        Map<String, List<Path>> groups = new TreeMap<>();
        try (DirectoryStream<Path> files = Files.newDirectoryStream(directory)) {
            for (Path file : files) {
                String fileName = file.getFileName().toString();
                int dot = fileName.lastIndexOf('.');
                if (fileName.startsWith(".") || dot <= 0 || !Files.isRegularFile(file)) {
                    continue;
                }
                String ending = fileName.substring(dot + 1);
                if (ending.equals("crt") || ending.equals("key") || ending.equals("pem")) {
                    groups.computeIfAbsent(fileName.substring(0, dot), n -> new ArrayList<>()).add(file);
                }
            }
        } catch (IOException e) {
            log.warn("tls_certificates: cannot list {}: {}; keeping the certificates loaded before", directory, e.toString());
            return previous;
        }
        Map<String, ServerCertificate> loaded = new TreeMap<>();
        for (Map.Entry<String, List<Path>> group : groups.entrySet()) {
            String name = group.getKey();
            ServerCertificate before = previous == null ? null : previous.byName.get(name);
            ServerCertificate now = loadOne(name, group.getValue(), before);
            if (now != null) {
                loaded.put(name, now);
            }
        }
        if (previous != null) {
            for (String gone : previous.byName.keySet()) {
                if (!groups.containsKey(gone)) {
                    log.info("TLS certificate {} removed: its files are gone from {}", gone, directory);
                }
            }
        }
        if (loaded.isEmpty()) {
            if (previous != null) {
                log.warn("tls_certificates: no usable certificate left in {}; still serving the last good set {}",
                        directory, previous.byName.keySet());
            }
            return previous;
        }
        if (previous != null && loaded.equals(previous.byName)) {
            return previous;
        }
        ServerCertificate fallback = defaultName != null ? loaded.get(defaultName) : null;
        if (fallback == null) {
            fallback = loaded.values().iterator().next();
            if (defaultName != null) {
                log.warn("tls_default_certificate {} is not among the usable certificates {}; clients without SNI get {}",
                        defaultName, loaded.keySet(), fallback.name());
            }
        }
        return new Selection(loaded, fallback);
    }

    /** One NAME's certificate: reused when its files are unchanged, else read; {@code before} when that fails. */
    private ServerCertificate loadOne(String name, List<Path> files, ServerCertificate before) {
        Path crt = null;
        Path key = null;
        Path pem = null;
        for (Path file : files) {
            String fileName = file.getFileName().toString();
            if (fileName.endsWith(".crt")) {
                crt = file;
            } else if (fileName.endsWith(".key")) {
                key = file;
            } else {
                pem = file;
            }
        }
        String shown = name + " (" + String.join(", ", files.stream().map(f -> f.getFileName().toString()).sorted().toList()) + ")";
        String problem = null;
        if (pem != null && (crt != null || key != null)) {
            problem = name + ".pem and " + name + (crt != null ? ".crt" : ".key") + " both exist; keep one form";
        } else if (pem == null && crt == null) {
            problem = name + ".key has no " + name + ".crt";
        } else if (pem == null && key == null) {
            problem = name + ".crt has no " + name + ".key";
        }
        if (problem != null) {
            return keepBefore(shown, problem, before);
        }
        Path certificateFile = pem != null ? pem : crt;
        Path keyFile = pem != null ? pem : key;
        String stamp;
        String certificateText;
        String keyText;
        try {
            stamp = stamp(certificateFile) + "|" + stamp(keyFile);
            if (before != null && before.stamp().equals(stamp)) {
                return before;
            }
            certificateText = Files.readString(certificateFile, StandardCharsets.US_ASCII);
            keyText = pem != null ? certificateText : Files.readString(keyFile, StandardCharsets.US_ASCII);
        } catch (IOException e) {
            return keepBefore(shown, "cannot read: " + e, before);
        }
        try {
            PemFiles.KeyPair pair = PemFiles.read(certificateText, keyText);
            X509Certificate leaf = pair.chain()[0];
            SslContext context = contexts.build(pair);
            ServerCertificate certificate = new ServerCertificate(name, ServerCertificate.hostNames(leaf), context, stamp, leaf);
            if (leaf.getNotAfter().toInstant().isBefore(Instant.now())) {
                log.warn("TLS certificate {} expired on {}; serving it anyway until it is replaced", name,
                        leaf.getNotAfter().toInstant());
            }
            if (certificate.hostNames().isEmpty()) {
                log.warn("TLS certificate {} names no host (no subjectAltName DNS name, no CN): served only as the default", name);
            }
            log.info("TLS certificate {} {}: {}", name, before == null ? "loaded" : "reloaded", certificate);
            return certificate;
        } catch (PemFiles.BadPemException | SSLException | RuntimeException e) {
            return keepBefore(shown, e.getMessage(), before);
        }
    }

    private ServerCertificate keepBefore(String name, String problem, ServerCertificate before) {
        if (before != null) {
            log.warn("TLS certificate {} in {}: {}; keeping the version loaded before", name, directory, problem);
        } else {
            log.warn("TLS certificate {} in {}: {}; not served", name, directory, problem);
        }
        return before;
    }

    /** What identifies a file's contents without reading it: file identity, size and modification time. */
    private static String stamp(Path file) throws IOException {
        BasicFileAttributes a = Files.readAttributes(file, BasicFileAttributes.class);
        return a.fileKey() + ":" + a.size() + ":" + a.lastModifiedTime().toMillis() + ":"
                + a.lastModifiedTime().to(TimeUnit.NANOSECONDS);
    }

    // ---- watching -------------------------------------------------------------------------

    private void watch() {
        try {
            while (true) {
                WatchKey key = watchService.take();
                key.pollEvents();
                key.reset();
                // Let a burst of changes settle, so a pair copied file by file is read once, whole.
                while ((key = watchService.poll(SETTLE_MILLIS, TimeUnit.MILLISECONDS)) != null) {
                    key.pollEvents();
                    key.reset();
                }
                try {
                    reload();
                } catch (RuntimeException e) {
                    log.warn("tls_certificates: reloading {} failed; keeping the certificates loaded before", directory, e);
                }
            }
        } catch (InterruptedException | ClosedWatchServiceException e) {
            // closed: stop watching
        }
    }

    /** Names, for the startup line. */
    @Override
    public String toString() {
        return directory + " " + new TreeSet<>(selection.byName.keySet()) + " (default " + selection.fallback.name() + ")";
    }

    @Override
    public void close() {
        if (watchService == null) {
            return;
        }
        try {
            watchService.close();
        } catch (IOException e) {
            log.debug("closing the watch on {}", directory, e);
        }
        watcher.interrupt();
    }
}
