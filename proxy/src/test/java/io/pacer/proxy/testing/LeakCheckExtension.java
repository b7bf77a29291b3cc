package io.pacer.proxy.testing;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.PooledByteBufAllocator;
import io.netty.util.ResourceLeakDetector;
import io.netty.util.ResourceLeakDetectorFactory;
import java.lang.ref.Reference;
import java.lang.ref.ReferenceQueue;
import java.lang.ref.WeakReference;
import java.lang.reflect.Field;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Predicate;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.AfterEachCallback;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.BeforeEachCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * Fails a test class that leaked a Netty buffer.
 *
 * <p>Registered for every test of the module through {@code META-INF/services} and
 * {@code junit-platform.properties}. When this class is loaded (at engine start, before any test
 * allocates a buffer) it installs a {@link ResourceLeakDetectorFactory} whose detectors record every
 * leak Netty reports instead of only logging it. Netty finds a leak when the garbage collector has
 * collected a buffer that was never released, and reports it on a later tracked allocation; so after
 * each top-level test class this extension runs the collector (waiting until reference processing
 * really happened), allocates and releases a few buffers, and fails the class when anything was
 * recorded, printing Netty's records. Every tracked allocation carries a hint naming the test that
 * was running, so the report says which test allocated the leaked buffer.
 *
 * <p>Tests run with {@code -Dio.netty.leakDetection.level=PARANOID} (root pom), so every buffer is
 * tracked and its accesses are recorded. If the level was not set at all (a run from an IDE), the
 * extension turns PARANOID on itself.
 */
public final class LeakCheckExtension implements BeforeAllCallback, BeforeEachCallback, AfterEachCallback,
        AfterAllCallback {

    /** One leak Netty reported: the resource type and Netty's access records (creation stack included). */
    public record Leak(String resourceType, String records) {
        @Override
        public String toString() {
            return "LEAK of " + resourceType + ":" + records;
        }
    }

    private static final List<Leak> LEAKS = new CopyOnWriteArrayList<>();
    private static final AtomicLong ALLOCATIONS = new AtomicLong();
    private static volatile String running = "(no test running)";
    private static volatile boolean byteBufDetectorIsOurs;
    private static final boolean LISTENING;

    static {
        if (System.getProperty("io.netty.leakDetection.level") == null
                && System.getProperty("io.netty.leakDetectionLevel") == null) {
            ResourceLeakDetector.setLevel(ResourceLeakDetector.Level.PARANOID);
        }
        ResourceLeakDetectorFactory.setResourceLeakDetectorFactory(new RecordingFactory());
        // Initializes AbstractByteBuf now: its detector is created once, from the factory installed above.
        PooledByteBufAllocator.DEFAULT.heapBuffer(1).release();
        LISTENING = byteBufDetectorIsOurs || listenToTheExistingDetector();
    }

    public LeakCheckExtension() { }

    /**
     * Whether buffer leaks are recorded: by our own detector (the normal case), or, when Netty's
     * buffers were initialized before this extension could install it, through a listener on
     * Netty's detector (which then reports each distinct leak only once per JVM).
     */
    public static boolean isRecording() {
        return LISTENING;
    }

    /** Whether {@link ByteBuf}s are tracked by the recording detector this extension installed. */
    public static boolean recordingDetectorInstalled() {
        return byteBufDetectorIsOurs;
    }

    @Override
    public void beforeAll(ExtensionContext context) {
        running = context.getRequiredTestClass().getName() + " (class setup)";
    }

    @Override
    public void beforeEach(ExtensionContext context) {
        running = context.getRequiredTestClass().getName() + "#" + context.getRequiredTestMethod().getName()
                + " [" + context.getDisplayName() + "]";
    }

    @Override
    public void afterEach(ExtensionContext context) {
        running = context.getRequiredTestClass().getName() + " (after " + context.getDisplayName() + ")";
    }

    @Override
    public void afterAll(ExtensionContext context) {
        Class<?> testClass = context.getRequiredTestClass();
        running = testClass.getName() + " (class teardown)";
        if (testClass.isAnnotationPresent(Nested.class)) {
            return; // checked once, when the outermost class is done
        }
        try {
            assertNoLeaks(testClass.getName());
        } finally {
            running = "(between test classes)";
        }
    }

    /**
     * Runs leak detection and fails, listing every leak recorded so far, if there is any. The leaks
     * are cleared, so one leak fails one class only.
     */
    public static void assertNoLeaks(String scope) {
        List<Leak> leaks = detectLeaks();
        if (leaks.isEmpty()) {
            return;
        }
        LEAKS.removeAll(leaks);
        StringBuilder message = new StringBuilder()
                .append(leaks.size()).append(" Netty buffer leak(s) detected in ").append(scope)
                .append(". Each record below shows where the buffer was created and last accessed;")
                .append(" the hint names the test that was running when it was allocated.\n");
        for (int i = 0; i < leaks.size(); i++) {
            message.append("\n#").append(i + 1).append(' ').append(leaks.get(i)).append('\n');
        }
        System.err.println(message);
        throw new AssertionError(message.toString());
    }

    /**
     * Makes Netty report the leaks it can find now: runs the garbage collector until reference
     * processing happened, then allocates buffers (Netty reports leaks on allocation). Returns every
     * leak recorded and not yet cleared.
     */
    public static List<Leak> detectLeaks() {
        for (int round = 0; round < 3; round++) {
            awaitGarbageCollection(Duration.ofSeconds(5));
            triggerReports();
        }
        return List.copyOf(LEAKS);
    }

    /**
     * Repeats {@link #detectLeaks()} until a recorded leak matches {@code which} or the timeout
     * passes; returns the matching leaks (empty on timeout). They stay recorded.
     */
    public static List<Leak> awaitLeaks(Duration timeout, Predicate<Leak> which) {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (true) {
            List<Leak> matching = new ArrayList<>();
            for (Leak leak : detectLeaks()) {
                if (which.test(leak)) {
                    matching.add(leak);
                }
            }
            if (!matching.isEmpty() || System.nanoTime() - deadline >= 0) {
                return matching;
            }
        }
    }

    /** Every leak recorded and not yet cleared, without running detection. */
    public static List<Leak> recordedLeaks() {
        return List.copyOf(LEAKS);
    }

    /** Forgets {@code leaks}: for tests that leak on purpose. */
    public static void clear(List<Leak> leaks) {
        LEAKS.removeAll(leaks);
    }

    private static void awaitGarbageCollection(Duration timeout) {
        ReferenceQueue<Object> queue = new ReferenceQueue<>();
        WeakReference<Object> sentinel = new WeakReference<>(new Object(), queue);
        long deadline = System.nanoTime() + timeout.toNanos();
        try {
            while (System.nanoTime() - deadline < 0) {
                System.gc();
                if (queue.remove(50) != null) {
                    return; // this collection's references were processed and enqueued
                }
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } finally {
            Reference.reachabilityFence(sentinel);
        }
    }

    private static void triggerReports() {
        // At PARANOID every tracked allocation drains the detector's queue; at lower levels only a
        // sampled one does, so allocate enough to be sampled.
        int allocations = ResourceLeakDetector.getLevel() == ResourceLeakDetector.Level.PARANOID ? 2 : 2048;
        for (int i = 0; i < allocations; i++) {
            PooledByteBufAllocator.DEFAULT.directBuffer(1).release();
            ByteBufAllocator.DEFAULT.directBuffer(1).release();
        }
    }

    private static boolean listenToTheExistingDetector() {
        try {
            Class<?> type = Class.forName("io.netty.buffer.AbstractByteBuf");
            Field field = type.getDeclaredField("leakDetector");
            field.setAccessible(true);
            ResourceLeakDetector<?> detector = (ResourceLeakDetector<?>) field.get(null);
            detector.setLeakListener((resourceType, records) -> LEAKS.add(new Leak(resourceType, records)));
            System.err.println("LeakCheckExtension: Netty buffers were initialized before the extension; "
                    + "listening to Netty's own leak detector instead");
            return true;
        } catch (ReflectiveOperationException | RuntimeException e) {
            System.err.println("LeakCheckExtension: cannot record buffer leaks: " + e);
            return false;
        }
    }

    /** Names the test that allocated a buffer, in Netty's records; also makes each record unique. */
    private record AllocationHint(String test, long number) {
        @Override
        public String toString() {
            return "allocated while running " + test + " (tracked allocation #" + number + ")";
        }
    }

    private static final class RecordingFactory extends ResourceLeakDetectorFactory {
        @Override
        @SuppressWarnings("deprecation")
        public <T> ResourceLeakDetector<T> newResourceLeakDetector(Class<T> resource, int samplingInterval,
                                                                   long maxActive) {
            return newResourceLeakDetector(resource, samplingInterval);
        }

        @Override
        public <T> ResourceLeakDetector<T> newResourceLeakDetector(Class<T> resource, int samplingInterval) {
            if (resource == ByteBuf.class) {
                byteBufDetectorIsOurs = true;
            }
            return new RecordingDetector<>(resource, samplingInterval);
        }
    }

    private static final class RecordingDetector<T> extends ResourceLeakDetector<T> {
        RecordingDetector(Class<?> resourceType, int samplingInterval) {
            super(resourceType, samplingInterval);
        }

        @Override
        protected boolean needReport() {
            return true; // record even when logging is off
        }

        @Override
        protected Object getInitialHint(String resourceType) {
            return new AllocationHint(running, ALLOCATIONS.incrementAndGet());
        }

        @Override
        protected void reportTracedLeak(String resourceType, String records) {
            LEAKS.add(new Leak(resourceType, records));
            super.reportTracedLeak(resourceType, records);
        }

        @Override
        protected void reportUntracedLeak(String resourceType) {
            LEAKS.add(new Leak(resourceType, " (no records: run with -Dio.netty.leakDetection.level=PARANOID"
                    + " to see where it was allocated)"));
            super.reportUntracedLeak(resourceType);
        }
    }
}
