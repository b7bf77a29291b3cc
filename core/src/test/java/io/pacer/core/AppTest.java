package io.pacer.core;

import static io.pacer.core.Fixtures.appWithTasks;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.lang.reflect.Field;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicIntegerArray;
import java.util.stream.IntStream;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

class AppTest {

    static Stream<Arguments> startsAndSizes() {
        Random rnd = new Random(31337);
        List<Arguments> out = new ArrayList<>();
        for (int n = 1; n <= 9; n++) {
            int[] starts = {0, 1, n - 1, n, n + 1, 12_345, Integer.MAX_VALUE, Integer.MAX_VALUE - 1,
                Integer.MAX_VALUE - n, Integer.MAX_VALUE - n + 1, rnd.nextInt(Integer.MAX_VALUE)};
            for (int start : starts) {
                out.add(Arguments.of(n, start));
            }
        }
        return out.stream();
    }

    @ParameterizedTest(name = "{0} tasks, start {1}")
    @MethodSource("startsAndSizes")
    void attemptsVisitEveryTaskExactlyOnce(int n, int start) {
        App app = appWithTasks("a", n, "/a/");
        Set<Task> seen = new HashSet<>();
        for (int attempt = 0; attempt < n; attempt++) {
            Task t = app.task(start, attempt);
            assertTrue(seen.add(t), "attempt " + attempt + " repeats " + t);
        }
        assertEquals(new HashSet<>(app.tasks()), seen);
        assertEquals(app.task(start, 0), app.task(start, n), "attempt n wraps around to the first task");
    }

    @Test
    void consecutiveAttemptsWalkTheListInOrder() {
        App app = appWithTasks("a", 4, "/a/");
        List<Task> tasks = app.tasks();
        assertEquals(List.of(tasks.get(2), tasks.get(3), tasks.get(0), tasks.get(1)),
                IntStream.range(0, 4).mapToObj(k -> app.task(2, k)).toList());
    }

    @Test
    void startsNearTheTopOfTheIntRangeDoNotOverflow() {
        App app = appWithTasks("a", 3, "/a/");
        // Integer.MAX_VALUE = 3 * 715827882 + 1
        assertSame(app.tasks().get(1), app.task(Integer.MAX_VALUE, 0));
        assertSame(app.tasks().get(2), app.task(Integer.MAX_VALUE, 1));
        assertSame(app.tasks().get(0), app.task(Integer.MAX_VALUE, 2));
        assertSame(app.tasks().get(2), app.task(Integer.MAX_VALUE, Integer.MAX_VALUE)); // 2 * MAX_VALUE, in a long
    }

    @Test
    void nextStartRoundRobinsOverTheTasks() {
        App app = appWithTasks("a", 5, "/a/");
        int[] firstAttempts = new int[5];
        for (int i = 0; i < 5 * 1000; i++) {
            firstAttempts[app.tasks().indexOf(app.task(app.nextStart(), 0))]++;
        }
        for (int count : firstAttempts) {
            assertEquals(1000, count);
        }
    }

    @Test
    void nextStartCountsUpFromZero() {
        App app = appWithTasks("a", 2, "/a/");
        assertEquals(0, app.nextStart());
        assertEquals(1, app.nextStart());
        assertEquals(2, app.nextStart());
    }

    @Test
    void nextStartIsSharedFairlyAcrossThreads() throws Exception {
        App app = appWithTasks("a", 7, "/a/");
        int threads = 8;
        int perThread = 7 * 5_000;
        AtomicIntegerArray counts = new AtomicIntegerArray(7);
        Set<Integer> starts = ConcurrentHashMap.newKeySet();
        CountDownLatch go = new CountDownLatch(1);
        ExecutorService pool = Executors.newFixedThreadPool(threads);
        try {
            List<Future<?>> done = new ArrayList<>();
            for (int t = 0; t < threads; t++) {
                done.add(pool.submit(() -> {
                    go.await();
                    for (int i = 0; i < perThread; i++) {
                        int start = app.nextStart();
                        starts.add(start);
                        counts.incrementAndGet(app.tasks().indexOf(app.task(start, 0)));
                    }
                    return null;
                }));
            }
            go.countDown();
            for (Future<?> f : done) {
                f.get(30, TimeUnit.SECONDS);
            }
        } finally {
            pool.shutdownNow();
        }
        assertEquals(threads * perThread, starts.size(), "every request gets its own start");
        for (int i = 0; i < 7; i++) {
            assertEquals(threads * perThread / 7, counts.get(i), "task " + i);
        }
    }

    @Test
    void nextStartStaysUsableWhenTheCursorWraps() throws Exception {
        App app = appWithTasks("a", 3, "/a/");
        Field cursor = App.class.getDeclaredField("cursor");
        cursor.setAccessible(true);
        ((AtomicInteger) cursor.get(app)).set(Integer.MAX_VALUE - 2);
        List<Integer> starts = new ArrayList<>();
        for (int i = 0; i < 6; i++) {
            int start = app.nextStart();
            assertTrue(start >= 0, "start " + start + " must not be negative");
            starts.add(start);
            for (int attempt = 0; attempt < 3; attempt++) {
                app.task(start, attempt);
            }
        }
        assertEquals(List.of(Integer.MAX_VALUE - 2, Integer.MAX_VALUE - 1, Integer.MAX_VALUE, 0, 1, 2), starts);
    }

    @Test
    void equalityIgnoresTheCursor() {
        App a = appWithTasks("a", 3, "/a/");
        App b = appWithTasks("a", 3, "/a/");
        a.nextStart();
        assertEquals(a, b);
        assertEquals(a.hashCode(), b.hashCode());
        assertNotEquals(a, appWithTasks("b", 3, "/a/"));
        assertNotEquals(a, appWithTasks("a", 2, "/a/"));
        assertNotEquals(a, appWithTasks("a", 3, "/b/"));
        assertNotEquals(a, "a");
    }

    @Test
    void listsAreCopiedAndReadOnly() {
        List<String> prefixes = new ArrayList<>(List.of("/a/"));
        List<Task> tasks = new ArrayList<>(List.of(Fixtures.task("a", 0)));
        App app = new App("a", prefixes, tasks);
        prefixes.add("/b/");
        tasks.clear();
        assertEquals(List.of("/a/"), app.prefixes());
        assertEquals(1, app.tasks().size());
        assertThrows(UnsupportedOperationException.class, () -> app.tasks().add(Fixtures.task("a", 1)));
        assertThrows(UnsupportedOperationException.class, () -> app.prefixes().add("/c/"));
    }

    @Test
    void anIdIsRequired() {
        assertThrows(NullPointerException.class, () -> new App(null, List.of(), List.of()));
    }

    @Test
    void toStringShowsIdPrefixesAndTaskCount() {
        assertEquals("App{/shop [/shop/] 2 tasks}", appWithTasks("/shop", 2, "/shop/").toString());
    }
}
