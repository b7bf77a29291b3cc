package io.pacer.config;

import java.util.Locale;

/** String helpers for parsing values and for writing error messages operators can act on. */
final class Text {

    private Text() { }

    /** Whether {@code s[from, to)} is ASCII digits only; {@link Character#isDigit} would let other scripts in. */
    static boolean isDigits(String s, int from, int to) {
        for (int i = from; i < to; i++) {
            char c = s.charAt(i);
            if (c < '0' || c > '9') {
                return false;
            }
        }
        return true;
    }

    /** The value of the digits in {@code s[from, to)}, or -1 when it does not fit in a long. */
    static long parseDigits(String s, int from, int to) {
        long value = 0;
        for (int i = from; i < to; i++) {
            int digit = s.charAt(i) - '0';
            if (value > (Long.MAX_VALUE - digit) / 10) {
                return -1;
            }
            value = value * 10 + digit;
        }
        return value;
    }

    /**
     * {@code s} in double quotes with control characters escaped, so a stray newline or tab in a
     * value shows up in a one-line error message instead of breaking it.
     */
    static String quote(String s) {
        StringBuilder out = new StringBuilder(s.length() + 2).append('"');
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            switch (c) {
                case '"': out.append("\\\""); break;
                case '\\': out.append("\\\\"); break;
                case '\n': out.append("\\n"); break;
                case '\r': out.append("\\r"); break;
                case '\t': out.append("\\t"); break;
                default:
                    if (c < 0x20 || c == 0x7f) {
                        out.append(String.format(Locale.ROOT, "\\u%04x", (int) c));
                    } else {
                        out.append(c);
                    }
            }
        }
        return out.append('"').toString();
    }

    /**
     * The candidate closest to {@code word}, ignoring case, when at most two edits away (an edit
     * being an insertion, deletion, substitution or swap of neighbours); {@code null} otherwise.
     * Ties go to the earlier candidate.
     */
    static String closest(String word, Iterable<String> candidates) {
        String lower = word.toLowerCase(Locale.ROOT);
        String best = null;
        int bestDistance = 3;
        for (String candidate : candidates) {
            int distance = distance(lower, candidate.toLowerCase(Locale.ROOT));
            if (distance < bestDistance) {
                best = candidate;
                bestDistance = distance;
            }
        }
        return best;
    }

    /** Optimal string alignment distance: Levenshtein plus transpositions, the typo most often made. */
    static int distance(String a, String b) {
        int[][] d = new int[a.length() + 1][b.length() + 1];
        for (int i = 0; i <= a.length(); i++) {
            d[i][0] = i;
        }
        for (int j = 0; j <= b.length(); j++) {
            d[0][j] = j;
        }
        for (int i = 1; i <= a.length(); i++) {
            for (int j = 1; j <= b.length(); j++) {
                int cost = a.charAt(i - 1) == b.charAt(j - 1) ? 0 : 1;
                int best = Math.min(Math.min(d[i - 1][j] + 1, d[i][j - 1] + 1), d[i - 1][j - 1] + cost);
                if (i > 1 && j > 1 && a.charAt(i - 1) == b.charAt(j - 2) && a.charAt(i - 2) == b.charAt(j - 1)) {
                    best = Math.min(best, d[i - 2][j - 2] + 1);
                }
                d[i][j] = best;
            }
        }
        return d[a.length()][b.length()];
    }

    /**
     * Why {@code value} cannot be sent as an HTTP header value, or {@code null} if it can. Beyond
     * RFC 9110 (no control characters, no surrounding whitespace) it must be ASCII: Netty writes
     * header characters as single bytes, so anything else would reach clients mangled.
     */
    static String headerValueProblem(String value) {
        if (value.isEmpty()) {
            return "must not be empty";
        }
        for (int i = 0; i < value.length(); i++) {
            char c = value.charAt(i);
            if ((c < 0x20 && c != '\t') || c == 0x7f) {
                return quote(value) + " is not a valid header value: it contains a control character";
            }
            if (c > 0x7e) {
                return quote(value) + " is not a valid header value: it contains " + quote(new String(Character.toChars(value.codePointAt(i))))
                        + "; use ASCII characters only";
            }
        }
        if (isBlank(value.charAt(0)) || isBlank(value.charAt(value.length() - 1))) {
            return quote(value) + " is not a valid header value: it starts or ends with whitespace";
        }
        return null;
    }

    private static boolean isBlank(char c) {
        return c == ' ' || c == '\t';
    }
}
