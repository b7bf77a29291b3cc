package io.pacer.core;

import java.util.List;
import java.util.Map;

/**
 * What one app changes of the proxy's behaviour, from its labels ({@code PACER_*}). Every option
 * left unset falls back to the {@code pacer.toml} value; the data plane reads them from the app's
 * route, so an app without labels costs nothing.
 *
 * @param stripPrefix          forward the path without the matched prefix ({@code /shop/x} as {@code /x})
 * @param connectTimeoutMillis 0: {@code connect_timeout}
 * @param readTimeoutNanos     0: {@code read_timeout}
 * @param retryPolicy          {@code null}: {@code next_upstream}
 * @param balance              {@code null}: {@code balance}
 * @param maxBodySize          -1: {@code max_body_size}; 0 is no limit, as there
 * @param stickyCookie         name of the cookie that pins a client to a task; {@code null}: no affinity
 * @param allow                client networks let in; {@code null}: every client
 * @param users                basic-auth users and their bcrypt hashes; {@code null}: no auth
 * @param closedReason         why no request may reach the app (a label that would restrict access
 *                             could not be read: a typo never opens an app); {@code null} when open
 * @param problems             labels that could not be read, each with what is wrong
 */
public record AppOptions(boolean stripPrefix, long connectTimeoutMillis, long readTimeoutNanos,
                         RetryPolicy retryPolicy, Balance balance, long maxBodySize, String stickyCookie,
                         AllowList allow, Map<String, String> users, String closedReason, List<String> problems) {

    /** Everything from {@code pacer.toml}. */
    public static final AppOptions DEFAULTS = new AppOptions(false, 0, 0, null, null, -1, null, null, null, null,
            List.of());

    public AppOptions {
        users = users == null ? null : Map.copyOf(users);
        problems = List.copyOf(problems);
    }

    public boolean isDefault() {
        return equals(DEFAULTS);
    }

    /** RetryPolicy has no equals: compared by its parts, so unchanged labels give an equal app. */
    @Override
    public boolean equals(Object o) {
        return o instanceof AppOptions other
                && stripPrefix == other.stripPrefix
                && connectTimeoutMillis == other.connectTimeoutMillis
                && readTimeoutNanos == other.readTimeoutNanos
                && samePolicy(retryPolicy, other.retryPolicy)
                && balance == other.balance
                && maxBodySize == other.maxBodySize
                && java.util.Objects.equals(stickyCookie, other.stickyCookie)
                && java.util.Objects.equals(String.valueOf(allow), String.valueOf(other.allow))
                && java.util.Objects.equals(users, other.users)
                && java.util.Objects.equals(closedReason, other.closedReason)
                && problems.equals(other.problems);
    }

    @Override
    public int hashCode() {
        return java.util.Objects.hash(stripPrefix, connectTimeoutMillis, readTimeoutNanos, balance, maxBodySize,
                stickyCookie, String.valueOf(allow), users, closedReason, problems);
    }

    private static boolean samePolicy(RetryPolicy a, RetryPolicy b) {
        if (a == null || b == null) {
            return a == b;
        }
        return a.conditions().equals(b.conditions()) && a.nonIdempotent() == b.nonIdempotent()
                && a.tries() == b.tries() && a.timeoutNanos() == b.timeoutNanos();
    }
}
