package io.pacer.core;

import java.util.Locale;

/**
 * The virtual host names apps are served at, in Nginx's {@code server_name} forms: an exact name
 * ({@code shop.example.org}), a leading wildcard ({@code *.example.org}: any name ending in
 * {@code .example.org}) or a trailing wildcard ({@code cart.shop.*}: any name starting with
 * {@code cart.shop.}). Names are compared without case.
 */
public final class HostPatterns {

    /** Which of the three forms a pattern has; also their precedence, first wins. */
    public enum Kind { EXACT, LEADING_WILDCARD, TRAILING_WILDCARD }

    private HostPatterns() { }

    /**
     * The canonical (lower-case) form of {@code raw}.
     *
     * @throws IllegalArgumentException unless it is one of the three forms, made of DNS labels
     */
    public static String normalize(String raw) {
        String p = raw.trim().toLowerCase(Locale.ROOT);
        String name = p;
        if (p.startsWith("*.")) {
            name = p.substring(2);
        } else if (p.endsWith(".*")) {
            name = p.substring(0, p.length() - 2);
        }
        if (name.isEmpty() || name.length() > 253) {
            throw new IllegalArgumentException("invalid host name '" + raw + "'");
        }
        for (String label : name.split("\\.", -1)) {
            if (!isLabel(label)) {
                throw new IllegalArgumentException("invalid host name '" + raw + "'");
            }
        }
        return p;
    }

    public static Kind kind(String pattern) {
        if (pattern.startsWith("*.")) {
            return Kind.LEADING_WILDCARD;
        }
        return pattern.endsWith(".*") ? Kind.TRAILING_WILDCARD : Kind.EXACT;
    }

    private static boolean isLabel(String label) {
        int n = label.length();
        if (n == 0 || n > 63 || label.charAt(0) == '-' || label.charAt(n - 1) == '-') {
            return false;
        }
        for (int i = 0; i < n; i++) {
            char c = label.charAt(i);
            if (!((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' || c == '_')) {
                return false;
            }
        }
        return true;
    }
}
