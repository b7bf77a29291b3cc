package io.pacer.proxy.testing;

import java.time.Duration;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import java.util.function.BooleanSupplier;
import java.util.function.Supplier;

/** Waits for a condition with a deadline, for state that offers nothing to block on (counters, flags). */
public final class Await {

    private Await() { }

    /**
     * Returns as soon as {@code condition} holds; throws {@link AssertionError} naming
     * {@code description} if it still does not after {@code timeout}. Checks every millisecond or so.
     */
    public static void until(Duration timeout, BooleanSupplier condition, String description) {
        until(timeout, condition, () -> description);
    }

    /** As {@link #until(Duration, BooleanSupplier, String)}; the description is computed on failure only. */
    public static void until(Duration timeout, BooleanSupplier condition, Supplier<String> description) {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (!condition.getAsBoolean()) {
            long left = deadline - System.nanoTime();
            if (left <= 0) {
                throw new AssertionError("timed out after " + timeout.toMillis() + " ms waiting for: "
                        + description.get());
            }
            LockSupport.parkNanos(Math.min(left, TimeUnit.MILLISECONDS.toNanos(1)));
            if (Thread.interrupted()) {
                Thread.currentThread().interrupt();
                throw new AssertionError("interrupted while waiting for: " + description.get());
            }
        }
    }
}
