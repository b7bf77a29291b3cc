package io.pacer.config;

import java.time.Duration;
import java.util.Objects;

/**
 * What operators watch and steer the running proxy with: logs, metrics and the way it stops.
 *
 * @param logLevel             {@code log_level}: the least severe level logged, in lower case: error, warn, info,
 *                             debug or trace. Default info.
 * @param logFormat            {@code log_format}: "text" or "json" log lines. Default text.
 * @param accessLog            {@code access_log}: whether one line is logged per request. Default false.
 * @param accessLogFormat      {@code access_log_format}: "text" or "json" access log lines. Default text.
 * @param appLatencyHistograms {@code app_latency_histograms}: whether each app's request and upstream durations get
 *                             histogram buckets (per-app quantiles, about 3.5 KB of scrape per app with traffic)
 *                             rather than a count, a sum and a max. Default false: the whole proxy's histograms are
 *                             always there.
 * @param shutdownGrace        {@code shutdown_grace}: how long in-flight requests may take to finish after SIGTERM
 *                             before connections are closed; zero closes them at once. Default 30s.
 */
public record Operations(
        String logLevel,
        String logFormat,
        boolean accessLog,
        String accessLogFormat,
        boolean appLatencyHistograms,
        Duration shutdownGrace) {

    public Operations {
        Objects.requireNonNull(logLevel, "logLevel");
        Objects.requireNonNull(logFormat, "logFormat");
        Objects.requireNonNull(accessLogFormat, "accessLogFormat");
        Objects.requireNonNull(shutdownGrace, "shutdownGrace");
    }

    /** This group's {@code pacer.toml} keys and values, for {@link PacerConfig#toString()}. */
    @Override
    public String toString() {
        return "log_level=" + logLevel
                + ", log_format=" + logFormat
                + ", access_log=" + accessLog
                + ", access_log_format=" + accessLogFormat
                + ", app_latency_histograms=" + appLatencyHistograms
                + ", shutdown_grace=" + shutdownGrace;
    }
}
