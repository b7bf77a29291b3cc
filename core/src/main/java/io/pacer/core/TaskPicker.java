package io.pacer.core;

import java.util.List;
import java.util.concurrent.ThreadLocalRandom;

/**
 * Chooses the task for each attempt of one request: by {@link Balance}, skipping tasks that
 * {@link TaskState failure memory} has taken out of rotation, and never the same task twice.
 *
 * <p>Better than Nginx where it answers badly: when every task not yet tried is marked, the request
 * tries them anyway in order rather than failing at once, and an app's lone task is never skipped.
 *
 * <p>Threading: one picker serves one request at a time, on that request's event loop only, and
 * can be {@link #restart restarted} for the next one; the task states it reads are shared (see
 * {@link TaskState}).
 */
public final class TaskPicker {

    private final TaskStates states;
    private List<Task> tasks;
    private Balance balance;
    private int start;
    /** Tasks tried, by index: bit i for i below 64, {@link #triedBeyond} for the rest (large apps only). */
    private long tried;
    private long[] triedBeyond;
    /** The task a sticky cookie names, for the first attempt; {@code null} for none. */
    private String preferred;

    /** A picker for one request to {@code app}. */
    public TaskPicker(App app, TaskStates states, Balance balance) {
        this.states = states;
        restart(app, balance);
    }

    /**
     * Readies this picker for a new request to {@code app}, as a new picker would be: nothing tried,
     * no task preferred. For a connection's requests, which come one after another, so that they
     * need no picker each; the last request must be done picking.
     */
    public TaskPicker restart(App app, Balance balance) {
        this.tasks = app.tasks();
        this.balance = balance;
        this.start = balance == Balance.ROUND_ROBIN ? app.nextStart() : 0;
        this.tried = 0;
        this.triedBeyond = null;
        this.preferred = null;
        return this;
    }

    /**
     * Session affinity: the first attempt goes to the task whose {@link #stickyToken} is
     * {@code token} when that task is still listed and not out of rotation; otherwise, and for
     * retries, the balancer chooses as usual.
     */
    public TaskPicker prefer(String token) {
        this.preferred = token;
        return this;
    }

    /** How a sticky cookie names {@code task}: a hash of its Marathon id, stable across table swaps. */
    public static String stickyToken(Task task) {
        return Integer.toHexString(task.id().hashCode() * 0x9E3779B9);
    }

    /**
     * The task for the next attempt at {@code now} ({@link System#nanoTime()}), counted as tried;
     * {@code null} when every task has been tried.
     */
    public TaskState next(long now) {
        int n = tasks.size();
        if (n == 1) {
            // A lone task is never locked out: skipping it could only turn an answer into a 502.
            return take(0) ? states.get(tasks.get(0)) : null;
        }
        if (preferred != null) {
            int sticky = stickyIndex(now);
            preferred = null;
            if (sticky >= 0) {
                take(sticky);
                return states.get(tasks.get(sticky));
            }
        }
        int chosen = balance == Balance.LEAST_REQUEST ? leastRequest(n, now) : roundRobin(n, now);
        if (chosen < 0) {
            return null;
        }
        take(chosen);
        return states.get(tasks.get(chosen));
    }

    private int stickyIndex(long now) {
        for (int i = 0; i < tasks.size(); i++) {
            Task t = tasks.get(i);
            if (stickyToken(t).equals(preferred)) {
                return !isTried(i) && states.get(t).tryAcquire(now, states.policy()) ? i : -1;
            }
        }
        return -1;
    }

    private int roundRobin(int n, long now) {
        int first = (int) ((start & 0xFFFFFFFFL) % n);
        FailurePolicy policy = states.policy();
        for (int k = 0; k < n; k++) {
            int i = wrap(first + k, n);
            if (!isTried(i) && states.get(tasks.get(i)).tryAcquire(now, policy)) {
                return i;
            }
        }
        return firstUntried(first, n);
    }

    /** Power of two choices among the tasks neither tried nor out of rotation. */
    private int leastRequest(int n, long now) {
        ThreadLocalRandom rnd = ThreadLocalRandom.current();
        int origin = rnd.nextInt(n);
        int a = nextAvailable(origin, n, now, -1);
        if (a < 0) {
            return firstUntried(origin, n);
        }
        int b = nextAvailable(rnd.nextInt(n), n, now, a);
        int chosen = a;
        TaskState sa = states.get(tasks.get(a));
        if (b >= 0) {
            TaskState sb = states.get(tasks.get(b));
            if (sb.inFlight() < sa.inFlight()) {
                chosen = b;
                sa = sb;
            }
        }
        // A marked task whose time is up is the probe; losing the race for it costs one extra probe.
        sa.tryAcquire(now, states.policy());
        return chosen;
    }

    /** The first index from {@code from} on that is not tried, not skipped and not {@code except}; -1 if none. */
    private int nextAvailable(int from, int n, long now, int except) {
        for (int k = 0; k < n; k++) {
            int i = wrap(from + k, n);
            if (i != except && !isTried(i) && !states.get(tasks.get(i)).skipped(now)) {
                return i;
            }
        }
        return -1;
    }

    /** Every task left is out of rotation: try them anyway, in order, rather than fail at once. */
    private int firstUntried(int from, int n) {
        for (int k = 0; k < n; k++) {
            int i = wrap(from + k, n);
            if (!isTried(i)) {
                return i;
            }
        }
        return -1;
    }

    private static int wrap(int i, int n) {
        return i >= n ? i - n : i;
    }

    private boolean isTried(int i) {
        if (i < 64) {
            return (tried & (1L << i)) != 0;
        }
        return triedBeyond != null && (triedBeyond[(i - 64) >> 6] & (1L << (i & 63))) != 0;
    }

    /** Marks {@code i} tried; {@code false} when it already was. */
    private boolean take(int i) {
        if (isTried(i)) {
            return false;
        }
        if (i < 64) {
            tried |= 1L << i;
        } else {
            if (triedBeyond == null) {
                triedBeyond = new long[(tasks.size() - 64 + 63) >> 6];
            }
            triedBeyond[(i - 64) >> 6] |= 1L << (i & 63);
        }
        return true;
    }
}
