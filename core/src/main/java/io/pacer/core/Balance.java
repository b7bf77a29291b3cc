package io.pacer.core;

import java.util.List;
import java.util.Locale;

/** How a request's first attempt chooses among an app's tasks ({@code balance}). */
public enum Balance {
    /** Each task in turn, shared across event loops (Nginx's default). */
    ROUND_ROBIN,
    /**
     * The less busy of two tasks drawn at random, by requests in flight from this Pacer (power of
     * two choices, as Envoy's and HAProxy's least-request balancers do).
     */
    LEAST_REQUEST;

    /** The configuration spelling: {@code round_robin}, {@code least_request}. */
    public String configName() {
        return name().toLowerCase(Locale.ROOT);
    }

    public static List<String> configNames() {
        return List.of("round_robin", "least_request");
    }

    /** @throws IllegalArgumentException for a name not in {@link #configNames()} */
    public static Balance ofConfigName(String name) {
        for (Balance b : values()) {
            if (b.configName().equals(name)) {
                return b;
            }
        }
        throw new IllegalArgumentException("balance: \"" + name + "\" is not one of " + configNames());
    }
}
