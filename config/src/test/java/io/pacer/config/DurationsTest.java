package io.pacer.config;

import static org.junit.jupiter.api.Assertions.assertDoesNotThrow;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

class DurationsTest {

    @ParameterizedTest
    @CsvSource({
        "0, 0",
        "0s, 0",
        "0ms, 0",
        "500ms, 500",
        "30s, 30000",
        "120, 120000",
        "2m, 120000",
        "1h, 3600000",
        "1d, 86400000",
        "1h30m, 5400000",
        "'1m 30s', 90000",
        "'1d  2h 3m4s 5ms', 93784005",
        "0030s, 30000",
    })
    void parsesNginxDurations(String text, long millis) {
        assertEquals(Duration.ofMillis(millis), Durations.parse(text));
    }

    @ParameterizedTest
    @ValueSource(strings = {"", " ", "s", "ms", "30x", "30S", "1M", "30 s", " 30s", "30s ", "1.5s", "-1s", "+1s",
        "1s1m", "1m1m", "1h30", "30sec", "1w", "PT30S", "1h,30m", "٣s"})
    void rejectsWhatIsNotADuration(String text) {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> Durations.parse(text));
        assertEquals(Text.quote(text) + " is not a duration (use e.g. 500ms, 30s, 2m, 1h)", e.getMessage());
    }

    @ParameterizedTest
    @ValueSource(strings = {"9223372036854775808", "9223372036855", "106752d", "9223372036854775807ms",
        "106751d 23h 47m 16s 855ms", "99999999999999999999999s"})
    void rejectsDurationsBeyondLongNanos(String text) {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> Durations.parse(text));
        assertTrue(e.getMessage().contains("too large"), e.getMessage());
    }

    @Test
    void theLargestDurationStillConvertsToNanos() {
        Duration max = Durations.parse("106751d 23h 47m 16s 854ms");
        assertDoesNotThrow(max::toNanos);
        assertDoesNotThrow(() -> Durations.parse("9223372036").toNanos());
    }

    @Test
    void integerSecondsAreCheckedTheSameWay() {
        assertEquals(Duration.ofSeconds(30), Durations.ofSeconds(30));
        assertThrows(IllegalArgumentException.class, () -> Durations.ofSeconds(-1));
        assertThrows(IllegalArgumentException.class, () -> Durations.ofSeconds(9_223_372_037L));
    }

    @Test
    void rejectsNull() {
        assertThrows(NullPointerException.class, () -> Durations.parse(null));
    }

    @ParameterizedTest
    @CsvSource({"0, 0s", "500, 500ms", "30000, 30s", "120000, 2m", "90000, 1m30s", "3600000, 1h",
        "86400000, 1d", "90061001, 1d1h1m1s1ms"})
    void formatWritesWhatTheConfigurationWould(long millis, String text) {
        assertEquals(text, Durations.format(Duration.ofMillis(millis)));
        assertEquals(Duration.ofMillis(millis), Durations.parse(text), "format and parse agree");
    }
}
