package io.pacer.proxy.http;

import io.pacer.core.Task;

/**
 * What happened to one request, handed to the {@link RequestObserver} when it ends: the stuff of an
 * access log line and of the request metrics.
 *
 * @param clientIp      the client's address
 * @param method        request method
 * @param uri           request target as received
 * @param status        the status the client got; 499 when the client went away first
 * @param bytesIn       request body bytes received from the client
 * @param bytesOut      response body bytes sent to the client
 * @param totalNanos    from the request head to the end of the answer
 * @param upstreamNanos from the start of the attempt that answered to its last byte; 0 without one
 * @param appId         the app that served it, or {@code null} for Pacer's own answers
 * @param task          the task that answered, or {@code null}
 * @param attempts      attempts made at the app's tasks
 * @param exhausted     every allowed attempt failed, and the client got the last failure
 * @param complete      the answer was sent whole (false when a connection had to be cut mid-answer)
 */
public record RequestRecord(String clientIp, String method, String uri, int status, long bytesIn, long bytesOut,
                            long totalNanos, long upstreamNanos, String appId, Task task, int attempts,
                            boolean exhausted, boolean complete) { }
