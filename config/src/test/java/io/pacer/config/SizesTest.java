package io.pacer.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

class SizesTest {

    @ParameterizedTest
    @CsvSource({
        "0, 0",
        "512, 512",
        "1k, 1024",
        "8K, 8192",
        "128m, 134217728",
        "128M, 134217728",
        "1g, 1073741824",
        "2G, 2147483648",
        "007k, 7168",
        "9223372036854775807, 9223372036854775807",
        "8589934591g, 9223372035781033984",
    })
    void parsesNginxSizes(String text, long bytes) {
        assertEquals(bytes, Sizes.parse(text));
    }

    @ParameterizedTest
    @ValueSource(strings = {"", "k", "-1", "+1", "1.5m", "1 m", " 1m", "1m ", "1kb", "1t", "m1", "0x10", "1_000", "١٢"})
    void rejectsWhatIsNotASize(String text) {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> Sizes.parse(text));
        assertEquals(Text.quote(text) + " is not a size (use e.g. 512, 8k, 128m, 1g)", e.getMessage());
    }

    @ParameterizedTest
    @ValueSource(strings = {"9223372036854775808", "99999999999999999999999", "8589934592g", "9007199254740992k",
        "8796093022208m"})
    void rejectsOverflow(String text) {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> Sizes.parse(text));
        assertTrue(e.getMessage().contains("too large"), e.getMessage());
    }

    @Test
    void rejectsNull() {
        assertThrows(NullPointerException.class, () -> Sizes.parse(null));
    }

    @ParameterizedTest
    @CsvSource({"0, 0", "256, 256", "1536, 1536", "1024, 1k", "1048576, 1m", "67108864, 64m", "3221225472, 3g"})
    void formatsTheShortestExactSpelling(long bytes, String text) {
        assertEquals(text, Sizes.format(bytes));
        assertEquals(bytes, Sizes.parse(text));
    }
}
