package io.pacer.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.Test;

class TextTest {

    @Test
    void distanceCountsInsertionsDeletionsSubstitutionsAndSwaps() {
        assertEquals(0, Text.distance("listen", "listen"));
        assertEquals(1, Text.distance("liste", "listen"));
        assertEquals(1, Text.distance("listenn", "listen"));
        assertEquals(1, Text.distance("lysten", "listen"));
        assertEquals(1, Text.distance("lsiten", "listen"));
        assertEquals(3, Text.distance("", "abc"));
    }

    @Test
    void closestSuggestsOnlyWithinTwoEdits() {
        List<String> keys = List.of("listen", "xproxy", "read_timeout", "send_timeout");
        assertEquals("listen", Text.closest("LISTEN", keys));
        assertEquals("read_timeout", Text.closest("read_timout", keys));
        assertEquals("read_timeout", Text.closest("raed_timeout", keys));
        assertNull(Text.closest("marathon", keys));
    }

    @Test
    void quoteEscapesWhatWouldBreakALogLine() {
        assertEquals("\"a\\nb\\r\\t\\\"\\\\\\u0000\\u007f\"", Text.quote("a\nb\r\t\"\\\u0000\u007f"));
    }

    @Test
    void headerValues() {
        assertNull(Text.headerValueProblem("pacer-1.example.com"));
        assertNull(Text.headerValueProblem("a b\tc"));
        assertTrue(Text.headerValueProblem("").contains("empty"));
        assertTrue(Text.headerValueProblem("a\r\nX-Evil: 1").contains("control character"));
        assertTrue(Text.headerValueProblem("a ").contains("whitespace"));
        assertTrue(Text.headerValueProblem("\tb").contains("whitespace"));
        assertTrue(Text.headerValueProblem("caf\u00e9").contains("ASCII"));
        assertTrue(Text.headerValueProblem("x\ud83d\ude00").contains("\ud83d\ude00"));
    }
}
