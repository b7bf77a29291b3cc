package io.pacer.proxy.metrics;

/**
 * One app's counters since its series began, for the dashboard, which turns two of these a second
 * apart into rates: requests answered, those answered 5xx, and attempts retried on another task.
 */
public record AppTotals(double requests, double errors, double retries) {

    public static final AppTotals ZERO = new AppTotals(0, 0, 0);
}
