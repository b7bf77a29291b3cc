package io.pacer.discovery;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.pacer.core.AppOptions;
import io.pacer.core.Balance;
import io.pacer.core.RetryCondition;
import java.net.InetAddress;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** Per-app options from PACER_* labels: good values, bad values falling back, access labels failing closed. */
class AppLabelsTest {

    private static final String HASH = "$2y$10$" + "a".repeat(53);

    private static AppOptions options(Map<String, String> labels) {
        return AppLabels.options(new MarathonApp("/app", labels, 0, 0, List.of(), List.of(), List.of()));
    }

    @Test
    void noLabelsMeansTheDefaultsInstance() {
        assertSame(AppOptions.DEFAULTS, options(Map.of()));
        assertSame(AppOptions.DEFAULTS, options(Map.of("HAPROXY_GROUP", "external", "subdomain", "x")));
    }

    @Test
    void everyOptionIsRead() throws Exception {
        AppOptions o = options(Map.of(
                "PACER_STRIP_PREFIX", "true",
                "PACER_CONNECT_TIMEOUT", "2s",
                "PACER_READ_TIMEOUT", "500ms",
                "PACER_NEXT_UPSTREAM", "error timeout",
                "PACER_BALANCE", "least_request",
                "PACER_MAX_BODY_SIZE", "1m",
                "PACER_STICKY", "true",
                "PACER_ALLOW", "10.0.0.0/8, 192.168.1.7",
                "PACER_AUTH", "alice:" + HASH + " bob:" + HASH));
        assertTrue(o.stripPrefix());
        assertEquals(2000, o.connectTimeoutMillis());
        assertEquals(Duration.ofMillis(500).toNanos(), o.readTimeoutNanos());
        assertEquals(Set.of(RetryCondition.ERROR, RetryCondition.TIMEOUT), o.retryPolicy().conditions());
        assertEquals(Balance.LEAST_REQUEST, o.balance());
        assertEquals(1 << 20, o.maxBodySize());
        assertEquals(AppLabels.DEFAULT_STICKY_COOKIE, o.stickyCookie());
        assertTrue(o.allow().allows(InetAddress.getByName("10.9.8.7")));
        assertTrue(o.allow().allows(InetAddress.getByName("192.168.1.7")));
        assertFalse(o.allow().allows(InetAddress.getByName("192.168.1.8")));
        assertEquals(Set.of("alice", "bob"), o.users().keySet());
        assertNull(o.closedReason());
        assertEquals(List.of(), o.problems());
    }

    @Test
    void nextUpstreamOffNeverRetries() {
        assertTrue(options(Map.of("PACER_NEXT_UPSTREAM", "off")).retryPolicy().conditions().isEmpty());
    }

    @Test
    void badOptionsFallBackAndAreReported() {
        try (LogCapture log = LogCapture.of(AppLabels.class)) {
            Map<String, String> labels = Map.of("PACER_READ_TIMEOUT", "soon", "PACER_BALANCE", "random",
                    "PACER_MAX_BODY_SIZE", "big", "PACER_STRIP_PREFIX", "maybe", "PACER_NEXT_UPSTREAM", "http_999");
            AppOptions o = options(labels);
            assertEquals(0, o.readTimeoutNanos());
            assertNull(o.balance());
            assertEquals(-1, o.maxBodySize());
            assertFalse(o.stripPrefix());
            assertNull(o.retryPolicy());
            assertNull(o.closedReason(), "a bad option does not close the app");
            assertEquals(5, o.problems().size(), o.problems().toString());
            assertTrue(o.problems().stream().anyMatch(p -> p.startsWith("PACER_READ_TIMEOUT=\"soon\"")), o.problems()
                    .toString());
            options(labels);
            assertEquals(5, log.warnings().size(), () -> "each problem logged once: " + log.warnings());
        }
    }

    @Test
    void unreadableAccessLabelsCloseTheApp() {
        AppOptions allow = options(Map.of("PACER_ALLOW", "10.0.0.0/33"));
        assertEquals("PACER_ALLOW cannot be read", allow.closedReason());
        AppOptions auth = options(Map.of("PACER_AUTH", "alice:secret"));
        assertEquals("PACER_AUTH cannot be read", auth.closedReason());
        assertFalse(auth.problems().get(0).contains("secret"), "a password is never shown: " + auth.problems());
        assertEquals("PACER_ALLOW cannot be read", options(Map.of("PACER_ALLOW", "my-office")).closedReason());
        assertEquals("PACER_AUTH cannot be read", options(Map.of("PACER_AUTH", " ")).closedReason());
    }
}
