package io.pacer.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The operator-facing pacer.toml and apps.json in the module directory (the tests' working directory). */
class ShippedFilesTest {

    private static final Path PACER_TOML = Path.of("pacer.toml");
    private static final Path APPS_JSON = Path.of("apps.json");
    private static final Path NIXY_TOML = Path.of("nixy.toml");
    private static final Pattern COMMENTED_KEY = Pattern.compile("^# ([a-z_]+ = .*)$");

    @Test
    void shippedConfigLoads() throws Exception {
        PacerConfig config = ConfigLoader.load(PACER_TOML);
        assertEquals(new InetSocketAddress("127.0.0.1", 8080), config.listeners().listen());
        assertEquals("pacer-local", config.listeners().xproxy());
        assertEquals(Optional.of(APPS_JSON.toAbsolutePath()), config.discovery().appsFile());
        // The README's "Try it" shows /v1/routes and /metrics, so the admin API is on, on loopback.
        assertEquals(Optional.of(new InetSocketAddress("127.0.0.1", 8081)), config.adminAddress());
        assertEquals(Optional.empty(), config.admin().token());
    }

    @Test
    void shippedNixyConfigLoadsAsTheArticleWroteIt() throws Exception {
        PacerConfig config = ConfigLoader.load(NIXY_TOML);
        assertEquals(8000, config.admin().port());
        assertEquals(List.of(URI.create("http://master-1:8080"), URI.create("http://master-2:8080"),
                URI.create("http://master-3:8080"), URI.create("http://master-4:8080"),
                URI.create("http://master-5:8080")), config.discovery().marathon());
        assertEquals(Optional.empty(), config.discovery().appsFile());
        assertEquals(Optional.empty(), config.discovery().user());
        assertEquals(3, config.warnings().size(), config.warnings().toString());
        for (String key : List.of("nginx_config", "nginx_template", "nginx_cmd")) {
            assertTrue(config.warnings().stream().anyMatch(w -> w.startsWith(NIXY_TOML + ": " + key + ": ignored")),
                    key + " in " + config.warnings());
        }
        // Everything else is Pacer's defaults.
        assertEquals(PacerConfig.builder().adminPort(8000).marathon(config.discovery().marathon()).build(), config);
    }

    @Test
    void shippedConfigHasNoWarnings() throws Exception {
        assertEquals(List.of(), ConfigLoader.load(PACER_TOML).warnings());
    }

    @Test
    void everyCommentedOutKeyShowsItsDefault(@TempDir Path dir) throws Exception {
        List<String> lines = new ArrayList<>();
        for (String line : Files.readAllLines(PACER_TOML)) {
            Matcher m = COMMENTED_KEY.matcher(line);
            lines.add(m.matches() ? m.group(1) : line);
        }
        Path copy = dir.resolve("pacer.toml");
        Files.write(copy, lines);
        Files.copy(APPS_JSON, dir.resolve("apps.json"));
        PacerConfig expected = PacerConfig.builder()
                .listen(new InetSocketAddress("127.0.0.1", 8080))
                .xproxy("pacer-local")
                .appsFile(dir.resolve("apps.json"))
                .adminListen(new InetSocketAddress("127.0.0.1", 8081))
                .build();
        assertEquals(expected, ConfigLoader.load(copy));
    }

    @Test
    void everyKeyIsDocumented() throws Exception {
        String text = Files.readString(PACER_TOML);
        for (String key : Keys.names()) {
            assertTrue(Pattern.compile("(?m)^(# )?" + key + " = ").matcher(text).find(), key);
        }
    }

    @Test
    void appsFileHasMarathonsShape() throws Exception {
        JsonNode apps = new ObjectMapper().readTree(APPS_JSON.toFile()).get("apps");
        assertEquals(2, apps.size());
        JsonNode hello = apps.get(0);
        assertEquals("/hello-world", hello.get("id").asText());
        assertEquals(0, hello.get("labels").size());
        assertEquals(0, hello.get("healthChecks").size());
        assertEquals(List.of(9001, 9002), ports(hello));
        JsonNode cart = apps.get(1);
        assertEquals("/shop/cart", cart.get("id").asText());
        assertEquals(List.of(9003), ports(cart));
        for (JsonNode app : apps) {
            for (JsonNode task : app.get("tasks")) {
                assertEquals(app.get("id"), task.get("appId"));
                assertEquals("TASK_RUNNING", task.get("state").asText());
                assertEquals("127.0.0.1", task.get("host").asText());
                assertEquals("127.0.0.1", task.get("ipAddresses").get(0).get("ipAddress").asText());
                assertEquals(0, task.get("healthCheckResults").size());
                assertTrue(task.get("id").asText().startsWith(app.get("id").asText().substring(1).replace('/', '_') + "."));
                for (String field : List.of("startedAt", "stagedAt", "version")) {
                    assertTrue(task.hasNonNull(field), field);
                }
            }
        }
    }

    private static List<Integer> ports(JsonNode app) {
        List<Integer> ports = new ArrayList<>();
        for (JsonNode task : app.get("tasks")) {
            assertEquals(1, task.get("ports").size());
            ports.add(task.get("ports").get(0).asInt());
        }
        return ports;
    }
}
