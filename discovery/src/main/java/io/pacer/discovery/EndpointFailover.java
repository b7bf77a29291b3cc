package io.pacer.discovery;

import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;
import org.asynchttpclient.Response;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Chooses the Marathon to use: every endpoint's {@code GET /ping} is asked each
 * {@code pingInterval}, and the first healthy one in list order is used. With none healthy the
 * choice stays where it is (a ping may fail while the rest of the API answers). A change of choice
 * is handed to {@code onSwitch}, which reopens the stream there and resyncs.
 *
 * <p>Threading: runs on the discovery loop; ping answers arrive on the client's I/O thread and
 * are posted back to the loop.
 */
final class EndpointFailover {

    static final String PING_PATH = "/ping";

    private static final Logger log = LoggerFactory.getLogger(EndpointFailover.class);

    private final List<MarathonEndpoint> endpoints;
    private final MarathonClient client;
    private final DiscoveryLoop loop;
    private final Duration pingTimeout;
    private final Clock clock;
    private final Consumer<MarathonEndpoint> onSwitch;
    private volatile MarathonEndpoint active;

    EndpointFailover(List<MarathonEndpoint> endpoints, MarathonClient client, DiscoveryLoop loop,
                     Duration pingTimeout, Clock clock, Consumer<MarathonEndpoint> onSwitch) {
        if (endpoints.isEmpty()) {
            throw new IllegalArgumentException("no Marathon endpoint");
        }
        this.endpoints = List.copyOf(endpoints);
        this.client = client;
        this.loop = loop;
        this.pingTimeout = pingTimeout;
        this.clock = clock;
        this.onSwitch = onSwitch;
        this.active = this.endpoints.get(0);
    }

    /** The endpoint in use: the first one until a ping says otherwise. Any thread. */
    MarathonEndpoint active() {
        return active;
    }

    List<MarathonStatus.EndpointHealth> health() {
        List<MarathonStatus.EndpointHealth> out = new ArrayList<>(endpoints.size());
        for (MarathonEndpoint e : endpoints) {
            out.add(e.health());
        }
        return out;
    }

    /** Pings every endpoint that has no ping in flight; on the loop. */
    void pingAll() {
        if (loop.closed()) {
            return;
        }
        for (MarathonEndpoint ep : endpoints) {
            if (ep.pinging) {
                continue;
            }
            ep.pinging = true;
            try {
                client.execute(MarathonClient.get(ep, ep.base + PING_PATH, pingTimeout)).toCompletableFuture()
                        .whenComplete((response, error) -> loop.post(() -> pinged(ep, response, error)));
            } catch (RuntimeException e) {
                pinged(ep, null, e);
            }
        }
    }

    private void pinged(MarathonEndpoint ep, Response response, Throwable error) {
        ep.pinging = false;
        if (loop.closed()) {
            return;
        }
        boolean ok = error == null && response.getStatusCode() == 200;
        String message = ok ? "OK"
                : error != null ? MarathonClient.describe(MarathonClient.unwrap(error))
                : "HTTP " + response.getStatusCode() + " on /ping" + MarathonClient.errorMessage(response);
        ep.lastChecked = clock.instant();
        if (!ok) {
            ep.pingFailures.increment();
        }
        boolean was = ep.healthy;
        ep.message = message;
        ep.healthy = ok;
        if (was && !ok) {
            log.warn("Marathon {} is unhealthy: {}", ep.base, message);
        } else if (!was && ok) {
            log.info("Marathon {} is healthy again", ep.base);
        }
        choose();
    }

    /** Moves to the first healthy endpoint in list order; with none healthy, stays where it is. */
    private void choose() {
        MarathonEndpoint preferred = null;
        for (MarathonEndpoint ep : endpoints) {
            if (ep.healthy) {
                preferred = ep;
                break;
            }
        }
        if (preferred == null || preferred == active) {
            return;
        }
        log.info("Using Marathon {} instead of {}", preferred.base, active.base);
        active = preferred;
        onSwitch.accept(preferred);
    }
}
