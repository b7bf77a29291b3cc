package io.pacer.core;

/** Rules for the path prefixes apps are served at. */
public final class Prefixes {

    private Prefixes() { }

    /**
     * The canonical form of a prefix: starts and ends with one slash ({@code shop/cart} becomes
     * {@code /shop/cart/}). Marathon app ids ({@code /shop/cart}) map to their prefix this way.
     *
     * @throws IllegalArgumentException when the prefix holds characters a path segment cannot,
     *     an empty segment, or a dot segment
     */
    public static String normalize(String raw) {
        String p = raw.trim();
        if (!p.startsWith("/")) {
            p = "/" + p;
        }
        if (!p.endsWith("/")) {
            p = p + "/";
        }
        // One pass, no substrings: a table of 10,000 apps normalizes every prefix on every swap,
        // and a prefix already in canonical form comes back as the same String.
        int segmentStart = 1;
        for (int i = 0; i < p.length(); i++) {
            char c = p.charAt(i);
            if (c <= ' ' || c >= 0x7f || c == '?' || c == '#' || c == '%') {
                throw new IllegalArgumentException("invalid path prefix '" + raw + "'");
            }
            if (c == '/' && i > 0) {
                int length = i - segmentStart;
                if (length == 0 || (length == 1 && p.charAt(segmentStart) == '.')
                        || (length == 2 && p.charAt(segmentStart) == '.' && p.charAt(segmentStart + 1) == '.')) {
                    throw new IllegalArgumentException("invalid path prefix '" + raw + "'");
                }
                segmentStart = i + 1;
            }
        }
        return p;
    }
}
