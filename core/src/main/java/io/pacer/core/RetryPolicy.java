package io.pacer.core;

import java.util.EnumSet;
import java.util.Locale;
import java.util.Objects;
import java.util.Set;

/**
 * When a failed attempt is passed to the next task: Nginx's {@code proxy_next_upstream},
 * {@code proxy_next_upstream_tries} and {@code proxy_next_upstream_timeout}, as one pure rule.
 *
 * <p>A request the upstream may have seen is replayed only when its method is idempotent (or the
 * operator listed {@code non_idempotent}); one that never left Pacer, such as after a refused
 * connection, is always safe to send elsewhere.
 */
public final class RetryPolicy {

    /** Nginx's default list, as the seed's template spells it out. */
    public static final Set<RetryCondition> DEFAULT_CONDITIONS = EnumSet.of(
            RetryCondition.ERROR, RetryCondition.TIMEOUT, RetryCondition.INVALID_HEADER,
            RetryCondition.HTTP_500, RetryCondition.HTTP_502, RetryCondition.HTTP_503,
            RetryCondition.HTTP_504);

    private final EnumSet<RetryCondition> conditions;
    private final boolean nonIdempotent;
    private final int tries;
    private final long timeoutNanos;

    /**
     * @param conditions   what may be retried; empty means never (Nginx's {@code off})
     * @param nonIdempotent whether POST, PATCH, LOCK and unknown methods may be replayed once sent
     * @param tries        total attempts per request, first included; 0 means one per task
     * @param timeoutNanos no new attempt starts later than this after the first; 0 means no limit
     */
    public RetryPolicy(Set<RetryCondition> conditions, boolean nonIdempotent, int tries, long timeoutNanos) {
        if (tries < 0 || timeoutNanos < 0) {
            throw new IllegalArgumentException("tries and timeout must not be negative");
        }
        this.conditions = conditions.isEmpty() ? EnumSet.noneOf(RetryCondition.class) : EnumSet.copyOf(conditions);
        this.nonIdempotent = nonIdempotent;
        this.tries = tries;
        this.timeoutNanos = timeoutNanos;
    }

    public static RetryPolicy defaults() {
        return new RetryPolicy(DEFAULT_CONDITIONS, false, 0, 0);
    }

    /**
     * Whether the request may go to another task after an attempt failed.
     *
     * @param condition    why the attempt failed
     * @param method       the request method
     * @param requestSent  whether any byte of the request may have reached the upstream
     * @param attemptsMade attempts made so far, the failed one included
     * @param taskCount    tasks the app has; each is tried at most once per request
     * @param elapsedNanos time since the first attempt started
     */
    public boolean allowsRetry(RetryCondition condition, String method, boolean requestSent,
                               int attemptsMade, int taskCount, long elapsedNanos) {
        if (!conditions.contains(condition)) {
            return false;
        }
        if (requestSent && !nonIdempotent && !isIdempotent(method)) {
            return false;
        }
        int limit = tries == 0 ? taskCount : Math.min(tries, taskCount);
        if (attemptsMade >= limit) {
            return false;
        }
        return timeoutNanos == 0 || elapsedNanos < timeoutNanos;
    }

    /** Whether the policy can ever retry {@code condition}, whatever the request. */
    public boolean retries(RetryCondition condition) {
        return conditions.contains(condition);
    }

    public Set<RetryCondition> conditions() {
        return EnumSet.copyOf(conditions.isEmpty() ? EnumSet.noneOf(RetryCondition.class) : conditions);
    }

    public boolean nonIdempotent() {
        return nonIdempotent;
    }

    public int tries() {
        return tries;
    }

    public long timeoutNanos() {
        return timeoutNanos;
    }

    /**
     * RFC 9110's idempotent methods plus the idempotent WebDAV ones. Everything else, POST, PATCH,
     * LOCK and methods we do not know included, is treated as unsafe to replay.
     */
    public static boolean isIdempotent(String method) {
        switch (method.toUpperCase(Locale.ROOT)) {
            case "GET":
            case "HEAD":
            case "OPTIONS":
            case "TRACE":
            case "PUT":
            case "DELETE":
            case "PROPFIND":
            case "PROPPATCH":
            case "MKCOL":
            case "COPY":
            case "MOVE":
            case "UNLOCK":
                return true;
            default:
                return false;
        }
    }

    /** Equal when every part is: configurations holding the same policy compare equal. */
    @Override
    public boolean equals(Object o) {
        return o instanceof RetryPolicy p && conditions.equals(p.conditions) && nonIdempotent == p.nonIdempotent
                && tries == p.tries && timeoutNanos == p.timeoutNanos;
    }

    @Override
    public int hashCode() {
        return Objects.hash(conditions, nonIdempotent, tries, timeoutNanos);
    }

    @Override
    public String toString() {
        return "RetryPolicy{" + conditions + (nonIdempotent ? " non_idempotent" : "")
                + " tries=" + tries + " timeoutNanos=" + timeoutNanos + "}";
    }
}
