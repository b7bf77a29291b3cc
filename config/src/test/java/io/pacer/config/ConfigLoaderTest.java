package io.pacer.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.pacer.core.RetryCondition;
import io.pacer.core.RetryPolicy;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.EnumSet;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class ConfigLoaderTest {

    @RegisterExtension
    final ConfigFiles files = new ConfigFiles();

    @Test
    void anEmptyFileGivesTheDefaults() throws Exception {
        PacerConfig config = files.load("");
        assertEquals(PacerConfig.defaults(), config);
        assertEquals(new InetSocketAddress("0.0.0.0", 8080), config.listeners().listen());
        assertEquals(Optional.empty(), config.discovery().appsFile());
        assertEquals(128L << 20, config.limits().maxBodySize());
        assertEquals(32 << 10, config.limits().maxHeaderSize());
        assertEquals(8 << 10, config.limits().maxUriSize());
        assertEquals(Duration.ofSeconds(30), config.upstream().connectTimeout());
        assertEquals(Duration.ofSeconds(120), config.upstream().readTimeout());
        assertEquals(Duration.ofSeconds(120), config.limits().sendTimeout());
        assertEquals(Duration.ofSeconds(10), config.limits().keepaliveTimeout());
        assertEquals(Duration.ofSeconds(60), config.limits().clientHeaderTimeout());
        assertEquals(Duration.ofSeconds(60), config.limits().clientBodyTimeout());
        assertEquals(Duration.ofSeconds(60), config.upstream().keepaliveTimeout());
        assertEquals(512, config.upstream().keepalive());
        assertEquals(RetryPolicy.DEFAULT_CONDITIONS, config.upstream().retryPolicy().conditions());
        assertFalse(config.upstream().retryPolicy().nonIdempotent());
        assertEquals(0, config.upstream().retryPolicy().tries());
        assertEquals(0, config.upstream().retryPolicy().timeoutNanos());
        assertEquals(64 << 10, config.upstream().replayBufferSize());
        assertEquals(0, config.listeners().workerThreads());
        assertEquals(0, config.limits().maxConnections());
        assertEquals("round_robin", config.upstream().balance());
        assertFalse(config.listeners().xproxy().isEmpty());
    }

    @Test
    void commentsAloneGiveTheDefaults() throws Exception {
        assertEquals(PacerConfig.defaults(), files.load("# nothing here\n\n   # still nothing\n"));
    }

    @Test
    void readsEveryKeyWrittenAsStrings() throws Exception {
        files.write("routes/apps.json", "{\"apps\":[]}");
        PacerConfig config = files.load("""
                listen = "127.0.0.1:9090"
                xproxy = "proxy-1"
                apps_file = "routes/apps.json"
                max_body_size = "1g"
                max_header_size = "16K"
                max_uri_size = "4k"
                connect_timeout = "500ms"
                read_timeout = "2m"
                send_timeout = "1h"
                keepalive_timeout = "0"
                client_header_timeout = "1m 30s"
                client_body_timeout = "1d"
                upstream_keepalive_timeout = "45s"
                upstream_keepalive = "8"
                next_upstream = "error timeout http_429 non_idempotent"
                next_upstream_tries = "3"
                next_upstream_timeout = "15s"
                replay_buffer_size = "1m"
                worker_threads = "4"
                max_connections = "50000"
                balance = "round_robin"
                """);
        assertEquals(new InetSocketAddress("127.0.0.1", 9090), config.listeners().listen());
        assertEquals("proxy-1", config.listeners().xproxy());
        assertEquals(Optional.of(files.dir().resolve("routes/apps.json")), config.discovery().appsFile());
        assertEquals(1L << 30, config.limits().maxBodySize());
        assertEquals(16 << 10, config.limits().maxHeaderSize());
        assertEquals(4 << 10, config.limits().maxUriSize());
        assertEquals(Duration.ofMillis(500), config.upstream().connectTimeout());
        assertEquals(Duration.ofMinutes(2), config.upstream().readTimeout());
        assertEquals(Duration.ofHours(1), config.limits().sendTimeout());
        assertEquals(Duration.ZERO, config.limits().keepaliveTimeout());
        assertEquals(Duration.ofSeconds(90), config.limits().clientHeaderTimeout());
        assertEquals(Duration.ofDays(1), config.limits().clientBodyTimeout());
        assertEquals(Duration.ofSeconds(45), config.upstream().keepaliveTimeout());
        assertEquals(8, config.upstream().keepalive());
        RetryPolicy retry = config.upstream().retryPolicy();
        assertEquals(EnumSet.of(RetryCondition.ERROR, RetryCondition.TIMEOUT, RetryCondition.HTTP_429),
                retry.conditions());
        assertTrue(retry.nonIdempotent());
        assertEquals(3, retry.tries());
        assertEquals(Duration.ofSeconds(15).toNanos(), retry.timeoutNanos());
        assertEquals(1 << 20, config.upstream().replayBufferSize());
        assertEquals(4, config.listeners().workerThreads());
        assertEquals(50000, config.limits().maxConnections());
        assertEquals("round_robin", config.upstream().balance());
    }

    @Test
    void readsEveryNumericKeyWrittenAsIntegers() throws Exception {
        PacerConfig config = files.load("""
                listen = 9091
                max_body_size = 0
                max_header_size = 1024
                max_uri_size = 256
                connect_timeout = 5
                read_timeout = 60
                send_timeout = 61
                keepalive_timeout = 75
                client_header_timeout = 12
                client_body_timeout = 13
                upstream_keepalive_timeout = 14
                upstream_keepalive = 0
                next_upstream = ["http_500", "http_502", "http_503", "http_504", "http_403", "http_404", "invalid_header"]
                next_upstream_tries = 2
                next_upstream_timeout = 7
                replay_buffer_size = 0
                worker_threads = 16
                max_connections = 100
                """);
        assertEquals(new InetSocketAddress(9091), config.listeners().listen());
        assertEquals(0, config.limits().maxBodySize());
        assertEquals(1024, config.limits().maxHeaderSize());
        assertEquals(256, config.limits().maxUriSize());
        assertEquals(Duration.ofSeconds(5), config.upstream().connectTimeout());
        assertEquals(Duration.ofSeconds(60), config.upstream().readTimeout());
        assertEquals(Duration.ofSeconds(61), config.limits().sendTimeout());
        assertEquals(Duration.ofSeconds(75), config.limits().keepaliveTimeout());
        assertEquals(Duration.ofSeconds(12), config.limits().clientHeaderTimeout());
        assertEquals(Duration.ofSeconds(13), config.limits().clientBodyTimeout());
        assertEquals(Duration.ofSeconds(14), config.upstream().keepaliveTimeout());
        assertEquals(0, config.upstream().keepalive());
        assertEquals(EnumSet.of(RetryCondition.HTTP_500, RetryCondition.HTTP_502, RetryCondition.HTTP_503,
                RetryCondition.HTTP_504, RetryCondition.HTTP_403, RetryCondition.HTTP_404,
                RetryCondition.INVALID_HEADER), config.upstream().retryPolicy().conditions());
        assertFalse(config.upstream().retryPolicy().nonIdempotent());
        assertEquals(2, config.upstream().retryPolicy().tries());
        assertEquals(Duration.ofSeconds(7).toNanos(), config.upstream().retryPolicy().timeoutNanos());
        assertEquals(0, config.upstream().replayBufferSize());
        assertEquals(16, config.listeners().workerThreads());
        assertEquals(100, config.limits().maxConnections());
    }

    @Test
    void largestAcceptedSizes() throws Exception {
        PacerConfig config = files.load("""
                max_body_size = "8589934591g"
                max_header_size = "1m"
                max_uri_size = 1048576
                replay_buffer_size = "64m"
                """);
        assertEquals(Long.MAX_VALUE - (1L << 30) + 1, config.limits().maxBodySize());
        assertEquals(1 << 20, config.limits().maxHeaderSize());
        assertEquals(1 << 20, config.limits().maxUriSize());
        assertEquals(64 << 20, config.upstream().replayBufferSize());
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
        "\"127.0.0.1:0\"     | 127.0.0.1 | 0",
        "\":9000\"           | 0.0.0.0   | 9000",
        "\"*:9000\"          | 0.0.0.0   | 9000",
        "\"9000\"            | 0.0.0.0   | 9000",
        "9000                | 0.0.0.0   | 9000",
        "\"[::1]:8443\"      | ::1       | 8443",
        "\"[::]:80\"         | ::        | 80",
        "\"0.0.0.0:65535\"   | 0.0.0.0   | 65535",
    })
    void listenForms(String value, String host, int port) throws Exception {
        InetSocketAddress listen = files.load("listen = " + value).listeners().listen();
        assertEquals(new InetSocketAddress(InetAddress.getByName(host), port), listen);
        assertFalse(listen.isUnresolved());
    }

    @Test
    void listenResolvesHostNamesAtLoadTime() throws Exception {
        InetSocketAddress listen = files.load("listen = \"localhost:8081\"").listeners().listen();
        assertFalse(listen.isUnresolved());
        assertTrue(listen.getAddress().isLoopbackAddress());
        assertEquals(8081, listen.getPort());
    }

    @Test
    void nextUpstreamOffRetriesNothing() throws Exception {
        RetryPolicy retry = files.load("next_upstream = [\"off\"]").upstream().retryPolicy();
        assertTrue(retry.conditions().isEmpty());
        assertFalse(retry.nonIdempotent());
        for (RetryCondition condition : RetryCondition.values()) {
            assertFalse(retry.retries(condition), condition.nginxName());
            assertFalse(retry.allowsRetry(condition, "GET", false, 1, 10, 0), condition.nginxName());
        }
    }

    @Test
    void nextUpstreamOffAsAStringToo() throws Exception {
        assertTrue(files.load("next_upstream = \"off\"").upstream().retryPolicy().conditions().isEmpty());
    }

    @Test
    void nonIdempotentLetsPostBeReplayed() throws Exception {
        RetryPolicy retry = files.load("next_upstream = [\"error\", \"non_idempotent\"]").upstream().retryPolicy();
        assertTrue(retry.nonIdempotent());
        assertEquals(EnumSet.of(RetryCondition.ERROR), retry.conditions());
        assertTrue(retry.allowsRetry(RetryCondition.ERROR, "POST", true, 1, 2, 0));
        RetryPolicy without = files.load("next_upstream = [\"error\"]").upstream().retryPolicy();
        assertFalse(without.allowsRetry(RetryCondition.ERROR, "POST", true, 1, 2, 0));
    }

    @Test
    void nextUpstreamNamesIgnoreCaseAndRepeats() throws Exception {
        RetryPolicy retry = files.load("next_upstream = [\"ERROR\", \"Http_502\", \"error\"]").upstream().retryPolicy();
        assertEquals(EnumSet.of(RetryCondition.ERROR, RetryCondition.HTTP_502), retry.conditions());
    }

    @Test
    void retryKeysCombineInAnyOrder() throws Exception {
        RetryPolicy retry = files.load("""
                next_upstream_timeout = "2s"
                next_upstream_tries = 5
                next_upstream = ["timeout"]
                """).upstream().retryPolicy();
        assertEquals(EnumSet.of(RetryCondition.TIMEOUT), retry.conditions());
        assertEquals(5, retry.tries());
        assertEquals(2_000_000_000L, retry.timeoutNanos());
    }

    @Test
    void relativeAppsFileIsResolvedAgainstTheConfigFilesDirectory() throws Exception {
        Path apps = files.write("etc/pacer/apps.json", "{\"apps\":[]}");
        Path config = files.write("etc/pacer/pacer.toml", "apps_file = \"apps.json\"");
        assertEquals(Optional.of(apps), ConfigLoader.load(config).discovery().appsFile());
        Path sibling = files.write("etc/pacer/other.json", "{}");
        Path config2 = files.write("etc/pacer/pacer2.toml", "apps_file = \"./more/../other.json\"");
        assertEquals(Optional.of(sibling), ConfigLoader.load(config2).discovery().appsFile());
    }

    @Test
    void absoluteAppsFileIsKeptAsIs() throws Exception {
        Path apps = files.write("elsewhere/apps.json", "{\"apps\":[]}");
        Path config = files.write("etc/pacer.toml", "apps_file = '" + apps + "'");
        assertEquals(Optional.of(apps), ConfigLoader.load(config).discovery().appsFile());
    }

    @Test
    void missingAppsFileIsAnError() throws IOException {
        Path config = files.write("etc/pacer.toml", "apps_file = \"apps.json\"");
        ConfigException e = assertThrows(ConfigException.class, () -> ConfigLoader.load(config));
        assertEquals("apps_file", e.key());
        assertTrue(e.problem().contains("does not exist"), e.problem());
        assertTrue(e.getMessage().contains(files.dir().resolve("etc/apps.json").toString()), e.getMessage());
    }

    @Test
    void unknownKeySuggestsTheClosestKnownOne() throws IOException {
        ConfigException e = files.failure("listen = \":8080\"\nconect_timeout = \"5s\"\n");
        assertEquals("conect_timeout", e.key());
        assertEquals("unknown key (did you mean connect_timeout?)", e.problem());
        assertEquals(e.file() + ": conect_timeout: unknown key (did you mean connect_timeout?)", e.getMessage());
        assertEquals("unknown key (did you mean max_body_size?)", files.failure("MAX_BODY_SIZE = 1").problem());
        assertEquals("unknown key (did you mean xproxy?)", files.failure("x_proxy = \"p\"").problem());
    }

    @Test
    void unknownKeyFarFromEveryKnownOneHasNoSuggestion() throws IOException {
        ConfigException e = files.failure("zookeeper = [\"zk://m1:2181\"]");
        assertEquals("zookeeper", e.key());
        assertEquals("unknown key", e.problem());
    }

    @Test
    void unknownTableIsAnUnknownKey() throws IOException {
        ConfigException e = files.failure("[proxy]\nlisten = \":80\"\n");
        assertEquals("proxy", e.key());
        assertTrue(e.problem().startsWith("unknown key"), e.problem());
    }

    @Test
    void nixyOnlyKeysAreIgnoredWithAWarningEach() throws Exception {
        Path file = files.write("nginx_cmd = \"nginx\"\n[statsd]\naddr = \"localhost:8125\"\n");
        PacerConfig config = ConfigLoader.load(file);
        assertEquals(PacerConfig.defaults(), config);
        assertEquals(2, config.warnings().size(), config.warnings().toString());
        String nginx = config.warnings().get(0);
        assertTrue(nginx.startsWith(file + ": nginx_cmd: ignored"), nginx);
        assertTrue(nginx.contains("Nixy") && nginx.contains("Nginx"), nginx);
        String statsd = config.warnings().get(1);
        assertTrue(statsd.startsWith(file + ": statsd: ignored") && statsd.contains("statsd"), statsd);
    }

    @Test
    void theFirstProblemInFileOrderIsReported() throws IOException {
        assertEquals("read_timeout", files.failure("read_timeout = \"x\"\nbogus = 1\n").key());
        assertEquals("bogus", files.failure("bogus = 1\nread_timeout = \"x\"\n").key());
    }

    @Test
    void tomlSyntaxErrorGivesLineAndColumn() throws IOException {
        ConfigException e = files.failure("listen = \":8080\"\nread_timeout = \n");
        assertEquals("", e.key());
        assertTrue(e.problem().startsWith("invalid TOML at line 2, column "), e.problem());
        assertEquals(e.file() + ": " + e.problem(), e.getMessage());
    }

    @Test
    void duplicateKeyIsATomlError() throws IOException {
        ConfigException e = files.failure("listen = \":1\"\nlisten = \":2\"\n");
        assertEquals("", e.key());
        // The parser reports where it noticed, which can be just past the line at fault.
        assertTrue(e.problem().startsWith("invalid TOML at line "), e.problem());
        assertTrue(e.problem().contains("Duplicate key"), e.problem());
    }

    @Test
    void impossibleDateIsATomlError() throws IOException {
        ConfigException e = files.failure("xproxy = 1979-13-45\n");
        assertEquals("", e.key());
        assertTrue(e.problem().startsWith("invalid TOML"), e.problem());
    }

    @Test
    void invalidUtf8IsAnError() throws IOException {
        Path file = files.dir().resolve("pacer.toml");
        Files.write(file, new byte[] {'x', 'p', 'r', 'o', 'x', 'y', ' ', '=', ' ', '"', (byte) 0xC3, '"', '\n'});
        ConfigException e = assertThrows(ConfigException.class, () -> ConfigLoader.load(file));
        assertEquals("", e.key());
        assertEquals("is not valid UTF-8", e.problem());
    }

    @Test
    void missingFileIsAnError() {
        Path file = files.dir().resolve("nope.toml");
        ConfigException e = assertThrows(ConfigException.class, () -> ConfigLoader.load(file));
        assertEquals(file, e.file());
        assertEquals("", e.key());
        assertEquals("file not found", e.problem());
        assertEquals(file + ": file not found", e.getMessage());
    }

    @Test
    void directoryIsAnError() {
        ConfigException e = assertThrows(ConfigException.class, () -> ConfigLoader.load(files.dir()));
        assertEquals("", e.key());
        assertTrue(e.problem().contains("directory"), e.problem());
    }

    @Test
    void loadingTwiceGivesEqualConfigs() throws Exception {
        String toml = "listen = \"127.0.0.1:0\"\nnext_upstream = [\"error\", \"http_404\"]\nnext_upstream_tries = 2\n";
        PacerConfig a = files.load(toml);
        PacerConfig b = files.load(toml);
        assertEquals(a, b);
        assertEquals(a.hashCode(), b.hashCode());
        assertNotEquals(a, files.load(toml + "next_upstream_timeout = 1\n"));
    }
}
