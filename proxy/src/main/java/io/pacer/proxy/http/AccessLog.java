package io.pacer.proxy.http;

import io.pacer.core.Task;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One line per request on the logger {@code pacer.access}, as text or JSON. Off by default, as in
 * the seed's Nginx ({@code access_log off}).
 *
 * <p>Text: {@code client method uri status bytes_in bytes_out total_ms upstream_ms app task attempts},
 * {@code -} for an absent field, the URI quoted. JSON: one object with the same fields by name.
 */
public final class AccessLog implements RequestObserver {

    /** The logger every line goes to; route it in logback configuration like any other. */
    public static final String LOGGER = "pacer.access";

    /** How lines are written. */
    public enum Format { TEXT, JSON }

    private final Logger log;
    private final Format format;

    public AccessLog(Format format) {
        this(format, LoggerFactory.getLogger(LOGGER));
    }

    AccessLog(Format format, Logger log) {
        this.format = format;
        this.log = log;
    }

    @Override
    public void requestFinished(RequestRecord r) {
        if (log.isInfoEnabled()) {
            log.info(format == Format.JSON ? json(r) : text(r));
        }
    }

    static String text(RequestRecord r) {
        StringBuilder b = new StringBuilder(160);
        b.append(r.clientIp()).append(' ').append(r.method()).append(" \"");
        escape(b, r.uri());
        b.append("\" ").append(r.status()).append(' ').append(r.bytesIn()).append(' ').append(r.bytesOut())
                .append(' ').append(millis(r.totalNanos())).append(' ')
                .append(r.task() == null ? "-" : millis(r.upstreamNanos())).append(' ')
                .append(r.appId() == null ? "-" : r.appId()).append(' ')
                .append(r.task() == null ? "-" : r.task().address()).append(' ')
                .append(r.attempts());
        if (!r.complete()) {
            b.append(" aborted");
        }
        return b.toString();
    }

    static String json(RequestRecord r) {
        StringBuilder b = new StringBuilder(256);
        b.append("{\"client\":\"");
        escape(b, r.clientIp());
        b.append("\",\"method\":\"");
        escape(b, r.method());
        b.append("\",\"uri\":\"");
        escape(b, r.uri());
        b.append("\",\"status\":").append(r.status())
                .append(",\"bytes_in\":").append(r.bytesIn())
                .append(",\"bytes_out\":").append(r.bytesOut())
                .append(",\"total_ms\":").append(millis(r.totalNanos()))
                .append(",\"upstream_ms\":").append(r.task() == null ? "null" : millis(r.upstreamNanos()))
                .append(",\"app\":");
        quoted(b, r.appId());
        b.append(",\"task\":");
        Task task = r.task();
        quoted(b, task == null ? null : task.address());
        b.append(",\"attempts\":").append(r.attempts())
                .append(",\"exhausted\":").append(r.exhausted())
                .append(",\"complete\":").append(r.complete()).append('}');
        return b.toString();
    }

    private static String millis(long nanos) {
        return String.format(java.util.Locale.ROOT, "%.3f", nanos / 1e6);
    }

    private static void quoted(StringBuilder b, String value) {
        if (value == null) {
            b.append("null");
        } else {
            b.append('"');
            escape(b, value);
            b.append('"');
        }
    }

    /** JSON string escaping; also keeps a text line on one line whatever the client sent. */
    private static void escape(StringBuilder b, String s) {
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            switch (c) {
                case '"' -> b.append("\\\"");
                case '\\' -> b.append("\\\\");
                case '\n' -> b.append("\\n");
                case '\r' -> b.append("\\r");
                case '\t' -> b.append("\\t");
                default -> {
                    if (c < 0x20 || c == 0x7f) {
                        b.append(String.format("\\u%04x", (int) c));
                    } else {
                        b.append(c);
                    }
                }
            }
        }
    }
}
