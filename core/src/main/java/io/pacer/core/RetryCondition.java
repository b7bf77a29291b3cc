package io.pacer.core;

import java.util.Locale;

/**
 * Why an attempt at an upstream failed, named as Nginx's {@code proxy_next_upstream} names it, so
 * an operator's list of conditions reads the same in both.
 */
public enum RetryCondition {
    /** Could not connect, or the connection failed while sending or before the response head. */
    ERROR,
    /** Connect, send or read timed out before the response head. */
    TIMEOUT,
    /** The upstream answered something that is not a valid HTTP response head. */
    INVALID_HEADER,
    HTTP_500,
    HTTP_502,
    HTTP_503,
    HTTP_504,
    HTTP_403,
    HTTP_404,
    HTTP_429;

    /** The condition a response status triggers, or {@code null} for statuses that never do. */
    public static RetryCondition ofStatus(int status) {
        switch (status) {
            case 500: return HTTP_500;
            case 502: return HTTP_502;
            case 503: return HTTP_503;
            case 504: return HTTP_504;
            case 403: return HTTP_403;
            case 404: return HTTP_404;
            case 429: return HTTP_429;
            default: return null;
        }
    }

    /** The Nginx spelling: {@code error}, {@code http_502}, ... */
    public String nginxName() {
        return name().toLowerCase(Locale.ROOT);
    }
}
