package io.pacer.discovery;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.pacer.config.ConfigLoader;
import io.pacer.config.PacerConfig;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class MarathonSettingsTest {

    private static final List<URI> ONE = List.of(URI.create("http://m1:8080"));

    @Test
    void fromAConfigFile(@TempDir Path dir) throws Exception {
        Path toml = dir.resolve("nixy.toml");
        Files.writeString(toml, """
                port = "8000"
                marathon = ["http://m1:8080", "http://m2:8080"]
                user = "ops"
                pass = "pw"
                realm = "public"
                resync_interval = "1m"
                stream_watchdog = "20s"
                marathon_timeout = "3s"
                nginx_cmd = "nginx"
                """);
        MarathonSettings s = MarathonSettings.from(ConfigLoader.load(toml));
        assertEquals(List.of(URI.create("http://m1:8080"), URI.create("http://m2:8080")), s.endpoints());
        assertEquals("ops", s.user());
        assertEquals("pw", s.pass());
        assertEquals(new RouteOptions("public"), s.routeOptions());
        assertEquals(Duration.ofMinutes(1), s.resyncInterval());
        assertEquals(Duration.ofSeconds(20), s.streamWatchdog());
        assertEquals(Duration.ofSeconds(3), s.requestTimeout());
        assertEquals(Duration.ofSeconds(2), s.pingInterval());
        assertEquals(Duration.ofSeconds(5), s.pingTimeout());
        assertFalse(s.toString().contains("pw"), s.toString());
    }

    @Test
    void defaultsAreNixys() {
        MarathonSettings s = MarathonSettings.from(PacerConfig.builder().marathon(ONE).build());
        assertNull(s.user());
        assertEquals(RouteOptions.defaults(), s.routeOptions());
        assertEquals(Duration.ofMinutes(5), s.resyncInterval());
        assertEquals(Duration.ofSeconds(15), s.streamWatchdog());
        assertEquals(Duration.ofSeconds(10), s.requestTimeout());
        assertEquals(Duration.ofMillis(100), s.reconnectMin());
        assertEquals(Duration.ofSeconds(5), s.reconnectMax());
        assertTrue(s.coalesceDelay().compareTo(Duration.ofMillis(20)) <= 0);
    }

    @Test
    void refusesWhatCannotWork() {
        assertThrows(IllegalArgumentException.class, () -> MarathonSettings.from(PacerConfig.defaults()));
        assertThrows(IllegalArgumentException.class, () -> MarathonSettings.of(List.of(URI.create("m1:8080"))));
        assertThrows(IllegalArgumentException.class, () -> MarathonSettings.of(List.of(URI.create("http://m1/?q"))));
        MarathonSettings s = MarathonSettings.of(ONE);
        assertThrows(IllegalArgumentException.class, () -> s.withStreamWatchdog(Duration.ZERO));
        assertThrows(IllegalArgumentException.class, () -> s.withReconnectBackoff(Duration.ofSeconds(2), Duration.ofSeconds(1)));
        assertThrows(IllegalArgumentException.class, () -> s.withCoalesceDelay(Duration.ofSeconds(2)));
        assertThrows(IllegalArgumentException.class, () -> s.withMaxRedirects(-1));
        assertEquals(Duration.ZERO, s.withResyncInterval(Duration.ZERO).resyncInterval());
    }
}
