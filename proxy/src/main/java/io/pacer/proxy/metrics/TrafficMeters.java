package io.pacer.proxy.metrics;

import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.pacer.proxy.http.TrafficStats;
import java.util.function.ToLongFunction;

/**
 * Connection and byte counts of the data plane, read from its {@link TrafficStats} when a scrape
 * renders them: the event loops only bump their counters. Everything reads 0 until {@link #bind}.
 */
final class TrafficMeters {

    private volatile TrafficStats traffic;

    TrafficMeters(MeterRegistry registry) {
        gauge(registry, "pacer.client.connections", "Client connections open", TrafficStats::clientConnections);
        gauge(registry, "pacer.upstream.connections", "Connections to tasks open, busy and idle",
                TrafficStats::upstreamConnections);
        gauge(registry, "pacer.upstream.idle.connections", "Connections to tasks idle in the pools",
                TrafficStats::idleUpstreamConnections);
        gauge(registry, "pacer.websocket.tunnels", "WebSocket (upgraded) connections being relayed",
                TrafficStats::tunnels);
        // FunctionCounter holds its object weakly: this is held by the PacerMetrics that made it.
        FunctionCounter.builder("pacer.client.received", this, m -> m.value(TrafficStats::bytesIn))
                .description("Bytes read from clients, heads and bodies")
                .baseUnit("bytes")
                .register(registry);
        FunctionCounter.builder("pacer.client.sent", this, m -> m.value(TrafficStats::bytesOut))
                .description("Bytes written to clients, heads and bodies")
                .baseUnit("bytes")
                .register(registry);
        FunctionCounter.builder("pacer.client.refused.connections", this,
                        m -> m.value(TrafficStats::refusedConnections))
                .description("Client connections answered 503 and closed because max_connections were open")
                .register(registry);
    }

    private void gauge(MeterRegistry registry, String name, String description, ToLongFunction<TrafficStats> getter) {
        Gauge.builder(name, this, m -> m.value(getter))
                .description(description)
                .strongReference(true)
                .register(registry);
    }

    void bind(TrafficStats stats) {
        this.traffic = stats;
    }

    private double value(ToLongFunction<TrafficStats> getter) {
        TrafficStats t = traffic;
        return t == null ? 0 : getter.applyAsLong(t);
    }
}
