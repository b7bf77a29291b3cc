package io.pacer.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** The keys Nixy's {@code nixy.toml} shares with Pacer, and Pacer's keys for following Marathon. */
class MarathonKeysTest {

    @RegisterExtension
    final ConfigFiles files = new ConfigFiles();

    @Test
    void defaults() {
        PacerConfig config = PacerConfig.defaults();
        assertEquals(List.of(), config.discovery().marathon());
        assertEquals(Optional.empty(), config.discovery().user());
        assertEquals(Optional.empty(), config.discovery().pass());
        assertEquals(Optional.empty(), config.discovery().realm());
        assertEquals(0, config.admin().port());
        assertEquals(Duration.ofMinutes(5), config.discovery().resyncInterval());
        assertEquals(Duration.ofSeconds(15), config.discovery().streamWatchdog());
        assertEquals(Duration.ofSeconds(10), config.discovery().marathonTimeout());
        assertEquals(List.of(), config.warnings());
    }

    @Test
    void readsEveryKey() throws Exception {
        PacerConfig config = files.load("""
                marathon = ["http://master-1:8080", "HTTPS://Master-2.example.com:8443/marathon/"]
                user = "ops"
                pass = "s3cret"
                realm = "public"
                port = "8000"
                resync_interval = "1m"
                stream_watchdog = "20s"
                marathon_timeout = "3s"
                """);
        assertEquals(List.of(URI.create("http://master-1:8080"), URI.create("https://master-2.example.com:8443/marathon")),
                config.discovery().marathon());
        assertEquals(Optional.of("ops"), config.discovery().user());
        assertEquals(Optional.of("s3cret"), config.discovery().pass());
        assertEquals(Optional.of("public"), config.discovery().realm());
        assertEquals(8000, config.admin().port());
        assertEquals(Duration.ofMinutes(1), config.discovery().resyncInterval());
        assertEquals(Duration.ofSeconds(20), config.discovery().streamWatchdog());
        assertEquals(Duration.ofSeconds(3), config.discovery().marathonTimeout());
        assertEquals(List.of(), config.warnings());
    }

    @Test
    void portAsAnIntegerOrAString() throws Exception {
        assertEquals(8000, files.load("port = 8000").admin().port());
        assertEquals(8000, files.load("port = \"8000\"").admin().port());
        assertEquals(0, files.load("port = 0").admin().port());
        assertEquals("port", files.failure("port = 65536").key());
        assertEquals("port", files.failure("port = \"80a\"").key());
        assertEquals("port", files.failure("port = -1").key());
    }

    @Test
    void marathonAsOneStringOfUrls() throws Exception {
        assertEquals(List.of(URI.create("http://m1:8080"), URI.create("http://m2:8080")),
                files.load("marathon = \"http://m1:8080/ http://m2:8080\"").discovery().marathon());
    }

    @Test
    void anEmptyMarathonListMeansNone() throws Exception {
        assertEquals(PacerConfig.defaults(), files.load("marathon = []"));
    }

    @Test
    void userInfoInAUrlIsKeptButNeverShown() throws Exception {
        PacerConfig config = files.load("marathon = [\"http://ops:pw@m1:8080\"]\nuser = \"u\"\npass = \"topsecret\"\n");
        assertEquals(URI.create("http://ops:pw@m1:8080"), config.discovery().marathon().get(0));
        String shown = config.toString();
        assertFalse(shown.contains("topsecret"), shown);
        assertFalse(shown.contains("pw"), shown);
        assertTrue(shown.contains("marathon=[http://***@m1:8080]"), shown);
        assertTrue(shown.contains("user=\"u\""), shown);
        assertEquals("http://***@m1:8080/x", PacerConfig.masked(URI.create("http://a:b@m1:8080/x")));
        assertEquals("http://m1:8080", PacerConfig.masked(URI.create("http://m1:8080")));
    }

    @Test
    void blankUserPassAndRealmMeanNone() throws Exception {
        PacerConfig config = files.load("user = \"\"\npass = \"\"\nrealm = \"  \"\n");
        assertEquals(PacerConfig.defaults(), config);
        assertEquals(Optional.empty(), config.discovery().user());
        assertEquals(Optional.empty(), config.discovery().realm());
    }

    @ParameterizedTest
    @ValueSource(strings = {
        "marathon = [\"master-1:8080\"]",
        "marathon = [\"ftp://m1\"]",
        "marathon = [\"http://\"]",
        "marathon = [\"http://m1:8080?x=1\"]",
        "marathon = [\"http://m1:8080#top\"]",
        "marathon = [\"http://m1 :8080\"]",
        "marathon = [\"http://m1:8080\", \"http://M1:8080/\"]",
        "marathon = [1]",
        "marathon = 1",
    })
    void badMarathonUrlsAreRefused(String toml) throws IOException {
        ConfigException e = files.failure(toml);
        assertEquals("marathon", e.key(), e.getMessage());
    }

    @Test
    void badDurationsAreRefused() throws IOException {
        assertEquals("stream_watchdog", files.failure("stream_watchdog = \"0\"").key());
        assertEquals("marathon_timeout", files.failure("marathon_timeout = 0").key());
        assertEquals("resync_interval", files.failure("resync_interval = \"5x\"").key());
    }

    @Test
    void zeroResyncIntervalDisablesIt() throws Exception {
        assertEquals(Duration.ZERO, files.load("resync_interval = 0").discovery().resyncInterval());
    }

    @Test
    void marathonAndAppsFileTogetherIsAnErrorNamingBoth() throws IOException {
        files.write("apps.json", "{\"apps\":[]}");
        ConfigException e = files.failure("apps_file = \"apps.json\"\nmarathon = [\"http://m1:8080\"]\n");
        assertEquals("marathon", e.key());
        assertTrue(e.problem().contains("apps_file"), e.problem());
        assertTrue(e.getMessage().contains("marathon") && e.getMessage().contains("apps_file"), e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> PacerConfig.builder()
                .appsFile(files.dir().resolve("apps.json")).marathon(List.of(URI.create("http://m1:8080"))).build());
    }

    @Test
    void everyIgnoredNixyKeyWarnsOnce() throws Exception {
        Path file = files.write("nixy.toml", """
                port = "8000"
                xproxy = "proxy-1"
                marathon = ["http://m1:8080"]
                nginx_config = "/etc/nginx/nginx.conf"
                nginx_template = "/opt/nixy/nginx.tmpl"
                nginx_cmd = "nginx"
                nginx_ignore_check = true
                left_delimiter = "{{"
                right_delimiter = "}}"

                [statsd]
                addr = "localhost:8125"
                namespace = "nixy.my_mesos_cluster"
                sample_rate = 100
                """);
        PacerConfig config = ConfigLoader.load(file);
        List<String> keys = config.warnings().stream()
                .map(w -> w.substring(file.toString().length() + 2, w.indexOf(": ignored")))
                .toList();
        assertEquals(List.of("nginx_config", "nginx_template", "nginx_cmd", "nginx_ignore_check", "left_delimiter",
                "right_delimiter", "statsd"), keys);
        assertEquals("proxy-1", config.listeners().xproxy());
        assertEquals(8000, config.admin().port());
    }

    @Test
    void warningsDoNotMakeConfigsDifferent() throws Exception {
        assertEquals(files.load("port = 1"), files.load("port = 1\nnginx_cmd = \"nginx\"\n"));
        PacerConfig warned = files.load("nginx_cmd = \"nginx\"");
        assertEquals(warned.warnings(), warned.toBuilder().build().warnings());
    }

    @Test
    void builderRefusesWhatCannotWork() {
        PacerConfig.Builder b = PacerConfig.builder();
        assertThrows(IllegalArgumentException.class, () -> b.adminPort(70000));
        assertThrows(IllegalArgumentException.class, () -> b.streamWatchdog(Duration.ZERO));
        assertThrows(IllegalArgumentException.class, () -> b.marathonTimeout(Duration.ZERO));
        assertThrows(IllegalArgumentException.class, () -> b.resyncInterval(Duration.ofSeconds(-1)));
        assertThrows(IllegalArgumentException.class, () -> b.marathon(List.of(URI.create("m1:8080"))));
        assertThrows(IllegalArgumentException.class, () -> b.marathon(List.of(URI.create("file:///x"))));
    }
}
