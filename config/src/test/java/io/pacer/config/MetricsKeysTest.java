package io.pacer.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** {@code app_latency_histograms}. */
class MetricsKeysTest {

    @RegisterExtension
    final ConfigFiles files = new ConfigFiles();

    @Test
    void offByDefault() throws Exception {
        assertFalse(PacerConfig.defaults().operations().appLatencyHistograms());
        assertFalse(files.load("").operations().appLatencyHistograms());
    }

    @Test
    void switchedOn() throws Exception {
        PacerConfig on = files.load("app_latency_histograms = true\n");
        assertTrue(on.operations().appLatencyHistograms());
        assertTrue(files.load("app_latency_histograms = \"on\"\n").operations().appLatencyHistograms());
        assertNotEquals(PacerConfig.defaults(), on);
        assertEquals(on, PacerConfig.builder().appLatencyHistograms(true).build());
        assertTrue(on.toString().contains("app_latency_histograms=true"), on.toString());
    }

    @Test
    void notASwitch() throws Exception {
        ConfigException e = files.failure("app_latency_histograms = 1\n");
        assertTrue(e.getMessage().contains("app_latency_histograms"), e.getMessage());
    }
}
