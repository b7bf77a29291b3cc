package io.pacer.core;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.params.provider.ValueSource;

class RetryConditionTest {

    @ParameterizedTest
    @EnumSource(value = RetryCondition.class, names = "HTTP_.*", mode = EnumSource.Mode.MATCH_ALL)
    void everyStatusConditionComesFromItsStatus(RetryCondition condition) {
        int status = Integer.parseInt(condition.name().substring("HTTP_".length()));
        assertEquals(condition, RetryCondition.ofStatus(status));
    }

    @ParameterizedTest
    @ValueSource(ints = {0, 100, 200, 204, 301, 400, 401, 405, 408, 499, 501, 505, 599, 600, -500})
    void otherStatusesTriggerNothing(int status) {
        assertNull(RetryCondition.ofStatus(status));
    }

    @Test
    void nginxNamesAreLowerCase() {
        assertEquals("error", RetryCondition.ERROR.nginxName());
        assertEquals("timeout", RetryCondition.TIMEOUT.nginxName());
        assertEquals("invalid_header", RetryCondition.INVALID_HEADER.nginxName());
        assertEquals("http_502", RetryCondition.HTTP_502.nginxName());
        assertEquals("http_429", RetryCondition.HTTP_429.nginxName());
    }
}
