package io.pacer.core;

import java.util.Map;

/**
 * From a request's {@code Host} to the path index of the virtual host serving it, with Nginx's
 * precedence: an exact name, then the longest leading wildcard ({@code *.example.org}), then the
 * longest trailing wildcard ({@code name.*}).
 *
 * <p>A lookup reads the header value in place: case is ignored and a port is cut off by index
 * arithmetic, and each candidate name is probed by a hash computed over a range of the value, so
 * nothing is allocated. It costs one probe per dot in the name for each wildcard kind present.
 */
final class HostIndex {

    private static final HostIndex EMPTY = new HostIndex(new RangeMap(0), new RangeMap(0), new RangeMap(0));

    /** Exact names, as written. */
    private final RangeMap exact;
    /** {@code *.example.org} stored as {@code .example.org}. */
    private final RangeMap leading;
    /** {@code name.*} stored as {@code name.}. */
    private final RangeMap trailing;

    private HostIndex(RangeMap exact, RangeMap leading, RangeMap trailing) {
        this.exact = exact;
        this.leading = leading;
        this.trailing = trailing;
    }

    /** @param hosts normalized patterns ({@link HostPatterns#normalize}) to their path index */
    static HostIndex of(Map<String, PrefixIndex> hosts) {
        if (hosts.isEmpty()) {
            return EMPTY;
        }
        int[] counts = new int[3];
        hosts.keySet().forEach(p -> counts[HostPatterns.kind(p).ordinal()]++);
        HostIndex index = new HostIndex(new RangeMap(counts[0]), new RangeMap(counts[1]), new RangeMap(counts[2]));
        hosts.forEach((pattern, paths) -> {
            switch (HostPatterns.kind(pattern)) {
                case EXACT -> index.exact.put(pattern, paths);
                case LEADING_WILDCARD -> index.leading.put(pattern.substring(1), paths);
                case TRAILING_WILDCARD -> index.trailing.put(pattern.substring(0, pattern.length() - 1), paths);
            }
        });
        return index;
    }

    boolean isEmpty() {
        return exact.size == 0 && leading.size == 0 && trailing.size == 0;
    }

    /** The path index of the virtual host serving {@code host} (a Host header value), or {@code null}. */
    PrefixIndex lookup(String host) {
        if (host == null || isEmpty()) {
            return null;
        }
        int end = nameEnd(host);
        if (end <= 0) {
            return null;
        }
        if (host.charAt(end - 1) == '.') {
            end--; // a fully qualified "example.org." is "example.org"
        }
        PrefixIndex found = exact.get(host, 0, end);
        if (found != null) {
            return found;
        }
        if (leading.size > 0) {
            // Longest first: the suffix from the first dot, then the next one ...
            for (int i = 1; i < end; i++) {
                if (host.charAt(i) == '.' && (found = leading.get(host, i, end)) != null) {
                    return found;
                }
            }
        }
        if (trailing.size > 0) {
            for (int i = end - 2; i > 0; i--) {
                if (host.charAt(i) == '.' && (found = trailing.get(host, 0, i + 1)) != null) {
                    return found;
                }
            }
        }
        return null;
    }

    /** Where the name ends: before a {@code :port}; an IPv6 literal ({@code [::1]}) is never a name. */
    private static int nameEnd(String host) {
        if (host.isEmpty() || host.charAt(0) == '[') {
            return -1;
        }
        int colon = host.indexOf(':');
        return colon < 0 ? host.length() : colon;
    }

    /** Open addressing over lower-case keys, probed by a range of a string compared without case. */
    private static final class RangeMap {
        private final String[] keys;
        private final int[] hashes;
        private final PrefixIndex[] values;
        private final int mask;
        private int size;

        RangeMap(int entries) {
            int capacity = Integer.highestOneBit(Math.max(2, entries * 2 + 1)) << 1;
            keys = new String[capacity];
            hashes = new int[capacity];
            values = new PrefixIndex[capacity];
            mask = capacity - 1;
        }

        void put(String key, PrefixIndex value) {
            int hash = hash(key, 0, key.length());
            int slot = hash & mask;
            while (keys[slot] != null) {
                slot = (slot + 1) & mask;
            }
            keys[slot] = key;
            hashes[slot] = hash;
            values[slot] = value;
            size++;
        }

        PrefixIndex get(String s, int from, int to) {
            if (size == 0) {
                return null;
            }
            int hash = hash(s, from, to);
            int len = to - from;
            int slot = hash & mask;
            String key;
            while ((key = keys[slot]) != null) {
                if (hashes[slot] == hash && key.length() == len && key.regionMatches(true, 0, s, from, len)) {
                    return values[slot];
                }
                slot = (slot + 1) & mask;
            }
            return null;
        }

        private static int hash(String s, int from, int to) {
            int h = 0;
            for (int i = from; i < to; i++) {
                char c = s.charAt(i);
                h = 31 * h + (c >= 'A' && c <= 'Z' ? c + 32 : c);
            }
            return h ^ (h >>> 16);
        }
    }
}
