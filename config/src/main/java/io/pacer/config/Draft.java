package io.pacer.config;

import io.pacer.core.RetryPolicy;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * A config being loaded. The retry policy comes from three keys that may appear in any order, so
 * its parts are collected here and combined once every key has been read.
 */
final class Draft {

    final PacerConfig.Builder config = PacerConfig.builder();
    private NextUpstream nextUpstream = NextUpstream.DEFAULT;
    private int nextUpstreamTries;
    private Duration nextUpstreamTimeout = Duration.ZERO;
    private final List<String> warnings = new ArrayList<>();

    void warn(String warning) {
        warnings.add(warning);
    }

    void nextUpstream(NextUpstream value) {
        nextUpstream = value;
    }

    void nextUpstreamTries(int value) {
        nextUpstreamTries = value;
    }

    void nextUpstreamTimeout(Duration value) {
        nextUpstreamTimeout = value;
    }

    PacerConfig build() {
        return config.retryPolicy(new RetryPolicy(nextUpstream.conditions(), nextUpstream.nonIdempotent(),
                nextUpstreamTries, nextUpstreamTimeout.toNanos())).warnings(warnings).build();
    }
}
