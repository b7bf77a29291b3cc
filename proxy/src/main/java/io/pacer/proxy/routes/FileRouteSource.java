package io.pacer.proxy.routes;

import io.pacer.core.App;
import io.pacer.core.RouteTable;
import io.pacer.discovery.AppsFileSource;
import io.pacer.discovery.RouteOptions;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import java.util.function.Consumer;

/** Routes from a Marathon-shaped apps file: the embedded default, no Marathon needed. */
public final class FileRouteSource implements RouteSource {

    private final Path file;
    private final RouteOptions options;
    private AppsFileSource source;
    private volatile Instant lastLoad;

    public FileRouteSource(Path file, RouteOptions options) {
        this.file = file;
        this.options = options;
    }

    @Override
    public void start(Consumer<RouteTable> sink) throws Exception {
        source = new AppsFileSource(file, table -> {
            lastLoad = Instant.now();
            sink.accept(table);
        }, options);
        source.start(); // publishes the first table before returning
        lastLoad = Instant.now();
    }

    @Override
    public boolean loaded() {
        return source != null && lastLoad != null;
    }

    @Override
    public String source() {
        return "apps file " + file;
    }

    @Override
    public RouteTable table() {
        return source == null ? RouteTable.empty() : source.current();
    }

    @Override
    public List<App> apps() {
        return source == null ? List.of() : source.apps();
    }

    @Override
    public Instant lastSync() {
        return lastLoad;
    }

    @Override
    public boolean requestResync() {
        return true; // the file is re-read within a second whenever it changes
    }

    @Override
    public void close() {
        if (source != null) {
            source.close();
        }
    }
}
