package io.pacer.proxy.http;

import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAdder;

/**
 * Live counts of the data plane, read by metrics: connections open now and bytes moved so far.
 * Updated from every event loop, so adders and atomics.
 */
public final class TrafficStats {

    final AtomicLong clientConnections = new AtomicLong();
    final AtomicLong tunnels = new AtomicLong();
    public final AtomicLong upstreamConnections = new AtomicLong();
    public final AtomicLong idleUpstreamConnections = new AtomicLong();
    final LongAdder bytesIn = new LongAdder();
    final LongAdder refusedConnections = new LongAdder();
    final LongAdder bytesOut = new LongAdder();

    public long clientConnections() {
        return clientConnections.get();
    }

    public long tunnels() {
        return tunnels.get();
    }

    /** Connections to tasks, busy and idle. */
    public long upstreamConnections() {
        return upstreamConnections.get();
    }

    /** Connections to tasks waiting in the pools. */
    public long idleUpstreamConnections() {
        return idleUpstreamConnections.get();
    }

    /** Connections answered 503 and closed because {@code max_connections} were open. */
    public long refusedConnections() {
        return refusedConnections.sum();
    }

    /** Bytes read from clients, heads and bodies. */
    public long bytesIn() {
        return bytesIn.sum();
    }

    /** Bytes written to clients, heads and bodies. */
    public long bytesOut() {
        return bytesOut.sum();
    }
}
