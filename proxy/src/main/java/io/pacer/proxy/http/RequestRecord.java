package io.pacer.proxy.http;

import io.pacer.core.Task;

/**
 * What happened to one request, handed to the {@link RequestObserver} when it ends: the stuff of an
 * access log line and of the request metrics. Its values do not change once it has been handed over.
 *
 * <p>A proxied request's {@link ProxyExchange} is its own record, so that the end of a request costs
 * no object; an answer of Pacer's own, rarer, is told with {@link #of}.
 */
public interface RequestRecord {

    /** The client's address. */
    String clientIp();

    /** Request method. */
    String method();

    /** Request target as received. */
    String uri();

    /** The status the client got; 499 when the client went away first. */
    int status();

    /** Request body bytes received from the client. */
    long bytesIn();

    /** Response body bytes sent to the client. */
    long bytesOut();

    /** From the request head to the end of the answer. */
    long totalNanos();

    /** From the start of the attempt that answered to its last byte; 0 without one. */
    long upstreamNanos();

    /** The app that served it, or {@code null} for Pacer's own answers. */
    String appId();

    /** The task that answered, or {@code null}. */
    Task task();

    /** Attempts made at the app's tasks. */
    int attempts();

    /** Every allowed attempt failed, and the client got the last failure. */
    boolean exhausted();

    /** The answer was sent whole (false when a connection had to be cut mid-answer). */
    boolean complete();

    /** A record of these values. */
    static RequestRecord of(String clientIp, String method, String uri, int status, long bytesIn, long bytesOut,
                            long totalNanos, long upstreamNanos, String appId, Task task, int attempts,
                            boolean exhausted, boolean complete) {
        return new Values(clientIp, method, uri, status, bytesIn, bytesOut, totalNanos, upstreamNanos, appId, task,
                attempts, exhausted, complete);
    }

    /** The values of one request, kept apart from where they came from. */
    record Values(String clientIp, String method, String uri, int status, long bytesIn, long bytesOut,
                  long totalNanos, long upstreamNanos, String appId, Task task, int attempts,
                  boolean exhausted, boolean complete) implements RequestRecord { }
}
