package io.pacer.proxy.routes;

import io.pacer.core.RouteTable;
import io.pacer.proxy.admin.AdminApi;
import io.pacer.proxy.metrics.DiscoveryMetricsSource;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;

/**
 * Where route tables come from, as the process sees it: Marathon, an apps file, or nothing.
 * Adapts each discovery source to the admin API and to the metrics.
 */
public interface RouteSource extends AdminApi.Discovery, AutoCloseable {

    /** Starts publishing tables to {@code sink}; the file source publishes its first one before returning. */
    void start(Consumer<RouteTable> sink) throws Exception;

    /** Whether a first table has been loaded, so the instance may take traffic. */
    boolean loaded();

    /** Discovery's state for the {@code pacer_marathon_*} metrics; {@code null} when there is none. */
    default DiscoveryMetricsSource metrics() {
        return null;
    }

    /** Only Marathon has per-app details beyond the routes. */
    @Override
    default Map<String, Map<String, Object>> details() {
        return Map.of();
    }

    /** Only Marathon has endpoints to report. */
    @Override
    default List<AdminApi.Endpoint> endpoints() {
        return List.of();
    }

    @Override
    void close();
}
