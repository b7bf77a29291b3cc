package io.pacer.core;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class TaskTest {

    @Test
    void addressJoinsHostAndPort() {
        assertEquals("10.0.0.1:8080", new Task("t", "10.0.0.1", 8080).address());
        assertEquals("node-1.example:1", new Task("t", "node-1.example", 1).address());
    }

    @Test
    void ipv6LiteralsAreBracketed() {
        assertEquals("[::1]:65535", new Task("t", "::1", 65535).address());
        assertEquals("[fe80::1%eth0]:80", new Task("t", "fe80::1%eth0", 80).address());
    }

    @ParameterizedTest
    @ValueSource(ints = {0, -1, 65536, Integer.MIN_VALUE, Integer.MAX_VALUE})
    void portsOutsideTheRangeAreRejected(int port) {
        assertThrows(IllegalArgumentException.class, () -> new Task("t", "h", port));
    }

    @Test
    void emptyOrMissingFieldsAreRejected() {
        assertThrows(IllegalArgumentException.class, () -> new Task("t", "", 80));
        assertThrows(NullPointerException.class, () -> new Task(null, "h", 80));
        assertThrows(NullPointerException.class, () -> new Task("t", null, 80));
    }

    @Test
    void equalityIsByValue() {
        assertEquals(new Task("t", "h", 80), new Task("t", "h", 80));
        assertEquals(new Task("t", "h", 80).hashCode(), new Task("t", "h", 80).hashCode());
        assertNotEquals(new Task("t", "h", 80), new Task("u", "h", 80));
        assertNotEquals(new Task("t", "h", 80), new Task("t", "h", 81));
    }
}
