package io.pacer.core;

import java.time.Duration;

/**
 * When a task is taken out of rotation: Nginx's {@code max_fails} and {@code fail_timeout}. A task
 * that fails {@code maxFails} times within {@code failTimeout} is skipped for {@code failTimeout},
 * then gets one live request (a probe) that decides whether it is back.
 *
 * @param maxFails        failures that mark a task; 0 turns failure memory off
 * @param failTimeoutNanos the window failures are counted in, and how long a marked task is skipped
 */
public record FailurePolicy(int maxFails, long failTimeoutNanos) {

    /** Nginx's defaults: one failure takes a task out for 10 seconds. */
    public static final FailurePolicy DEFAULT = new FailurePolicy(1, Duration.ofSeconds(10).toNanos());

    /** Never marks a task. */
    public static final FailurePolicy OFF = new FailurePolicy(0, Duration.ofSeconds(10).toNanos());

    public FailurePolicy {
        if (maxFails < 0) {
            throw new IllegalArgumentException("maxFails must not be negative: " + maxFails);
        }
        if (failTimeoutNanos <= 0) {
            throw new IllegalArgumentException("failTimeout must be positive: " + failTimeoutNanos + " ns");
        }
    }

    public static FailurePolicy of(int maxFails, Duration failTimeout) {
        return new FailurePolicy(maxFails, failTimeout.toNanos());
    }

    public boolean enabled() {
        return maxFails > 0;
    }

    /**
     * Whether an attempt that failed for {@code condition} counts against its task, as Nginx counts
     * an unsuccessful attempt: connection errors, timeouts and invalid heads always; a status only
     * when {@code retry} lists it, and never 403 or 404 (the task answered; the request was wrong).
     */
    public static boolean counts(RetryCondition condition, RetryPolicy retry) {
        switch (condition) {
            case ERROR:
            case TIMEOUT:
            case INVALID_HEADER:
                return true;
            case HTTP_403:
            case HTTP_404:
                return false;
            default:
                return retry.retries(condition);
        }
    }
}
