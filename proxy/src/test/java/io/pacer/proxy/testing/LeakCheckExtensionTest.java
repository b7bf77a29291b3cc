package io.pacer.proxy.testing;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.PooledByteBufAllocator;
import io.netty.util.ResourceLeakDetector;
import java.time.Duration;
import java.util.List;
import java.util.UUID;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledIfSystemProperty;

/**
 * Proves that {@link LeakCheckExtension} sees leaks: each test leaks a buffer on purpose, waits
 * until the extension recorded it, checks the record, and clears it so this class passes.
 */
class LeakCheckExtensionTest {

    private static final Duration TIMEOUT = Duration.ofSeconds(30);

    /** Allocates a buffer, marks it with {@code marker}, and drops it without releasing it. */
    private static void leakABuffer(ByteBufAllocator allocator, String marker) {
        ByteBuf leaked = allocator.directBuffer(64);
        leaked.writeBytes(new byte[16]);
        leaked.touch(marker);
    }

    private static List<LeakCheckExtension.Leak> awaitLeakMarked(String marker) {
        return LeakCheckExtension.awaitLeaks(TIMEOUT, leak -> leak.records().contains(marker));
    }

    @Test
    void theRecordingDetectorTracksEveryBuffer() {
        assertTrue(LeakCheckExtension.isRecording());
        assertTrue(LeakCheckExtension.recordingDetectorInstalled(),
                "the extension must install its detector before Netty's buffers are first used");
        assertEquals(ResourceLeakDetector.Level.PARANOID, ResourceLeakDetector.getLevel());
    }

    @Test
    void aDeliberatelyLeakedBufferIsReportedWithWhereAndWhen() {
        String marker = "deliberate-leak-" + UUID.randomUUID();
        leakABuffer(ByteBufAllocator.DEFAULT, marker);

        List<LeakCheckExtension.Leak> found = awaitLeakMarked(marker);
        try {
            assertEquals(1, found.size(), "one leak carries the marker: " + found);
            LeakCheckExtension.Leak leak = found.get(0);
            assertEquals("ByteBuf", leak.resourceType());
            assertTrue(leak.records().contains("leakABuffer"), "the record shows where it was allocated");
            assertTrue(leak.records().contains("aDeliberatelyLeakedBufferIsReportedWithWhereAndWhen"),
                    "the hint names the running test: " + leak.records());
        } finally {
            LeakCheckExtension.clear(found);
        }
        assertTrue(LeakCheckExtension.recordedLeaks().stream().noneMatch(l -> l.records().contains(marker)));
    }

    @Test
    void leaksFromPooledAllocatorsAndOtherThreadsAreReportedToo() throws Exception {
        String marker = "pooled-leak-on-another-thread-" + UUID.randomUUID();
        Thread t = new Thread(() -> leakABuffer(PooledByteBufAllocator.DEFAULT, marker), "leaker");
        t.start();
        t.join(TIMEOUT.toMillis());
        assertFalse(t.isAlive());

        List<LeakCheckExtension.Leak> found = awaitLeakMarked(marker);
        LeakCheckExtension.clear(found);
        assertEquals(1, found.size(), "one leak carries the marker");
    }

    @Test
    void theClassCheckFailsListingTheLeakThenForgetsIt() {
        String marker = "failing-leak-" + UUID.randomUUID();
        leakABuffer(ByteBufAllocator.DEFAULT, marker);
        List<LeakCheckExtension.Leak> found = awaitLeakMarked(marker);
        assertEquals(1, found.size(), "the leak must be recorded before the class check runs");

        AssertionError failure = assertThrows(AssertionError.class, () -> LeakCheckExtension.assertNoLeaks("demo"));
        assertTrue(failure.getMessage().contains("leak(s) detected in demo"), failure.getMessage());
        assertTrue(failure.getMessage().contains(marker), "the failure prints the records");

        assertTrue(LeakCheckExtension.recordedLeaks().stream().noneMatch(l -> l.records().contains(marker)),
                "a reported leak is cleared, so it fails one class only");
        LeakCheckExtension.assertNoLeaks("after clearing");
    }

    @Test
    void releasedBuffersAreNoLeak() {
        String marker = "released-" + UUID.randomUUID();
        for (int i = 0; i < 100; i++) {
            ByteBuf buf = ByteBufAllocator.DEFAULT.directBuffer(64);
            buf.touch(marker);
            buf.release();
        }
        assertTrue(LeakCheckExtension.detectLeaks().stream().noneMatch(l -> l.records().contains(marker)));
    }

    /**
     * Off by default. Run with {@code -Dpacer.leakcheck.demo=true} to see the extension fail this
     * class with a leak report after the test below passes.
     */
    @Nested
    @EnabledIfSystemProperty(named = "pacer.leakcheck.demo", matches = "true")
    class DemoALeakFailsTheClass {
        @Test
        void leaksOneBuffer() {
            leakABuffer(ByteBufAllocator.DEFAULT, "demo leak, expected to fail LeakCheckExtensionTest");
        }
    }
}
