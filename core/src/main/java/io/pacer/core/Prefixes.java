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
        if (p.length() > 1) {
            String inner = p.substring(1, p.length() - 1);
            for (String segment : inner.split("/", -1)) {
                if (segment.isEmpty() || segment.equals(".") || segment.equals("..")) {
                    throw new IllegalArgumentException("invalid path prefix '" + raw + "'");
                }
            }
        }
        for (int i = 0; i < p.length(); i++) {
            char c = p.charAt(i);
            if (c <= ' ' || c >= 0x7f || c == '?' || c == '#' || c == '%') {
                throw new IllegalArgumentException("invalid path prefix '" + raw + "'");
            }
        }
        return p;
    }
}
