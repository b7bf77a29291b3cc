package io.pacer.discovery;

import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.LongAdder;

/**
 * Counts by name, with a bound on how many names are kept: past it, new names (a misbehaving peer
 * inventing event types) are counted together under {@value #OTHER}. Any thread.
 */
final class Counters {

    static final String OTHER = "(other)";
    private static final int MAX_KEYS = 100;

    private final ConcurrentHashMap<String, LongAdder> counts = new ConcurrentHashMap<>();

    void increment(String key) {
        LongAdder adder = counts.get(key);
        if (adder == null) {
            adder = counts.computeIfAbsent(counts.size() >= MAX_KEYS ? OTHER : key, k -> new LongAdder());
        }
        adder.increment();
    }

    long get(String key) {
        LongAdder adder = counts.get(key);
        return adder == null ? 0 : adder.sum();
    }

    Map<String, Long> snapshot() {
        Map<String, Long> out = new TreeMap<>();
        counts.forEach((k, v) -> out.put(k, v.sum()));
        return out;
    }
}
