package io.pacer.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

/** {@code shutdown_grace}, {@code access_log}, {@code access_log_format}, {@code log_level} and {@code log_format}. */
class ShutdownAndLoggingKeysTest {

    @RegisterExtension
    final ConfigFiles files = new ConfigFiles();

    @Test
    void defaults() throws Exception {
        for (PacerConfig config : List.of(PacerConfig.defaults(), files.load(""))) {
            assertEquals(Duration.ofSeconds(30), config.operations().shutdownGrace());
            assertFalse(config.operations().accessLog());
            assertEquals("text", config.operations().accessLogFormat());
            assertEquals("info", config.operations().logLevel());
            assertEquals("text", config.operations().logFormat());
        }
    }

    @Test
    void readsEveryKeyWrittenAsStrings() throws Exception {
        PacerConfig config = files.load("""
                shutdown_grace = "1m 30s"
                access_log = "on"
                access_log_format = "json"
                log_level = "DEBUG"
                log_format = "json"
                """);
        assertEquals(Duration.ofSeconds(90), config.operations().shutdownGrace());
        assertTrue(config.operations().accessLog());
        assertEquals("json", config.operations().accessLogFormat());
        assertEquals("debug", config.operations().logLevel());
        assertEquals("json", config.operations().logFormat());
    }

    @Test
    void readsTomlIntegersAndBooleans() throws Exception {
        PacerConfig config = files.load("shutdown_grace = 5\naccess_log = true\n");
        assertEquals(Duration.ofSeconds(5), config.operations().shutdownGrace());
        assertTrue(config.operations().accessLog());
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
        "0            | PT0S",
        "\"0\"        | PT0S",
        "\"0s\"       | PT0S",
        "\"1500ms\"   | PT1.5S",
        "\"2m\"       | PT2M",
        "60           | PT1M",
    })
    void shutdownGraceForms(String value, String expected) throws Exception {
        assertEquals(Duration.parse(expected), files.load("shutdown_grace = " + value).operations().shutdownGrace());
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
        "true       | true",
        "false      | false",
        "\"on\"     | true",
        "\"off\"    | false",
        "\"true\"   | true",
        "\"false\"  | false",
        "\"ON\"     | true",
        "\"Off\"    | false",
        "\"TRUE\"   | true",
    })
    void accessLogForms(String value, boolean expected) throws Exception {
        assertEquals(expected, files.load("access_log = " + value).operations().accessLog());
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
        "error | error",
        "warn  | warn",
        "info  | info",
        "debug | debug",
        "trace | trace",
        "ERROR | error",
        "Warn  | warn",
        "InFo  | info",
        "TRACE | trace",
    })
    void logLevelIgnoresCaseAndIsKeptInLowerCase(String value, String expected) throws Exception {
        assertEquals(expected, files.load("log_level = \"" + value + "\"").operations().logLevel());
        assertEquals(expected, PacerConfig.builder().logLevel(value).build().operations().logLevel());
    }

    @Test
    void logLevelIsLowerCasedTheSameWayInEveryLocale() throws Exception {
        Locale before = Locale.getDefault();
        Locale.setDefault(Locale.forLanguageTag("tr-TR")); // "INFO".toLowerCase() is "ınfo" here
        try {
            assertEquals("info", files.load("log_level = \"INFO\"").operations().logLevel());
            assertEquals("info", PacerConfig.builder().logLevel("INFO").build().operations().logLevel());
        } finally {
            Locale.setDefault(before);
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"text", "json"})
    void bothFormatsForBothLogs(String format) throws Exception {
        PacerConfig config = files.load("access_log_format = \"" + format + "\"\nlog_format = \"" + format + "\"\n");
        assertEquals(format, config.operations().accessLogFormat());
        assertEquals(format, config.operations().logFormat());
    }

    @Test
    void badAccessLogNamesFileKeyAndTheAcceptedValues() throws IOException {
        ConfigException e = files.failure("access_log = \"yes\"\n");
        assertEquals("access_log", e.key());
        assertEquals(files.dir().resolve("pacer.toml") + ": access_log: \"yes\" is not a switch; accepted: true, false, \"on\", \"off\"",
                e.getMessage());
        assertEquals("must be true, false, \"on\" or \"off\", not an integer", files.failure("access_log = 1\n").problem());
    }

    @Test
    void badLogLevelNamesFileKeyAndTheAcceptedValues() throws IOException {
        ConfigException e = files.failure("log_level = \"verbose\"\n");
        assertEquals("log_level", e.key());
        assertEquals(files.dir().resolve("pacer.toml") + ": log_level: \"verbose\" is not supported; accepted: error, warn, info, debug, trace",
                e.getMessage());
    }

    @Test
    void badFormatsNameFileKeyAndTheAcceptedValues() throws IOException {
        assertEquals(files.dir().resolve("pacer.toml") + ": log_format: \"logfmt\" is not supported; accepted: text, json",
                files.failure("log_format = \"logfmt\"\n").getMessage());
        assertEquals(files.dir().resolve("pacer.toml") + ": access_log_format: \"combined\" is not supported; accepted: text, json",
                files.failure("access_log_format = \"combined\"\n").getMessage());
    }

    @Test
    void negativeShutdownGraceNamesFileKeyAndProblem() throws IOException {
        assertEquals(files.dir().resolve("pacer.toml") + ": shutdown_grace: -1 is negative", files.failure("shutdown_grace = -1\n").getMessage());
    }

    @Test
    void misspelledKeysSuggestTheNewOnes() throws IOException {
        assertEquals("unknown key (did you mean log_level?)", files.failure("log_levle = \"info\"").problem());
        assertEquals("unknown key (did you mean access_log?)", files.failure("acces_log = true").problem());
        assertEquals("unknown key (did you mean shutdown_grace?)", files.failure("shutdown_grase = 1").problem());
    }

    @Test
    void everyNewKeyTakesPartInEqualsAndHashCode() {
        PacerConfig base = PacerConfig.builder().xproxy("p").build();
        List<PacerConfig> changed = List.of(
                base.toBuilder().shutdownGrace(Duration.ofSeconds(31)).build(),
                base.toBuilder().accessLog(true).build(),
                base.toBuilder().accessLogFormat("json").build(),
                base.toBuilder().logLevel("warn").build(),
                base.toBuilder().logFormat("json").build());
        for (PacerConfig c : changed) {
            assertNotEquals(base, c, c.toString());
            assertEquals(c, c.toBuilder().build());
            assertEquals(c.hashCode(), c.toBuilder().build().hashCode());
        }
        assertEquals(base, base.toBuilder().logLevel("INFO").build());
    }

    @Test
    void toBuilderKeepsEveryNewKey() {
        PacerConfig config = PacerConfig.builder().shutdownGrace(Duration.ZERO).accessLog(true)
                .accessLogFormat("json").logLevel("trace").logFormat("json").build().toBuilder().build();
        assertEquals(Duration.ZERO, config.operations().shutdownGrace());
        assertTrue(config.operations().accessLog());
        assertEquals("json", config.operations().accessLogFormat());
        assertEquals("trace", config.operations().logLevel());
        assertEquals("json", config.operations().logFormat());
    }

    @Test
    void toStringUsesTomlKeyNames() {
        String text = PacerConfig.builder().xproxy("p").accessLog(true).logLevel("Debug").build().toString();
        assertTrue(text.contains("shutdown_grace=PT30S"), text);
        assertTrue(text.contains("access_log=true"), text);
        assertTrue(text.contains("access_log_format=text"), text);
        assertTrue(text.contains("log_level=debug"), text);
        assertTrue(text.contains("log_format=text"), text);
    }

    @Test
    void builderRefusesWhatCannotWork() {
        PacerConfig.Builder b = PacerConfig.builder();
        assertThrows(IllegalArgumentException.class, () -> b.shutdownGrace(Duration.ofSeconds(-1)));
        assertThrows(IllegalArgumentException.class, () -> b.shutdownGrace(Duration.ofDays(200_000)));
        assertThrows(NullPointerException.class, () -> b.shutdownGrace(null));
        assertThrows(IllegalArgumentException.class, () -> b.accessLogFormat("combined"));
        assertThrows(IllegalArgumentException.class, () -> b.accessLogFormat("JSON"));
        assertThrows(NullPointerException.class, () -> b.accessLogFormat(null));
        assertThrows(IllegalArgumentException.class, () -> b.logLevel("verbose"));
        assertThrows(IllegalArgumentException.class, () -> b.logLevel(""));
        assertThrows(NullPointerException.class, () -> b.logLevel(null));
        assertThrows(IllegalArgumentException.class, () -> b.logFormat("logfmt"));
        assertThrows(NullPointerException.class, () -> b.logFormat(null));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> b.logFormat("xml"));
        assertTrue(e.getMessage().startsWith("logFormat: \"xml\""), e.getMessage());
        assertEquals(PacerConfig.defaults(), b.build());
    }
}
