package io.pacer.core;

import java.util.Map;

/**
 * Open-addressing hash index from prefix to route, probed straight from the request target.
 *
 * <p>A prefix {@code /a/b/} is stored under the key {@code /a/b}. A lookup walks the target once,
 * left to right, keeping {@link String#hashCode()}'s running hash; at each {@code /} the hash is
 * that of the key for the prefix ending there, so it probes without building a substring. The
 * deepest hit wins. The walk stops once the path is deeper than the deepest prefix, so the cost is
 * bounded by prefix depth, whatever the number of apps.
 */
final class PrefixIndex {

    private final String[] keys;
    private final int[] hashes;
    private final RouteMatch[] forwards;
    private final RouteMatch[] redirects;
    private final int mask;
    private final int maxDepth;
    private final boolean hasRoot;

    private PrefixIndex(int capacity, int maxDepth, boolean hasRoot) {
        this.keys = new String[capacity];
        this.hashes = new int[capacity];
        this.forwards = new RouteMatch[capacity];
        this.redirects = new RouteMatch[capacity];
        this.mask = capacity - 1;
        this.maxDepth = maxDepth;
        this.hasRoot = hasRoot;
    }

    static PrefixIndex of(Map<String, App> routes) {
        int capacity = Integer.highestOneBit(Math.max(4, routes.size() * 2 + 1)) << 1;
        int maxDepth = 0;
        boolean hasRoot = false;
        for (String prefix : routes.keySet()) {
            maxDepth = Math.max(maxDepth, depth(prefix));
            hasRoot |= prefix.equals("/");
        }
        PrefixIndex index = new PrefixIndex(capacity, maxDepth, hasRoot);
        routes.forEach(index::put);
        return index;
    }

    /** Number of segments: {@code /} is 0, {@code /a/} is 1, {@code /a/b/} is 2. */
    private static int depth(String prefix) {
        int slashes = 0;
        for (int i = 0; i < prefix.length(); i++) {
            if (prefix.charAt(i) == '/') {
                slashes++;
            }
        }
        return slashes - 1;
    }

    private void put(String prefix, App app) {
        String key = prefix.substring(0, prefix.length() - 1);
        int hash = key.hashCode();
        int slot = spread(hash) & mask;
        while (keys[slot] != null) {
            slot = (slot + 1) & mask;
        }
        keys[slot] = key;
        hashes[slot] = hash;
        forwards[slot] = new RouteMatch(RouteMatch.Kind.FORWARD, prefix, app);
        redirects[slot] = new RouteMatch(RouteMatch.Kind.REDIRECT, prefix, app);
    }

    RouteMatch lookup(String uri) {
        int end = uri.length();
        RouteMatch best = null;
        int hash = 0;
        int depth = 0;
        for (int i = 0; i < end; i++) {
            char c = uri.charAt(i);
            if (c == '?' || c == '#') {
                end = i;
                break;
            }
            if (c == '/') {
                int slot = i == 0 ? (hasRoot ? find(uri, 0, 0) : -1) : find(uri, i, hash);
                if (slot >= 0) {
                    best = forwards[slot];
                }
                if (++depth > maxDepth) {
                    return best;
                }
            }
            hash = 31 * hash + c;
        }
        // A path equal to a prefix minus its slash is redirected, even when a shorter prefix
        // would also match it: Nginx gives the exact location precedence the same way.
        if (end > 0 && uri.charAt(end - 1) != '/') {
            int slot = find(uri, end, hash);
            if (slot >= 0) {
                return redirects[slot];
            }
        }
        return best;
    }

    /** Slot of the key equal to {@code uri[0, length)}, or -1. */
    private int find(String uri, int length, int hash) {
        int slot = spread(hash) & mask;
        String key;
        while ((key = keys[slot]) != null) {
            if (hashes[slot] == hash && key.length() == length && uri.startsWith(key)) {
                return slot;
            }
            slot = (slot + 1) & mask;
        }
        return -1;
    }

    private static int spread(int hash) {
        return hash ^ (hash >>> 16);
    }
}
