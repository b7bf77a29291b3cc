package io.pacer.discovery;

import java.time.Duration;
import java.util.concurrent.Callable;
import java.util.concurrent.Future;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.LongAdder;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The one thread on which a {@link MarathonSource}'s state lives: every part (endpoint failover,
 * event stream, sync loop, model) is touched only from tasks run here, so none of them locks.
 *
 * <p>Every task runs under a catch of {@code Throwable}: an {@code Error} (the heap running out
 * while a large answer is parsed) is logged and counted and the loop goes on, instead of killing
 * a periodic task silently or vanishing into a future nobody reads.
 */
final class DiscoveryLoop implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(DiscoveryLoop.class);

    private final ScheduledThreadPoolExecutor executor;
    private final LongAdder unexpectedErrors = new LongAdder();
    private volatile Thread thread;
    private volatile boolean closed;

    DiscoveryLoop(String threadName) {
        executor = new ScheduledThreadPoolExecutor(1, r -> {
            Thread t = new Thread(r, threadName);
            t.setDaemon(true);
            thread = t;
            return t;
        });
        executor.setRemoveOnCancelPolicy(true);
        executor.setExecuteExistingDelayedTasksAfterShutdownPolicy(false);
    }

    /** Runs {@code task} on the loop soon; dropped once closed. */
    void post(Runnable task) {
        try {
            executor.execute(safely(task));
        } catch (RejectedExecutionException e) {
            // Closed: nothing to do any more.
        }
    }

    /** Runs {@code task} on the loop after {@code delayNanos}; {@code null} once closed. */
    Future<?> schedule(Runnable task, long delayNanos) {
        try {
            return executor.schedule(safely(task), delayNanos, TimeUnit.NANOSECONDS);
        } catch (RejectedExecutionException e) {
            return null;
        }
    }

    /** Runs {@code task} every {@code period}, the first time after {@code initialNanos}. */
    void every(Runnable task, long initialNanos, Duration period) {
        try {
            executor.scheduleWithFixedDelay(safely(task), initialNanos, period.toNanos(), TimeUnit.NANOSECONDS);
        } catch (RejectedExecutionException e) {
            // Closed.
        }
    }

    /** Runs {@code task} on the loop and waits for its answer; for tests and status. */
    <T> T call(Callable<T> task, Duration timeout) throws Exception {
        return executor.submit(task).get(timeout.toNanos(), TimeUnit.NANOSECONDS);
    }

    boolean inLoop() {
        return Thread.currentThread() == thread;
    }

    boolean closed() {
        return closed;
    }

    /** Logs and counts a failure of Pacer's own; the caller carries on. */
    void unexpected(String where, Throwable t) {
        unexpectedErrors.increment();
        log.error("Marathon discovery: unexpected {} in {}; carrying on", t.getClass().getSimpleName(), where, t);
    }

    long unexpectedErrors() {
        return unexpectedErrors.sum();
    }

    private Runnable safely(Runnable task) {
        return () -> {
            try {
                task.run();
            } catch (Throwable t) {
                unexpected("a discovery task", t);
            }
        };
    }

    static void cancel(Future<?> f) {
        if (f != null) {
            f.cancel(false);
        }
    }

    /**
     * Stops the loop after {@code last}, waiting up to 5 s for the task in progress, except when
     * called from the loop itself (a listener closing the source), where waiting could only time
     * out.
     */
    void close(Runnable last) {
        if (closed) {
            return;
        }
        closed = true;
        try {
            executor.execute(last);
        } catch (RejectedExecutionException e) {
            // Already stopping.
        }
        executor.shutdown();
        if (!inLoop()) {
            try {
                if (!executor.awaitTermination(5, TimeUnit.SECONDS)) {
                    log.warn("Marathon discovery did not stop within 5 s");
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        executor.shutdownNow();
    }

    @Override
    public void close() {
        close(() -> { });
    }
}
