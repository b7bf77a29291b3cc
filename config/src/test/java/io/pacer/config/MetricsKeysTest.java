package io.pacer.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code app_latency_histograms}. */
class MetricsKeysTest {

    @TempDir
    Path dir;

    private PacerConfig load(String toml) throws Exception {
        return ConfigLoader.load(Files.writeString(dir.resolve("pacer.toml"), toml, StandardCharsets.UTF_8));
    }

    @Test
    void offByDefault() throws Exception {
        assertFalse(PacerConfig.defaults().operations().appLatencyHistograms());
        assertFalse(load("").operations().appLatencyHistograms());
    }

    @Test
    void switchedOn() throws Exception {
        PacerConfig on = load("app_latency_histograms = true\n");
        assertTrue(on.operations().appLatencyHistograms());
        assertTrue(load("app_latency_histograms = \"on\"\n").operations().appLatencyHistograms());
        assertNotEquals(PacerConfig.defaults(), on);
        assertEquals(on, PacerConfig.builder().appLatencyHistograms(true).build());
        assertTrue(on.toString().contains("app_latency_histograms=true"), on.toString());
    }

    @Test
    void notASwitch() throws Exception {
        Path file = Files.writeString(dir.resolve("pacer.toml"), "app_latency_histograms = 1\n", StandardCharsets.UTF_8);
        ConfigException e = assertThrows(ConfigException.class, () -> ConfigLoader.load(file));
        assertEquals(file, e.file());
        assertTrue(e.getMessage().contains("app_latency_histograms"), e.getMessage());
    }
}
