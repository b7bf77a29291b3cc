package io.pacer.config;

import io.pacer.core.FailurePolicy;
import io.pacer.core.RetryPolicy;
import java.time.Duration;
import java.util.Objects;

/**
 * How the proxy treats an app's tasks: which one gets a request, how long it may take, when a
 * failed attempt moves on to the next, which tasks are set aside for failing, and the connections
 * kept open to them.
 *
 * @param balance           {@code balance}: how requests are spread over an app's tasks. Default round_robin.
 * @param connectTimeout    {@code connect_timeout}: to open a connection to a task. Default 30s.
 * @param readTimeout       {@code read_timeout}: longest silence while reading from a task. Default 120s.
 * @param retryPolicy       {@code next_upstream}, {@code next_upstream_tries} and {@code next_upstream_timeout}.
 * @param replayBufferSize  {@code replay_buffer_size}: request body bytes kept to replay on another task. Default 64k.
 * @param failurePolicy     {@code max_fails} and {@code fail_timeout}: a task failing {@code max_fails} times within
 *                          {@code fail_timeout} is skipped for {@code fail_timeout}. Default 1 and 10s, as Nginx.
 * @param keepalive         {@code upstream_keepalive}: idle pooled connections per task per event loop; 0 disables
 *                          pooling. Default 512 (measured: 32 starved 1,000 concurrent clients).
 * @param keepaliveTimeout  {@code upstream_keepalive_timeout}: idle pooled task connection lifetime. Default 60s.
 */
public record Upstream(
        String balance,
        Duration connectTimeout,
        Duration readTimeout,
        RetryPolicy retryPolicy,
        int replayBufferSize,
        FailurePolicy failurePolicy,
        int keepalive,
        Duration keepaliveTimeout) {

    public Upstream {
        Objects.requireNonNull(balance, "balance");
        Objects.requireNonNull(connectTimeout, "connectTimeout");
        Objects.requireNonNull(readTimeout, "readTimeout");
        Objects.requireNonNull(retryPolicy, "retryPolicy");
        Objects.requireNonNull(failurePolicy, "failurePolicy");
        Objects.requireNonNull(keepaliveTimeout, "keepaliveTimeout");
    }

    /** This group's {@code pacer.toml} keys and values, for {@link PacerConfig#toString()}. */
    @Override
    public String toString() {
        return "balance=" + balance
                + ", connect_timeout=" + connectTimeout
                + ", read_timeout=" + readTimeout
                + ", " + retryPolicy
                + ", replay_buffer_size=" + Sizes.format(replayBufferSize)
                + ", max_fails=" + failurePolicy.maxFails()
                + ", fail_timeout=" + Duration.ofNanos(failurePolicy.failTimeoutNanos())
                + ", upstream_keepalive=" + keepalive
                + ", upstream_keepalive_timeout=" + keepaliveTimeout;
    }
}
