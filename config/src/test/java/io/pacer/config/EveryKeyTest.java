package io.pacer.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Guards the places a new key must reach: with the settings spread over group records and a flat
 * builder, a key that misses its component, its {@code build()} argument, its {@code toBuilder()}
 * copy or its {@code toString} line fails here rather than silently.
 */
class EveryKeyTest {

    @TempDir
    Path dir;

    /** A value other than the default for every key; keys that only work in pairs share an entry. */
    private Map<String, String> nonDefaults() throws IOException {
        Path certs = Files.createDirectories(dir.resolve("certs"));
        Path apps = Files.writeString(dir.resolve("apps.json"), "{\"apps\": []}");
        Map<String, String> m = new LinkedHashMap<>();
        m.put("listen", "listen = \"127.0.0.1:9090\"");
        m.put("tls_listen tls_certificates", "tls_listen = \"127.0.0.1:9443\"\ntls_certificates = '" + certs + "'");
        m.put("tls_default_certificate", "tls_default_certificate = \"shop\"");
        m.put("http2_cleartext", "http2_cleartext = true");
        m.put("http2_max_concurrent_streams", "http2_max_concurrent_streams = 64");
        m.put("xproxy", "xproxy = \"edge-1\"");
        m.put("apps_file", "apps_file = '" + apps + "'");
        m.put("max_body_size", "max_body_size = \"1m\"");
        m.put("max_header_size", "max_header_size = \"16k\"");
        m.put("max_uri_size", "max_uri_size = \"4k\"");
        m.put("connect_timeout", "connect_timeout = \"5s\"");
        m.put("read_timeout", "read_timeout = \"31s\"");
        m.put("send_timeout", "send_timeout = \"32s\"");
        m.put("keepalive_timeout", "keepalive_timeout = \"33s\"");
        m.put("client_header_timeout", "client_header_timeout = \"34s\"");
        m.put("client_body_timeout", "client_body_timeout = \"35s\"");
        m.put("upstream_keepalive_timeout", "upstream_keepalive_timeout = \"36s\"");
        m.put("upstream_keepalive", "upstream_keepalive = 8");
        m.put("next_upstream", "next_upstream = [\"timeout\"]");
        m.put("next_upstream_tries", "next_upstream_tries = 3");
        m.put("next_upstream_timeout", "next_upstream_timeout = \"5s\"");
        m.put("replay_buffer_size", "replay_buffer_size = \"8k\"");
        m.put("worker_threads", "worker_threads = 2");
        m.put("transport", "transport = \"nio\"");
        m.put("max_connections", "max_connections = 100");
        m.put("balance", "balance = \"least_request\"");
        m.put("trusted_proxies", "trusted_proxies = [\"10.0.0.0/8\"]");
        m.put("proxy_protocol", "proxy_protocol = true");
        m.put("route_by", "route_by = \"host\"");
        m.put("max_fails", "max_fails = 3");
        m.put("fail_timeout", "fail_timeout = \"30s\"");
        m.put("marathon", "marathon = [\"http://m1:8080\"]");
        m.put("user", "user = \"ops\"");
        m.put("pass", "pass = \"pw\"");
        m.put("realm", "realm = \"public\"");
        m.put("port", "port = 8000");
        m.put("admin_listen", "admin_listen = \"127.0.0.1:8001\"");
        m.put("admin_token", "admin_token = \"0123456789abcdef0123\"");
        m.put("resync_interval", "resync_interval = \"1m\"");
        m.put("stream_watchdog", "stream_watchdog = \"20s\"");
        m.put("marathon_timeout", "marathon_timeout = \"3s\"");
        m.put("shutdown_grace", "shutdown_grace = \"5s\"");
        m.put("access_log", "access_log = true");
        m.put("access_log_format", "access_log_format = \"json\"");
        m.put("log_level", "log_level = \"debug\"");
        m.put("app_latency_histograms", "app_latency_histograms = true");
        m.put("log_format", "log_format = \"json\"");
        return m;
    }

    private PacerConfig load(String toml) throws Exception {
        Path file = dir.resolve("pacer.toml");
        // A fixed xproxy, so that no config depends on the host name; the xproxy entry sets its own.
        Files.writeString(file, (toml.startsWith("xproxy") ? "" : "xproxy = \"p\"\n") + toml + "\n");
        return ConfigLoader.load(file);
    }

    @Test
    void everyKeyIsCovered() throws Exception {
        TreeSet<String> covered = new TreeSet<>();
        for (String entry : nonDefaults().keySet()) {
            covered.addAll(List.of(entry.split(" ")));
        }
        assertEquals(new TreeSet<>(Keys.names()), covered, "give a new key a non-default value here");
    }

    @Test
    void everyKeyChangesTheConfigSurvivesToBuilderAndIsShown() throws Exception {
        PacerConfig base = load("");
        for (Map.Entry<String, String> e : nonDefaults().entrySet()) {
            PacerConfig c = load(e.getValue());
            assertNotEquals(base, c, e.getKey() + " does not reach the config");
            assertNotEquals(base.toString(), c.toString(), e.getKey() + " is not shown");
            assertEquals(c, c.toBuilder().build(), e.getKey() + " is lost by toBuilder");
            assertEquals(c.hashCode(), c.toBuilder().build().hashCode(), e.getKey());
            assertEquals(c.toString(), c.toBuilder().build().toString(), e.getKey());
            for (String key : e.getKey().split(" ")) {
                if (!key.startsWith("next_upstream")) { // shown as the retry policy
                    assertTrue(c.toString().contains(key + "="), key + " is not named in " + c);
                }
            }
        }
    }
}
