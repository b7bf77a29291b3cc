package io.pacer.proxy.routes;

import com.fasterxml.jackson.databind.JsonNode;
import io.pacer.core.App;
import io.pacer.core.RouteTable;
import io.pacer.discovery.AppRoutes;
import io.pacer.discovery.MarathonApp;
import io.pacer.discovery.MarathonSettings;
import io.pacer.discovery.MarathonSource;
import io.pacer.discovery.MarathonStatus;
import io.pacer.proxy.admin.AdminApi;
import io.pacer.proxy.metrics.DiscoveryMetricsSource;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;

/** Routes from a live Marathon: its event stream and {@code /v2/apps}. */
public final class MarathonRouteSource implements RouteSource {

    private final MarathonSettings settings;
    private MarathonSource source;

    public MarathonRouteSource(MarathonSettings settings) {
        this.settings = settings;
    }

    @Override
    public void start(Consumer<RouteTable> sink) {
        source = new MarathonSource(settings, sink);
        source.start();
    }

    @Override
    public boolean loaded() {
        return source != null && source.status().lastSyncSuccess() != null;
    }

    @Override
    public String source() {
        return "marathon " + settings.endpoints().stream().map(io.pacer.config.PacerConfig::masked).toList();
    }

    @Override
    public RouteTable table() {
        return source.current();
    }

    @Override
    public List<App> apps() {
        return source.apps();
    }

    /** Nixy's per-app fields, for the apps of this instance's realm. */
    @Override
    public Map<String, Map<String, Object>> details() {
        String realm = settings.routeOptions().realm();
        Map<String, Map<String, Object>> out = new LinkedHashMap<>();
        for (MarathonApp app : source.marathonApps()) {
            if (realm != null && !realm.equals(app.label(AppRoutes.REALM_LABEL))) {
                continue;
            }
            Map<String, Object> entry = new LinkedHashMap<>();
            entry.put("Hosts", AppRoutes.nixyNames(app)); // Nixy's Hosts: Hosts[0] is the app's first name
            entry.put("Labels", app.labels());
            Map<String, JsonNode> env = app.env();
            entry.put("Env", env);
            entry.put("PortDefinitions", app.portDefinitions());
            entry.put("HealthChecks", app.healthChecks());
            entry.put("Container", app.container());
            out.put(app.id(), entry);
        }
        return out;
    }

    @Override
    public List<AdminApi.Endpoint> endpoints() {
        List<AdminApi.Endpoint> out = new ArrayList<>();
        for (MarathonStatus.EndpointHealth e : source.status().endpoints()) {
            out.add(new AdminApi.Endpoint(e.url(), e.healthy(), e.message()));
        }
        return out;
    }

    @Override
    public Instant lastSync() {
        return source.status().lastSyncSuccess();
    }

    @Override
    public String syncProblem() {
        return source == null ? "not started" : source.syncProblem();
    }

    @Override
    public boolean requestResync() {
        return source.requestResync();
    }

    @Override
    public DiscoveryMetricsSource metrics() {
        MarathonStatus s = source.status();
        return new DiscoveryMetricsSource() {
            @Override
            public boolean streamConnected() {
                return s.streamConnected();
            }

            @Override
            public Map<String, Long> eventsByType() {
                return s.eventsByType();
            }

            @Override
            public long malformedEvents() {
                return s.malformedEvents();
            }

            @Override
            public long resyncs() {
                return s.resyncs();
            }

            @Override
            public Duration lastResyncDuration() {
                return s.lastResyncDuration();
            }

            @Override
            public Map<String, Long> syncFailures() {
                return s.syncFailures();
            }

            @Override
            public Instant lastSyncSuccess() {
                return s.lastSyncSuccess();
            }
        };
    }

    @Override
    public void close() {
        if (source != null) {
            source.close();
        }
    }
}
