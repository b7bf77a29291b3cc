package io.pacer.core;

import java.util.Objects;

/**
 * One running instance of an app that can take traffic: Marathon's task, reduced to what the
 * data plane needs. Equality is by value, so two snapshots of the same task compare equal and an
 * unchanged model produces an equal table.
 */
public record Task(String id, String host, int port) {

    public Task {
        Objects.requireNonNull(id, "id");
        Objects.requireNonNull(host, "host");
        if (host.isEmpty()) {
            throw new IllegalArgumentException("task " + id + " has an empty host");
        }
        if (port < 1 || port > 65535) {
            throw new IllegalArgumentException("task " + id + " has port " + port + ", outside 1-65535");
        }
    }

    /** {@code host:port}, with IPv6 literals bracketed, as it appears in logs and the admin API. */
    public String address() {
        return host.indexOf(':') >= 0 ? "[" + host + "]:" + port : host + ":" + port;
    }
}
