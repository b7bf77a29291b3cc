package io.pacer.core;

/**
 * The path Pacer routes on and forwards: an origin-form request target ({@code /path?query})
 * normalized so that two spellings of one resource route alike and no spelling reaches an app
 * through another app's prefix.
 *
 * <p>The rule, applied to the path only (the query, from the first {@code ?}, is kept byte for
 * byte):
 * <ol>
 *   <li>Percent-encoded unreserved characters (RFC 3986: {@code A-Z a-z 0-9 - . _ ~}) are decoded:
 *       {@code /%68ello-world/} is {@code /hello-world/}. Every other escape stays exactly as sent,
 *       its hex case included; in particular {@code %2F} and {@code %5C} are not separators, so
 *       {@code /app%2Fx} is the one segment {@code app%2Fx} and does not match {@code /app/}.</li>
 *   <li>Dot segments are removed (RFC 3986 section 5.2.4), after step 1, so {@code %2E%2E} is
 *       {@code ..}: {@code /public/../admin/x} is {@code /admin/x}; a path ending in {@code /.} or
 *       {@code /..} keeps its trailing slash.</li>
 *   <li>Empty segments ({@code //}) are kept: they are not merged.</li>
 * </ol>
 * A target is refused ({@code null}, a 400) when its path climbs above the root with {@code ..},
 * holds a malformed escape ({@code %} not followed by two hex digits) or a backslash, or when the
 * target holds a {@code #}, a space or a control character. Other bytes (non-ASCII ones included)
 * pass unchanged.
 *
 * <p>A target that needs no change is returned as the same instance, without allocating.
 */
public final class RequestPaths {

    private RequestPaths() { }

    /**
     * {@code target} without {@code prefix} (which ends with a slash), keeping one leading slash:
     * {@code /shop/x?q=1} under {@code /shop/} is {@code /x?q=1}; {@code /shop/} is {@code /}. A
     * target the prefix does not start (a redirect, or the root prefix) is returned as it is.
     */
    public static String stripPrefix(String target, String prefix) {
        if (prefix.length() <= 1 || !target.startsWith(prefix)) {
            return target;
        }
        return target.substring(prefix.length() - 1);
    }

    /**
     * The normalized form of an origin-form {@code target}, or {@code null} when it must be refused.
     */
    public static String normalize(String target) {
        if (target == null || target.isEmpty() || target.charAt(0) != '/') {
            return null;
        }
        int query = target.indexOf('?');
        int pathEnd = query < 0 ? target.length() : query;
        boolean clean = true;
        for (int i = 0; i < pathEnd; i++) {
            char c = target.charAt(i);
            if (c <= 0x20 || c == 0x7F || c == '\\' || c == '#') {
                return null;
            }
            if (c == '%') {
                if (i + 2 >= pathEnd || hex(target.charAt(i + 1)) < 0 || hex(target.charAt(i + 2)) < 0) {
                    return null;
                }
                if (isUnreserved((char) (hex(target.charAt(i + 1)) * 16 + hex(target.charAt(i + 2))))) {
                    clean = false;
                }
            } else if (c == '.' && target.charAt(i - 1) == '/' && isDotSegment(target, i, pathEnd)) {
                clean = false;
            }
        }
        for (int i = pathEnd; i < target.length(); i++) {
            char c = target.charAt(i);
            if (c <= 0x20 || c == 0x7F || c == '#') {
                return null;
            }
        }
        if (clean) {
            return target;
        }
        String path = removeDotSegments(decodeUnreserved(target, pathEnd));
        if (path == null) {
            return null;
        }
        return query < 0 ? path : path + target.substring(query);
    }

    /** Whether the segment starting at {@code start} (just after a '/') is "." or "..". */
    private static boolean isDotSegment(String s, int start, int end) {
        int stop = s.indexOf('/', start);
        int segEnd = stop < 0 || stop > end ? end : stop;
        int len = segEnd - start;
        return len == 1 || (len == 2 && s.charAt(start + 1) == '.');
    }

    private static String decodeUnreserved(String target, int pathEnd) {
        StringBuilder out = new StringBuilder(pathEnd);
        for (int i = 0; i < pathEnd; i++) {
            char c = target.charAt(i);
            if (c == '%') {
                char decoded = (char) (hex(target.charAt(i + 1)) * 16 + hex(target.charAt(i + 2)));
                if (isUnreserved(decoded)) {
                    out.append(decoded);
                } else {
                    out.append(target, i, i + 3);
                }
                i += 2;
            } else {
                out.append(c);
            }
        }
        return out.toString();
    }

    /** RFC 3986 section 5.2.4 on an absolute path; {@code null} when ".." would climb above the root. */
    private static String removeDotSegments(String path) {
        // Segments between slashes; path starts with '/'.
        String[] segments = path.substring(1).split("/", -1);
        String[] kept = new String[segments.length];
        int n = 0;
        boolean trailingSlash = false;
        for (int i = 0; i < segments.length; i++) {
            String seg = segments[i];
            boolean last = i == segments.length - 1;
            if (seg.equals(".")) {
                trailingSlash = last;
            } else if (seg.equals("..")) {
                if (n == 0) {
                    return null;
                }
                n--;
                trailingSlash = last;
            } else {
                kept[n++] = seg;
                trailingSlash = false;
            }
        }
        StringBuilder out = new StringBuilder(path.length());
        for (int i = 0; i < n; i++) {
            out.append('/').append(kept[i]);
        }
        if (trailingSlash || n == 0) {
            out.append('/');
        }
        return out.toString();
    }

    private static boolean isUnreserved(char c) {
        return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9')
                || c == '-' || c == '.' || c == '_' || c == '~';
    }

    private static int hex(char c) {
        if (c >= '0' && c <= '9') {
            return c - '0';
        }
        if (c >= 'a' && c <= 'f') {
            return c - 'a' + 10;
        }
        if (c >= 'A' && c <= 'F') {
            return c - 'A' + 10;
        }
        return -1;
    }
}
