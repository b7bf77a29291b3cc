package io.pacer.core;

import java.util.Map;

/**
 * From a request's {@code Host} to the path index of the virtual host serving it, with Nginx's
 * precedence: an exact name, then the longest leading wildcard ({@code *.example.org}), then the
 * longest trailing wildcard ({@code name.*}).
 *
 * <p>A lookup reads the header value in place: case is ignored and a port is cut off by index
 * arithmetic, and each candidate name is probed by a hash over a range of the value, so nothing is
 * allocated. Each wildcard kind present costs one pass over the name, probing at each dot with a
 * running hash: left to right for {@code name.*} (keys hashed forwards), right to left for
 * {@code *.domain} (keys hashed backwards); the last hit of a pass is the longest match.
 */
final class HostIndex {

    private static final HostIndex EMPTY = new HostIndex(new RangeMap(0, false), new RangeMap(0, true),
            new RangeMap(0, false));

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
        HostIndex index = new HostIndex(new RangeMap(counts[0], false), new RangeMap(counts[1], true),
                new RangeMap(counts[2], false));
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
        PrefixIndex found = exact.size == 0 ? null : exact.get(host, 0, end, RangeMap.forward(host, 0, end));
        if (found != null) {
            return found;
        }
        if (leading.size > 0) {
            // Suffixes from the right: ".org", ".example.org" ...; the last hit is the longest.
            int h = 0;
            for (int i = end - 1; i > 0; i--) {
                char c = host.charAt(i);
                h = 31 * h + RangeMap.lower(c);
                if (c == '.') {
                    PrefixIndex hit = leading.get(host, i, end, h);
                    if (hit != null) {
                        found = hit;
                    }
                }
            }
            if (found != null) {
                return found;
            }
        }
        if (trailing.size > 0) {
            // Prefixes from the left: "cart.", "cart.shop." ...; the last hit is the longest.
            int h = 0;
            for (int i = 0; i < end - 1; i++) {
                char c = host.charAt(i);
                h = 31 * h + RangeMap.lower(c);
                if (c == '.' && i > 0) {
                    PrefixIndex hit = trailing.get(host, 0, i + 1, h);
                    if (hit != null) {
                        found = hit;
                    }
                }
            }
        }
        return found;
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
        /** Keys hashed from their last character to their first, for right-to-left probing. */
        private final boolean backwards;
        private int size;

        RangeMap(int entries, boolean backwards) {
            this.backwards = backwards;
            int capacity = Integer.highestOneBit(Math.max(2, entries * 2 + 1)) << 1;
            keys = new String[capacity];
            hashes = new int[capacity];
            values = new PrefixIndex[capacity];
            mask = capacity - 1;
        }

        void put(String key, PrefixIndex value) {
            int hash = spread(backwards ? backward(key, 0, key.length()) : forward(key, 0, key.length()));
            int slot = hash & mask;
            while (keys[slot] != null) {
                slot = (slot + 1) & mask;
            }
            keys[slot] = key;
            hashes[slot] = hash;
            values[slot] = value;
            size++;
        }

        /** @param rawHash {@link #forward} or {@link #backward} of the range, as this map hashes its keys */
        PrefixIndex get(String s, int from, int to, int rawHash) {
            int hash = spread(rawHash);
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

        static int forward(String s, int from, int to) {
            int h = 0;
            for (int i = from; i < to; i++) {
                h = 31 * h + lower(s.charAt(i));
            }
            return h;
        }

        static int backward(String s, int from, int to) {
            int h = 0;
            for (int i = to - 1; i >= from; i--) {
                h = 31 * h + lower(s.charAt(i));
            }
            return h;
        }

        static int lower(char c) {
            return c >= 'A' && c <= 'Z' ? c + 32 : c;
        }

        private static int spread(int h) {
            return h ^ (h >>> 16);
        }
    }
}
