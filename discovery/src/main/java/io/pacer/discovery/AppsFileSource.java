package io.pacer.discovery;

import io.pacer.core.App;
import io.pacer.core.RouteTable;
import io.pacer.core.RouteTableDiff;
import io.pacer.core.Task;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;
import java.util.stream.Collectors;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Serves routes from a local file holding a {@code GET /v2/apps?embed=apps.tasks} body, for
 * running without Marathon. The file is polled rather than watched: a watch service misses
 * changes made through symlink swaps (Kubernetes config maps) and on network file systems.
 *
 * <p>A file that cannot be read or parsed at {@link #start()} is an error; later, it only keeps
 * the last good table, so a half-saved edit never empties the routes.
 */
public final class AppsFileSource implements AutoCloseable {

    public static final Duration DEFAULT_POLL_INTERVAL = Duration.ofSeconds(1);
    public static final String THREAD_NAME = "pacer-apps-file";

    /**
     * A file whose mtime is this close to when we looked at it may be rewritten again within the
     * same timestamp tick (coarse on ext4, 1-2 s on some file systems) with the same size, which a
     * stat comparison cannot see; its content is hashed on every poll until it ages past this.
     */
    private static final long RACY_WINDOW_MILLIS = 2_000;

    private static final Logger log = LoggerFactory.getLogger(AppsFileSource.class);

    private final Path file;
    private final Consumer<RouteTable> listener;
    private final RouteOptions options;
    private final Duration pollInterval;
    private final AtomicLong polls = new AtomicLong();

    private ScheduledExecutorService poller;
    private volatile Thread pollerThread;
    private volatile boolean closed;

    // Written by start(), then only by the poll thread; start() happens-before the first poll.
    private volatile RouteTable current = RouteTable.empty();
    /** A snapshot taken during a leader election routes what the table in force routed. */
    private final ElectionGuard electionGuard = new ElectionGuard();
    private volatile List<App> publishedApps = List.of();
    private Stamp lastStamp;
    private long lastStampedAt;
    private byte[] lastDigest;
    private String lastFailure;

    public AppsFileSource(Path file, Consumer<RouteTable> listener, RouteOptions options) {
        this(file, listener, options, DEFAULT_POLL_INTERVAL);
    }

    public AppsFileSource(Path file, Consumer<RouteTable> listener, RouteOptions options, Duration pollInterval) {
        this.file = Objects.requireNonNull(file, "file");
        this.listener = Objects.requireNonNull(listener, "listener");
        this.options = Objects.requireNonNull(options, "options");
        this.pollInterval = Objects.requireNonNull(pollInterval, "pollInterval");
        if (pollInterval.isNegative() || pollInterval.isZero()) {
            throw new IllegalArgumentException("poll interval must be positive: " + pollInterval);
        }
    }

    /**
     * Loads the file, publishes its table (version 1) to the listener on the calling thread, then
     * starts polling.
     *
     * @throws IOException             when the file cannot be read
     * @throws MarathonFormatException when it is not Marathon's app list
     * @throws IllegalStateException   when called twice or after {@link #close()}
     */
    public synchronized void start() throws IOException, MarathonFormatException {
        if (poller != null || closed) {
            throw new IllegalStateException("apps file source for " + file + " already started or closed");
        }
        // Stat before reading: a write that lands during the read then shows in the next poll.
        Stamp stamp = Stamp.of(file);
        long stampedAt = System.currentTimeMillis();
        byte[] bytes = Files.readAllBytes(file);
        List<App> apps;
        try {
            apps = AppRoutes.apps(MarathonApps.parse(bytes), options);
        } catch (MarathonFormatException e) {
            throw new MarathonFormatException(file + ": " + e.getMessage(), e);
        }
        lastStamp = stamp;
        lastStampedAt = stampedAt;
        lastDigest = sha256(bytes);
        RouteTable table = AppRoutes.toTable(apps, 1);
        log.info("Apps file {} loaded: {} apps, {} routes (v{})", file, apps.size(), table.routes().size(),
                table.version());
        current = table;
        publishedApps = apps;
        listener.accept(table);

        poller = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, THREAD_NAME);
            t.setDaemon(true);
            pollerThread = t;
            return t;
        });
        long nanos = pollInterval.toNanos();
        poller.scheduleWithFixedDelay(this::pollSafely, nanos, nanos, TimeUnit.NANOSECONDS);
    }

    /** The last table published (the empty table before {@link #start()}). */
    public RouteTable current() {
        return current;
    }

    /**
     * The apps of the last published table, those without any routable task included (the table
     * leaves them out).
     */
    public List<App> apps() {
        return publishedApps;
    }

    /** Stops polling; waits briefly for a poll in progress. Idempotent. */
    @Override
    public void close() {
        ScheduledExecutorService p;
        synchronized (this) {
            closed = true;
            p = poller;
        }
        if (p == null) {
            return;
        }
        p.shutdownNow();
        // From the listener itself (the poll thread), waiting for ourselves would only time out.
        if (Thread.currentThread() != pollerThread) {
            try {
                if (!p.awaitTermination(5, TimeUnit.SECONDS)) {
                    log.warn("Apps file poller for {} did not stop within 5 s", file);
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }

    /** Polls completed so far; lets tests wait for "the poller looked" instead of sleeping. */
    long pollCount() {
        return polls.get();
    }

    /** The poll thread, once started; for tests that check it ends. */
    Thread pollerThread() {
        return pollerThread;
    }

    private void pollSafely() {
        try {
            poll();
        } catch (RuntimeException e) {
            // An exception would silently cancel every later poll of the scheduled executor.
            log.error("Apps file {}: unexpected failure while polling; will retry", file, e);
        } finally {
            polls.incrementAndGet();
        }
    }

    private void poll() {
        if (closed) {
            return;
        }
        byte[] bytes;
        try {
            Stamp stamp = Stamp.of(file);
            long now = System.currentTimeMillis();
            boolean racy = lastStamp != null && lastStampedAt - lastStamp.mtimeMillis() < RACY_WINDOW_MILLIS;
            if (stamp.equals(lastStamp) && !racy) {
                return;
            }
            bytes = Files.readAllBytes(file);
            lastStamp = stamp;
            lastStampedAt = now;
        } catch (IOException e) {
            // Forget what was read, so that the file reappearing is read again whatever its stamp.
            lastStamp = null;
            lastDigest = null;
            failed(e instanceof NoSuchFileException ? "file is missing" : e.toString());
            return;
        }
        byte[] digest = sha256(bytes);
        if (Arrays.equals(digest, lastDigest)) {
            return;
        }
        lastDigest = digest;
        List<App> apps;
        try {
            apps = electionGuard.routedApps(MarathonApps.parse(bytes), options, current);
        } catch (MarathonFormatException e) {
            failed(e.getMessage());
            return;
        }
        if (lastFailure != null) {
            log.info("Apps file {} is valid again", file);
            lastFailure = null;
        }
        if (apps.equals(publishedApps)) {
            log.debug("Apps file {} rewritten; apps unchanged", file);
            return;
        }
        publish(apps);
    }

    private void publish(List<App> apps) {
        if (closed) {
            return;
        }
        RouteTable before = current;
        RouteTable table = AppRoutes.toTable(apps, before.version() + 1);
        RouteTableDiff diff = RouteTableDiff.between(before, table);
        log.info("Apps file {} changed: routes v{} -> v{}: {}{}", file, before.version(), table.version(),
                diff, details(diff));
        // Recorded before the listener runs: a listener that throws is a bug to log, not a reason
        // to rebuild and republish the same table on every poll.
        current = table;
        publishedApps = apps;
        listener.accept(table);
    }

    /** Logs each distinct failure once: a file left broken must not flood the log every poll. */
    private void failed(String reason) {
        if (closed) {
            return;
        }
        if (reason.equals(lastFailure)) {
            log.debug("Apps file {} still unusable: {}", file, reason);
            return;
        }
        lastFailure = reason;
        log.warn("Apps file {} unusable, keeping routes v{}: {}", file, current.version(), reason);
    }

    /** The apps and tasks a diff names, for the one INFO line per table change. */
    static String details(RouteTableDiff diff) {
        StringBuilder sb = new StringBuilder();
        if (!diff.appsAdded().isEmpty()) {
            sb.append("; apps added ").append(diff.appsAdded());
        }
        if (!diff.appsRemoved().isEmpty()) {
            sb.append("; apps removed ").append(diff.appsRemoved());
        }
        if (!diff.tasksAdded().isEmpty()) {
            sb.append("; tasks added ").append(addresses(diff.tasksAdded()));
        }
        if (!diff.tasksRemoved().isEmpty()) {
            sb.append("; tasks removed ").append(addresses(diff.tasksRemoved()));
        }
        return sb.toString();
    }

    private static String addresses(List<Task> tasks) {
        return tasks.stream().map(Task::address).collect(Collectors.joining(", ", "[", "]"));
    }

    private static byte[] sha256(byte[] bytes) {
        try {
            return MessageDigest.getInstance("SHA-256").digest(bytes);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every JVM has SHA-256", e);
        }
    }

    /**
     * What a stat says about the file. The file key (inode) tells an atomic rename-over apart from
     * the old file even when size and mtime match.
     */
    private record Stamp(long mtimeNanos, long size, Object fileKey) {
        static Stamp of(Path file) throws IOException {
            BasicFileAttributes a = Files.readAttributes(file, BasicFileAttributes.class);
            return new Stamp(a.lastModifiedTime().to(TimeUnit.NANOSECONDS), a.size(), a.fileKey());
        }

        long mtimeMillis() {
            return TimeUnit.NANOSECONDS.toMillis(mtimeNanos);
        }
    }
}
