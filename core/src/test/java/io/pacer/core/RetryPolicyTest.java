package io.pacer.core;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.EnumSet;
import java.util.HashSet;
import java.util.Set;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.params.provider.ValueSource;

class RetryPolicyTest {

    private static final Set<RetryCondition> ALL = EnumSet.allOf(RetryCondition.class);
    private static final long MS = Duration.ofMillis(1).toNanos();

    /** Second attempt of a GET to an app with plenty of tasks, well within any timeout. */
    private static boolean allows(RetryPolicy policy, RetryCondition condition) {
        return policy.allowsRetry(condition, "GET", true, 1, 10, 0);
    }

    @Nested
    class Conditions {
        @ParameterizedTest
        @EnumSource(RetryCondition.class)
        void aListedConditionIsRetried(RetryCondition condition) {
            RetryPolicy only = new RetryPolicy(EnumSet.of(condition), false, 0, 0);
            assertTrue(allows(only, condition));
            assertTrue(only.retries(condition));
            assertTrue(allows(new RetryPolicy(ALL, false, 0, 0), condition));
        }

        @ParameterizedTest
        @EnumSource(RetryCondition.class)
        void anUnlistedConditionIsNeverRetried(RetryCondition condition) {
            Set<RetryCondition> others = EnumSet.complementOf(EnumSet.of(condition));
            RetryPolicy policy = new RetryPolicy(others, true, 0, 0);
            assertFalse(allows(policy, condition));
            assertFalse(policy.allowsRetry(condition, "GET", false, 1, 10, 0), "not even when nothing was sent");
            assertFalse(policy.retries(condition));
        }

        @ParameterizedTest
        @EnumSource(RetryCondition.class)
        void defaultsFollowNginx(RetryCondition condition) {
            boolean expected = switch (condition) {
                case ERROR, TIMEOUT, INVALID_HEADER, HTTP_500, HTTP_502, HTTP_503, HTTP_504 -> true;
                case HTTP_403, HTTP_404, HTTP_429 -> false;
            };
            RetryPolicy defaults = RetryPolicy.defaults();
            assertEquals(expected, allows(defaults, condition));
            assertEquals(expected, defaults.retries(condition));
        }

        @Test
        void defaultsHaveNoLimitsOfTheirOwn() {
            RetryPolicy defaults = RetryPolicy.defaults();
            assertEquals(RetryPolicy.DEFAULT_CONDITIONS, defaults.conditions());
            assertFalse(defaults.nonIdempotent());
            assertEquals(0, defaults.tries());
            assertEquals(0, defaults.timeoutNanos());
        }
    }

    @Nested
    class Off {
        private final RetryPolicy off = new RetryPolicy(Set.of(), true, 0, 0);

        @ParameterizedTest
        @EnumSource(RetryCondition.class)
        void nothingIsEverRetried(RetryCondition condition) {
            assertFalse(off.allowsRetry(condition, "GET", false, 1, 10, 0));
            assertFalse(off.allowsRetry(condition, "POST", true, 1, 10, 0));
            assertFalse(off.retries(condition));
        }

        @Test
        void conditionsAreEmpty() {
            assertTrue(off.conditions().isEmpty());
            assertTrue(new RetryPolicy(EnumSet.noneOf(RetryCondition.class), false, 0, 0).conditions().isEmpty());
            assertTrue(new RetryPolicy(new HashSet<>(), false, 0, 0).conditions().isEmpty());
        }
    }

    @Nested
    class Methods {
        @ParameterizedTest
        @ValueSource(strings = {"GET", "HEAD", "OPTIONS", "TRACE", "PUT", "DELETE",
            "PROPFIND", "PROPPATCH", "MKCOL", "COPY", "MOVE", "UNLOCK", "get", "Delete"})
        void idempotentMethodsAreRetriedEvenOnceSent(String method) {
            assertTrue(RetryPolicy.isIdempotent(method));
            RetryPolicy policy = RetryPolicy.defaults();
            assertTrue(policy.allowsRetry(RetryCondition.ERROR, method, true, 1, 3, 0));
            assertTrue(policy.allowsRetry(RetryCondition.ERROR, method, false, 1, 3, 0));
        }

        @ParameterizedTest
        @ValueSource(strings = {"POST", "PATCH", "LOCK", "CONNECT", "BREW", "post", "", "GETX"})
        void nonIdempotentMethodsAreNotReplayedOnceSent(String method) {
            assertFalse(RetryPolicy.isIdempotent(method));
            RetryPolicy policy = new RetryPolicy(ALL, false, 0, 0);
            for (RetryCondition condition : RetryCondition.values()) {
                assertFalse(policy.allowsRetry(condition, method, true, 1, 3, 0), condition + " after sending " + method);
            }
        }

        @ParameterizedTest
        @ValueSource(strings = {"POST", "PATCH", "LOCK", "BREW"})
        void nonIdempotentMethodsThatWereNeverSentAreRetried(String method) {
            RetryPolicy policy = new RetryPolicy(ALL, false, 0, 0);
            for (RetryCondition condition : RetryCondition.values()) {
                assertTrue(policy.allowsRetry(condition, method, false, 1, 3, 0), condition + " before sending " + method);
            }
        }

        @ParameterizedTest
        @ValueSource(strings = {"POST", "PATCH", "LOCK", "BREW"})
        void nonIdempotentFlagAllowsReplayingAnything(String method) {
            RetryPolicy policy = new RetryPolicy(ALL, true, 0, 0);
            assertTrue(policy.nonIdempotent());
            for (RetryCondition condition : RetryCondition.values()) {
                assertTrue(policy.allowsRetry(condition, method, true, 1, 3, 0), condition + " after sending " + method);
            }
        }

        @Test
        void nonIdempotentFlagDoesNotAddConditions() {
            RetryPolicy policy = new RetryPolicy(EnumSet.of(RetryCondition.ERROR), true, 0, 0);
            assertFalse(policy.allowsRetry(RetryCondition.HTTP_500, "POST", true, 1, 3, 0));
        }
    }

    @Nested
    class Tries {
        @ParameterizedTest(name = "{0} tasks")
        @ValueSource(ints = {1, 2, 3, 8})
        void zeroMeansOneAttemptPerTask(int tasks) {
            RetryPolicy policy = RetryPolicy.defaults();
            for (int made = 1; made < tasks; made++) {
                assertTrue(policy.allowsRetry(RetryCondition.ERROR, "GET", true, made, tasks, 0), "after " + made);
            }
            assertFalse(policy.allowsRetry(RetryCondition.ERROR, "GET", true, tasks, tasks, 0));
            assertFalse(policy.allowsRetry(RetryCondition.ERROR, "GET", true, tasks + 1, tasks, 0));
        }

        @ParameterizedTest(name = "tries {0}, {1} tasks: last retry after {2} attempts")
        @CsvSource({"1, 5, 0", "2, 5, 1", "3, 5, 2", "5, 5, 4", "7, 5, 4", "2, 1, 0", "100, 2, 1"})
        void triesCountsTheFirstAttemptAndNeverExceedsTheTasks(int tries, int tasks, int lastAllowed) {
            RetryPolicy policy = new RetryPolicy(RetryPolicy.DEFAULT_CONDITIONS, false, tries, 0);
            assertEquals(tries, policy.tries());
            for (int made = 1; made <= lastAllowed; made++) {
                assertTrue(policy.allowsRetry(RetryCondition.HTTP_502, "GET", true, made, tasks, 0), "after " + made);
            }
            assertFalse(policy.allowsRetry(RetryCondition.HTTP_502, "GET", true, lastAllowed + 1, tasks, 0),
                    "after " + (lastAllowed + 1));
        }

        @Test
        void anAppWithOneTaskIsNeverRetried() {
            assertFalse(RetryPolicy.defaults().allowsRetry(RetryCondition.ERROR, "GET", false, 1, 1, 0));
        }

        @Test
        void negativeTriesAreRejected() {
            assertThrows(IllegalArgumentException.class, () -> new RetryPolicy(ALL, false, -1, 0));
        }
    }

    @Nested
    class Timeout {
        private final RetryPolicy policy = new RetryPolicy(ALL, false, 0, 100 * MS);

        @Test
        void retriesStartOnlyBeforeTheTimeout() {
            assertTrue(policy.allowsRetry(RetryCondition.TIMEOUT, "GET", true, 1, 3, 0));
            assertTrue(policy.allowsRetry(RetryCondition.TIMEOUT, "GET", true, 1, 3, 100 * MS - 1));
            assertFalse(policy.allowsRetry(RetryCondition.TIMEOUT, "GET", true, 1, 3, 100 * MS));
            assertFalse(policy.allowsRetry(RetryCondition.TIMEOUT, "GET", true, 1, 3, Long.MAX_VALUE));
            assertEquals(100 * MS, policy.timeoutNanos());
        }

        @Test
        void zeroMeansNoLimit() {
            RetryPolicy unlimited = new RetryPolicy(ALL, false, 0, 0);
            assertTrue(unlimited.allowsRetry(RetryCondition.TIMEOUT, "GET", true, 1, 3, Long.MAX_VALUE));
        }

        @Test
        void timeoutAndTriesApplyTogether() {
            RetryPolicy both = new RetryPolicy(ALL, false, 2, 100 * MS);
            assertTrue(both.allowsRetry(RetryCondition.ERROR, "GET", true, 1, 3, 10 * MS));
            assertFalse(both.allowsRetry(RetryCondition.ERROR, "GET", true, 2, 3, 10 * MS));
            assertFalse(both.allowsRetry(RetryCondition.ERROR, "GET", true, 1, 3, 200 * MS));
        }

        @Test
        void negativeTimeoutIsRejected() {
            assertThrows(IllegalArgumentException.class, () -> new RetryPolicy(ALL, false, 0, -1));
        }
    }

    @Nested
    class Immutability {
        @Test
        void laterChangesToTheGivenSetDoNotLeakIn() {
            EnumSet<RetryCondition> given = EnumSet.of(RetryCondition.ERROR);
            RetryPolicy policy = new RetryPolicy(given, false, 0, 0);
            given.add(RetryCondition.HTTP_404);
            assertFalse(policy.retries(RetryCondition.HTTP_404));
        }

        @Test
        void conditionsReturnsACopy() {
            RetryPolicy policy = RetryPolicy.defaults();
            policy.conditions().add(RetryCondition.HTTP_404);
            policy.conditions().clear();
            assertFalse(policy.retries(RetryCondition.HTTP_404));
            assertTrue(policy.retries(RetryCondition.ERROR));
        }

        @Test
        void comparesByValue() {
            assertEquals(RetryPolicy.defaults(), new RetryPolicy(RetryPolicy.DEFAULT_CONDITIONS, false, 0, 0));
            assertEquals(RetryPolicy.defaults().hashCode(), RetryPolicy.defaults().hashCode());
            assertEquals(new RetryPolicy(Set.of(), false, 0, 0), new RetryPolicy(EnumSet.noneOf(RetryCondition.class), false, 0, 0));
            RetryPolicy base = RetryPolicy.defaults();
            assertNotEquals(base, new RetryPolicy(RetryPolicy.DEFAULT_CONDITIONS, true, 0, 0));
            assertNotEquals(base, new RetryPolicy(RetryPolicy.DEFAULT_CONDITIONS, false, 1, 0));
            assertNotEquals(base, new RetryPolicy(RetryPolicy.DEFAULT_CONDITIONS, false, 0, 1));
            assertNotEquals(base, new RetryPolicy(EnumSet.of(RetryCondition.ERROR), false, 0, 0));
        }

        @Test
        void toStringNamesEverySetting() {
            String s = new RetryPolicy(EnumSet.of(RetryCondition.ERROR), true, 3, 5).toString();
            assertTrue(s.contains("ERROR") && s.contains("non_idempotent") && s.contains("tries=3")
                    && s.contains("timeoutNanos=5"), s);
        }
    }
}
