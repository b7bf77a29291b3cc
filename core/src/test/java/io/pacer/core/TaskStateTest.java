package io.pacer.core;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;

class TaskStateTest {

    private static final long S = Duration.ofSeconds(1).toNanos();
    private static final FailurePolicy NGINX = FailurePolicy.DEFAULT; // max_fails=1 fail_timeout=10s
    private final TaskState state = new TaskState(new Task("t1", "10.0.0.1", 31000));

    @Test
    void oneFailureMarksTheTaskForFailTimeoutThenOneProbeGetsThrough() {
        long t0 = 1_000 * S;
        assertTrue(state.tryAcquire(t0, NGINX));
        assertEquals(TaskState.Change.MARKED, state.failed(t0, NGINX));
        assertTrue(state.skipped(t0 + 9 * S));
        assertFalse(state.tryAcquire(t0 + 9 * S, NGINX), "skipped within fail_timeout");
        long later = t0 + 10 * S;
        assertFalse(state.skipped(later));
        assertTrue(state.tryAcquire(later, NGINX), "the first request after fail_timeout is the probe");
        assertFalse(state.tryAcquire(later, NGINX), "only one probe at a time");
        assertTrue(state.skipped(later + S), "others keep skipping it while the probe is out");
        assertEquals(TaskState.Change.RETURNED, state.succeeded());
        assertFalse(state.marked());
        assertTrue(state.tryAcquire(later + S, NGINX));
        assertEquals(0, state.recentFailures());
    }

    @Test
    void aFailedProbeMarksAgainWithoutAnnouncingItTwice() {
        long t0 = 5 * S;
        assertEquals(TaskState.Change.MARKED, state.failed(t0, NGINX));
        assertTrue(state.tryAcquire(t0 + 10 * S, NGINX));
        assertEquals(TaskState.Change.NONE, state.failed(t0 + 11 * S, NGINX));
        assertTrue(state.skipped(t0 + 20 * S), "marked for a new fail_timeout from the failed probe");
        assertFalse(state.skipped(t0 + 21 * S));
    }

    @Test
    void failuresCountWithinTheWindowOnly() {
        FailurePolicy three = FailurePolicy.of(3, Duration.ofSeconds(10));
        long t0 = 100 * S;
        assertEquals(TaskState.Change.NONE, state.failed(t0, three));
        assertEquals(TaskState.Change.NONE, state.failed(t0 + S, three));
        // The window started at t0: a failure 11 s later starts a new one.
        assertEquals(TaskState.Change.NONE, state.failed(t0 + 11 * S, three));
        assertEquals(1, state.recentFailures());
        assertEquals(TaskState.Change.NONE, state.failed(t0 + 12 * S, three));
        assertEquals(TaskState.Change.MARKED, state.failed(t0 + 13 * S, three));
        assertTrue(state.skipped(t0 + 14 * S));
    }

    @Test
    void aSuccessStartsTheCountOver() {
        FailurePolicy two = FailurePolicy.of(2, Duration.ofSeconds(10));
        state.failed(S, two);
        assertEquals(TaskState.Change.NONE, state.succeeded());
        assertEquals(TaskState.Change.NONE, state.failed(2 * S, two));
        assertFalse(state.marked());
    }

    @Test
    void maxFailsZeroNeverMarks() {
        for (int i = 0; i < 10; i++) {
            assertEquals(TaskState.Change.NONE, state.failed(i * S, FailurePolicy.OFF));
        }
        assertFalse(state.marked());
        assertTrue(state.tryAcquire(10 * S, FailurePolicy.OFF));
    }

    @Test
    void aDeadlineOfZeroStillMeansMarked() {
        // nanoTime may be negative: now + fail_timeout can land on 0, the "not marked" value.
        assertEquals(TaskState.Change.MARKED, state.failed(-10 * S, NGINX));
        assertTrue(state.marked());
        assertTrue(state.skipped(-S));
    }

    @Test
    void inFlightCountsFromEveryThread() throws Exception {
        AtomicInteger errors = new AtomicInteger();
        Thread[] threads = IntStream.range(0, 4).mapToObj(i -> new Thread(() -> {
            try {
                for (int k = 0; k < 10_000; k++) {
                    state.attemptStarted();
                    state.attemptEnded();
                }
                state.attemptStarted();
            } catch (Throwable t) {
                errors.incrementAndGet();
            }
        })).toArray(Thread[]::new);
        for (Thread t : threads) {
            t.start();
        }
        for (Thread t : threads) {
            t.join();
        }
        assertEquals(0, errors.get());
        assertEquals(4, state.inFlight());
    }

    @Test
    void countsFollowNginxRules() {
        RetryPolicy seed = RetryPolicy.defaults();
        assertTrue(FailurePolicy.counts(RetryCondition.ERROR, seed));
        assertTrue(FailurePolicy.counts(RetryCondition.TIMEOUT, seed));
        assertTrue(FailurePolicy.counts(RetryCondition.INVALID_HEADER, seed));
        assertTrue(FailurePolicy.counts(RetryCondition.HTTP_503, seed));
        assertFalse(FailurePolicy.counts(RetryCondition.HTTP_429, seed), "not listed");
        RetryPolicy all = new RetryPolicy(java.util.EnumSet.allOf(RetryCondition.class), false, 0, 0);
        assertFalse(FailurePolicy.counts(RetryCondition.HTTP_404, all), "a 404 is the request's fault");
        assertFalse(FailurePolicy.counts(RetryCondition.HTTP_403, all));
        RetryPolicy off = new RetryPolicy(java.util.Set.of(), false, 0, 0);
        assertTrue(FailurePolicy.counts(RetryCondition.ERROR, off), "a refused connection always counts");
        assertFalse(FailurePolicy.counts(RetryCondition.HTTP_502, off));
    }
}
