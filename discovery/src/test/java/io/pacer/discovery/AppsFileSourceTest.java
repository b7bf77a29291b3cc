package io.pacer.discovery;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.pacer.core.App;
import io.pacer.core.RouteTable;
import io.pacer.core.Task;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.FileTime;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class AppsFileSourceTest {

    private static final Duration POLL = Duration.ofMillis(50);
    private static final long DEADLINE_MILLIS = 10_000;

    @TempDir
    Path dir;

    private final BlockingQueue<RouteTable> published = new LinkedBlockingQueue<>();

    private AppsFileSource source(Path file) {
        return new AppsFileSource(file, published::add, RouteOptions.defaults(), POLL);
    }

    private Path file(String fixture) throws IOException {
        Path file = dir.resolve("apps.json");
        Files.write(file, Fixtures.bytes(fixture));
        return file;
    }

    /** Replaces the file the way editors and config management do: write aside, rename over. */
    private void replace(Path file, byte[] content) throws IOException {
        Path tmp = Files.createTempFile(dir, "apps", ".tmp");
        Files.write(tmp, content);
        Files.move(tmp, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
    }

    private RouteTable next() throws InterruptedException {
        RouteTable table = published.poll(DEADLINE_MILLIS, TimeUnit.MILLISECONDS);
        assertNotNull(table, "no table published within " + DEADLINE_MILLIS + " ms");
        return table;
    }

    private static void await(String what, BooleanSupplier condition) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(DEADLINE_MILLIS);
        while (!condition.getAsBoolean()) {
            assertTrue(System.nanoTime() < deadline, "timed out waiting until " + what);
            Thread.sleep(5);
        }
    }

    /**
     * Waits until the poller has certainly looked at the file as it is now: a poll under way when
     * this is called may have read it before, the one after cannot have.
     */
    private static void awaitFullPolls(AppsFileSource source, int polls) throws InterruptedException {
        long target = source.pollCount() + polls + 1;
        await("the poller ran " + polls + " more times", () -> source.pollCount() >= target);
    }

    private static List<String> ids(List<App> apps) {
        return apps.stream().map(App::id).toList();
    }

    @Test
    void startPublishesTheFilesTableAsVersionOne() throws Exception {
        try (AppsFileSource source = source(file("apps-small.json"))) {
            source.start();

            RouteTable table = published.poll();
            assertNotNull(table, "start() publishes before it returns");
            assertEquals(1, table.version());
            assertSame(table, source.current());
            assertEquals(List.of("/web/", "/www/"), List.copyOf(table.routes().keySet()));
            assertEquals(List.of(new Task("web-1", "10.3.0.1", 34001)), table.lookup("/www/x").app().tasks());
            assertEquals(List.of("/web"), ids(source.apps()));
        }
    }

    @Test
    void startFailsWhenTheFileIsMissing() {
        try (AppsFileSource source = source(dir.resolve("absent.json"))) {
            assertThrows(NoSuchFileException.class, source::start);
            assertTrue(published.isEmpty());
        }
    }

    @Test
    void startFailsWhenTheFileIsNotAnAppList() throws Exception {
        Path file = dir.resolve("apps.json");
        for (byte[] body : List.of(Fixtures.bytes("error-message.json"), Fixtures.bytes("error-page.html"),
                Arrays.copyOf(Fixtures.bytes("apps-small.json"), 100), new byte[0])) {
            Files.write(file, body);
            try (AppsFileSource source = source(file)) {
                MarathonFormatException e = assertThrows(MarathonFormatException.class, source::start);
                assertTrue(e.getMessage().contains(file.toString()), e.getMessage());
            }
        }
        assertTrue(published.isEmpty());
    }

    @Test
    void atomicReplacementIsPublishedWithTheNextVersion() throws Exception {
        Path file = file("apps-small.json");
        try (AppsFileSource source = source(file)) {
            source.start();
            assertEquals(1, next().version());

            replace(file, Fixtures.bytes("apps-small-scaled.json"));

            RouteTable table = next();
            assertEquals(2, table.version());
            assertEquals(List.of("/web", "/api"), ids(table.apps()));
            assertEquals(2, table.lookup("/web/").app().tasks().size());
            assertSame(table, source.current());
        }
    }

    @Test
    void inPlaceRewriteIsPublished() throws Exception {
        Path file = file("apps-small.json");
        try (AppsFileSource source = source(file)) {
            source.start();
            next();

            Files.write(file, Fixtures.bytes("apps-small-scaled.json"));
            assertEquals(2, next().version());

            Files.write(file, Fixtures.bytes("apps-small.json"));
            RouteTable back = next();
            assertEquals(3, back.version());
            assertEquals(List.of("/web"), ids(back.apps()));
        }
    }

    @Test
    void sameSizeRewriteWithinOneTimestampTickIsSeen() throws Exception {
        Path file = file("apps-small.json");
        FileTime mtime = Files.getLastModifiedTime(file);
        String original = new String(Fixtures.bytes("apps-small.json"), StandardCharsets.UTF_8);
        byte[] edited = original.replace("34001", "34009").getBytes(StandardCharsets.UTF_8);
        try (AppsFileSource source = source(file)) {
            source.start();
            next();

            // What a coarse file system clock shows: same size, same mtime, same inode.
            Files.write(file, edited);
            Files.setLastModifiedTime(file, mtime);

            RouteTable table = next();
            assertEquals(2, table.version());
            assertEquals(34009, table.lookup("/web/").app().tasks().get(0).port());
        }
    }

    @Test
    void rewriteWithTheSameModelPublishesNothing() throws Exception {
        byte[] original = Fixtures.bytes("apps-small.json");
        Path file = file("apps-small.json");
        try (AppsFileSource source = source(file)) {
            source.start();
            next();

            // Same bytes, new mtime; then other bytes (compact JSON) describing the same apps.
            Files.write(file, original);
            awaitFullPolls(source, 2);
            ObjectMapper json = new ObjectMapper();
            replace(file, json.writeValueAsBytes(json.readTree(original)));
            awaitFullPolls(source, 2);
            assertNull(published.poll(), "nothing changed, nothing published");

            replace(file, Fixtures.bytes("apps-small-scaled.json"));
            assertEquals(2, next().version(), "no version was spent on the rewrites");
        }
    }

    @Test
    void brokenFileKeepsTheLastTableUntilFixed() throws Exception {
        Path file = file("apps-small.json");
        try (LogCapture logs = LogCapture.of(AppsFileSource.class);
             AppsFileSource source = source(file)) {
            source.start();
            RouteTable good = next();

            // Atomic replacements, so that no poll sees a half-written file: that would be a
            // fourth distinct failure.
            replace(file, Arrays.copyOf(Fixtures.bytes("apps-small-scaled.json"), 300));
            awaitFullPolls(source, 3);
            replace(file, Fixtures.bytes("error-message.json"));
            awaitFullPolls(source, 3);
            Files.delete(file);
            awaitFullPolls(source, 3);

            assertNull(published.poll(), "a broken file publishes nothing");
            assertSame(good, source.current());
            List<String> warnings = logs.warnings();
            assertEquals(3, warnings.size(), "one warning per distinct failure: " + warnings);
            assertTrue(warnings.get(0).contains("not valid JSON"), warnings.get(0));
            assertTrue(warnings.get(1).contains("Could not determine the current leader"), warnings.get(1));
            assertTrue(warnings.get(2).contains("missing"), warnings.get(2));

            replace(file, Fixtures.bytes("apps-small-scaled.json"));
            RouteTable fixed = next();
            assertEquals(2, fixed.version());
            assertEquals(List.of("/web", "/api"), ids(fixed.apps()));
        }
    }

    @Test
    void restoringTheLastGoodContentAfterAFailurePublishesNothing() throws Exception {
        Path file = file("apps-small.json");
        try (AppsFileSource source = source(file)) {
            source.start();
            next();

            Files.write(file, "{\"apps\":[".getBytes());
            awaitFullPolls(source, 2);
            Files.write(file, Fixtures.bytes("apps-small.json"));
            awaitFullPolls(source, 2);
            assertNull(published.poll());

            replace(file, Fixtures.bytes("apps-small-scaled.json"));
            assertEquals(2, next().version());
        }
    }

    @Test
    void aFailingListenerDoesNotStopPolling() throws Exception {
        Path file = file("apps-small.json");
        Consumer listener = new Consumer();
        try (AppsFileSource source = new AppsFileSource(file, listener, RouteOptions.defaults(), POLL)) {
            source.start();
            assertEquals(1, next().version());
            listener.fail = true;
            replace(file, Fixtures.bytes("apps-small-scaled.json"));
            assertEquals(2, next().version());

            listener.fail = false;
            replace(file, Fixtures.bytes("apps-small.json"));
            assertEquals(3, next().version());
        }
    }

    @Test
    void realmAppliesToTheFile() throws Exception {
        Path file = file("apps-labels.json");
        try (AppsFileSource source = new AppsFileSource(file, published::add, new RouteOptions("internal"), POLL)) {
            source.start();
            assertEquals(List.of("/shop/admin"), ids(next().apps()));
        }
    }

    @Test
    void closeStopsPolling() throws Exception {
        Path file = file("apps-small.json");
        AppsFileSource source = source(file);
        source.start();
        next();
        awaitFullPolls(source, 1);
        Thread poller = source.pollerThread();
        assertNotNull(poller);
        assertEquals(AppsFileSource.THREAD_NAME, poller.getName());
        assertTrue(poller.isDaemon());

        source.close();
        await("the poll thread ended", () -> !poller.isAlive());
        long polls = source.pollCount();
        replace(file, Fixtures.bytes("apps-small-scaled.json"));

        // With its only thread gone nothing can poll any more; no waiting is needed to know it.
        assertEquals(polls, source.pollCount());
        assertTrue(published.isEmpty());
        source.close();
        assertThrows(IllegalStateException.class, source::start);
    }

    @Test
    void startTwiceIsRefused() throws Exception {
        try (AppsFileSource source = source(file("apps-small.json"))) {
            source.start();
            assertThrows(IllegalStateException.class, source::start);
        }
    }

    @Test
    void pollIntervalMustBePositive() {
        assertThrows(IllegalArgumentException.class,
                () -> new AppsFileSource(dir.resolve("x"), t -> { }, RouteOptions.defaults(), Duration.ZERO));
    }

    /** Records every table and throws after recording while {@code fail} is set. */
    private final class Consumer implements java.util.function.Consumer<RouteTable> {
        volatile boolean fail;

        @Override
        public void accept(RouteTable table) {
            published.add(table);
            if (fail) {
                throw new IllegalStateException("listener failure (expected by the test)");
            }
        }
    }
}
