package io.pacer.proxy.routes;

import io.pacer.core.App;
import io.pacer.core.RouteTable;
import java.time.Instant;
import java.util.List;
import java.util.function.Consumer;

/** Neither Marathon nor an apps file: every request answers 503, which the startup line says. */
public final class NoRouteSource implements RouteSource {

    @Override
    public void start(Consumer<RouteTable> sink) { }

    @Override
    public boolean loaded() {
        return true;
    }

    @Override
    public String source() {
        return "none (set marathon or apps_file; every request answers 503)";
    }

    @Override
    public RouteTable table() {
        return RouteTable.empty();
    }

    @Override
    public List<App> apps() {
        return List.of();
    }

    @Override
    public Instant lastSync() {
        return null;
    }

    @Override
    public boolean requestResync() {
        return true;
    }

    @Override
    public void close() { }
}
