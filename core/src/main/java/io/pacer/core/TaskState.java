package io.pacer.core;

import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

/**
 * What the data plane remembers about one task across requests and route table swaps: requests in
 * flight (for least-request balancing) and recent failures (for Nginx's {@code max_fails} /
 * {@code fail_timeout}). Shared by every event loop.
 *
 * <p>Threading: the hot path (choosing a task, a success) reads volatile fields and takes no lock;
 * a failure, which is rare, updates the failure window under this object's monitor. Time is passed
 * in as {@link System#nanoTime()} values so the rules can be tested without waiting.
 */
public final class TaskState {

    /** How a failure or a success changed the task's standing, for logging once per change. */
    public enum Change {
        /** Nothing an operator needs to hear about. */
        NONE,
        /** The task reached {@code max_fails} and is skipped from now on. */
        MARKED,
        /** A marked task answered well again and is back in rotation. */
        RETURNED
    }

    private final Task task;
    private final AtomicInteger inFlight = new AtomicInteger();
    /** 0 while the task takes traffic; else the nanoTime until which it is skipped. */
    private final AtomicLong markedUntil = new AtomicLong();
    /** Failures in the current window; read without the lock only to skip work on success. */
    private volatile int fails;
    /** Guarded by {@code this}. */
    private long windowStart;
    private volatile long lastFailureNanos;

    public TaskState(Task task) {
        this.task = task;
    }

    public Task task() {
        return task;
    }

    // ---- in flight -----------------------------------------------------------------------------

    public void attemptStarted() {
        inFlight.incrementAndGet();
    }

    public void attemptEnded() {
        inFlight.decrementAndGet();
    }

    public int inFlight() {
        return inFlight.get();
    }

    // ---- failure memory ------------------------------------------------------------------------

    /** Whether the task is out of rotation at {@code now} (marked, and its time not yet up). */
    public boolean skipped(long now) {
        long until = markedUntil.get();
        return until != 0 && now - until < 0;
    }

    /** Whether the task is marked, including a mark whose time is up and that awaits its probe. */
    public boolean marked() {
        return markedUntil.get() != 0;
    }

    /** The nanoTime at which a marked task gets its next probe; 0 when not marked. */
    public long markedUntil() {
        return markedUntil.get();
    }

    /** Failures counted in the current window. */
    public int recentFailures() {
        return fails;
    }

    /** nanoTime of the last failure counted; meaningful only when {@link #recentFailures()} is not 0. */
    public long lastFailureNanos() {
        return lastFailureNanos;
    }

    /**
     * Whether a request may go to this task at {@code now}: it is not marked, or its mark has run
     * out and this caller wins the one probe, which pushes the mark out by {@code failTimeout} so
     * that the other requests keep skipping the task until the probe has answered.
     */
    public boolean tryAcquire(long now, FailurePolicy policy) {
        long until = markedUntil.get();
        if (until == 0) {
            return true;
        }
        if (now - until < 0) {
            return false;
        }
        return markedUntil.compareAndSet(until, markOf(now + policy.failTimeoutNanos()));
    }

    /** Counts a failed attempt; {@link Change#MARKED} when this one took the task out of rotation. */
    public Change failed(long now, FailurePolicy policy) {
        if (!policy.enabled()) {
            return Change.NONE;
        }
        synchronized (this) {
            lastFailureNanos = now;
            int f = fails;
            if (f == 0 || now - windowStart > policy.failTimeoutNanos()) {
                windowStart = now;
                f = 0;
            }
            fails = ++f;
            if (f < policy.maxFails()) {
                return Change.NONE;
            }
            // A failed probe marks it again, but the task never was back: no new announcement.
            boolean wasMarked = markedUntil.getAndSet(markOf(now + policy.failTimeoutNanos())) != 0;
            return wasMarked ? Change.NONE : Change.MARKED;
        }
    }

    /** Counts a good answer: the failure window starts over; {@link Change#RETURNED} when the task was marked. */
    public Change succeeded() {
        if (fails == 0 && markedUntil.get() == 0) {
            return Change.NONE; // the common case: two volatile reads, no write
        }
        synchronized (this) {
            fails = 0;
            return markedUntil.getAndSet(0) != 0 ? Change.RETURNED : Change.NONE;
        }
    }

    /** 0 means "not marked", so a deadline that happens to be 0 is nudged to 1. */
    private static long markOf(long deadline) {
        return deadline == 0 ? 1 : deadline;
    }

    @Override
    public String toString() {
        return "TaskState{" + task.address() + " inFlight=" + inFlight.get() + " fails=" + fails
                + (marked() ? " marked" : "") + "}";
    }
}
