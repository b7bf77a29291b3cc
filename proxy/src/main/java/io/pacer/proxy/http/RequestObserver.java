package io.pacer.proxy.http;

import io.pacer.core.RetryCondition;

/**
 * Told about every request's end and every retry, on the event loop that served the request:
 * implementations must be quick and must not block (metrics, access log).
 */
public interface RequestObserver {

    RequestObserver NONE = new RequestObserver() { };

    default void requestFinished(RequestRecord record) { }

    /** An attempt at {@code appId} failed for {@code reason} and the request moved to another task. */
    default void retried(String appId, RetryCondition reason) { }

    /**
     * An attempt at a task of {@code appId} failed for {@code reason} in a way that counts against
     * the task (Nginx's unsuccessful attempt), whether or not the request was retried.
     */
    default void taskFailed(String appId, RetryCondition reason) { }

    /** Several observers as one. */
    static RequestObserver of(RequestObserver... observers) {
        return new RequestObserver() {
            @Override
            public void requestFinished(RequestRecord record) {
                for (RequestObserver o : observers) {
                    o.requestFinished(record);
                }
            }

            @Override
            public void retried(String appId, RetryCondition reason) {
                for (RequestObserver o : observers) {
                    o.retried(appId, reason);
                }
            }

            @Override
            public void taskFailed(String appId, RetryCondition reason) {
                for (RequestObserver o : observers) {
                    o.taskFailed(appId, reason);
                }
            }
        };
    }
}
