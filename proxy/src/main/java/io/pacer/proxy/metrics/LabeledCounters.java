package io.pacer.proxy.metrics;

import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.MeterRegistry;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;

/**
 * A counter family with one label whose values come from outside (Marathon event types, sync
 * failure causes), fed with cumulative counts by key at each scrape. At most {@code cap} distinct
 * values get their own series; keys seen after that, keys that make poor label values (empty,
 * longer than 64 characters, containing control characters) and the source's own overflow keys
 * ({@code other}, {@code (other)}) are summed under {@value #OTHER}.
 *
 * <p>The set of keys with their own series only grows until the cap, so the {@value #OTHER} sum
 * covers a fixed set of keys from then on and stays monotonic as long as the source's counts are.
 * Called under {@link PacerMetrics}' scrape lock.
 */
final class LabeledCounters {

    static final String OTHER = "other";
    static final int MAX_LABEL_LENGTH = 64;

    private final MeterRegistry registry;
    private final String name;
    private final String label;
    private final String description;
    private final int cap;
    private final Set<String> own = new HashSet<>();
    private volatile Map<String, Long> current = Map.of();
    private volatile long other;
    private boolean otherRegistered;

    LabeledCounters(MeterRegistry registry, String name, String label, String description, int cap) {
        this.registry = registry;
        this.name = name;
        this.label = label;
        this.description = description;
        this.cap = cap;
    }

    /** Takes the source's cumulative counts, registering series for keys not seen before. */
    void update(Map<String, Long> counts) {
        Map<String, Long> copy = new HashMap<>(counts);
        long overflow = 0;
        for (Map.Entry<String, Long> e : copy.entrySet()) {
            String key = e.getKey();
            if (own.contains(key)) {
                continue;
            }
            if (own.size() < cap && acceptable(key)) {
                own.add(key);
                FunctionCounter.builder(name, this, c -> c.count(key))
                        .description(description)
                        .tag(label, key)
                        .register(registry);
            } else {
                overflow += e.getValue() == null ? 0 : e.getValue();
            }
        }
        current = copy;
        other = overflow;
        if (overflow > 0 && !otherRegistered) {
            otherRegistered = true;
            FunctionCounter.builder(name, this, c -> c.other)
                    .description(description)
                    .tag(label, OTHER)
                    .register(registry);
        }
    }

    private double count(String key) {
        Long n = current.get(key);
        return n == null ? 0 : n;
    }

    /** Distinct label values with a series of their own, {@value #OTHER} excluded. */
    int ownKeys() {
        return own.size();
    }

    static boolean acceptable(String key) {
        if (key == null || key.isEmpty() || key.length() > MAX_LABEL_LENGTH
                || key.equals(OTHER) || key.equals("(other)")) {
            return false;
        }
        for (int i = 0; i < key.length(); i++) {
            if (Character.isISOControl(key.charAt(i))) {
                return false;
            }
        }
        return true;
    }
}
