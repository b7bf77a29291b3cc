package io.pacer.core;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * Property-style cross-check of {@link RouteTable#lookup} against a naive reference, with fixed
 * seeds so a failure reproduces. The generators reuse a small vocabulary on purpose: prefixes nest,
 * share leading characters ({@code api}/{@code apix}) and collide on {@link String#hashCode()}
 * ({@code Aa}/{@code BB}), which is where an index built on running hashes can go wrong.
 */
class RouteTablePropertyTest {

    private static final String[] WORDS = {
        "a", "b", "ab", "abc", "api", "apix", "shop", "cart", "v1", "v2", "Aa", "BB", "AaBB", "BBAa",
        "x-y", "_", "~u", ".a", "...", "a.b", "%", "é",
    };
    private static final String SEGMENT_CHARS = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-_.~";

    /** What the reference says a lookup must return: null for a miss. */
    private record Expected(RouteMatch.Kind kind, String prefix) { }

    @ParameterizedTest(name = "seed {0}, root {1}")
    @CsvSource({"20240611, false", "20240611, true", "7, false", "99991, true"})
    void tenThousandAppsAgreeWithANaiveReference(long seed, boolean withRoot) {
        Random rnd = new Random(seed);
        List<App> apps = new ArrayList<>();
        List<String> canonical = new ArrayList<>();
        Map<String, App> reference = new LinkedHashMap<>();
        List<RouteTable.PrefixConflict> expectedConflicts = new ArrayList<>();
        List<App> expectedApps = new ArrayList<>();
        int rootAt = withRoot ? rnd.nextInt(10_000) : -1;

        for (int i = 0; i < 10_000; i++) {
            int prefixCount = 1 + rnd.nextInt(3);
            List<String> raws = new ArrayList<>();
            List<String> canon = new ArrayList<>();
            for (int p = 0; p < prefixCount; p++) {
                String c = i == rootAt && p == 0 ? "/" : randomPrefix(rnd, 1 + rnd.nextInt(6));
                canon.add(c);
                raws.add(spell(rnd, c));
            }
            int taskCount = rnd.nextInt(10) == 0 ? 0 : 1 + rnd.nextInt(3);
            App app = Fixtures.appWithTasks("app-" + i, taskCount, raws.toArray(new String[0]));
            apps.add(app);
            if (taskCount == 0) {
                continue;
            }
            boolean routed = false;
            for (String c : canon) {
                App owner = reference.get(c);
                if (owner == null) {
                    reference.put(c, app);
                    canonical.add(c);
                    routed = true;
                } else if (owner != app) {
                    expectedConflicts.add(new RouteTable.PrefixConflict(c, owner.id(), app.id()));
                }
            }
            if (routed) {
                expectedApps.add(app);
            }
        }

        RouteTable table = RouteTable.builder(seed).addAll(apps).build();

        assertEquals(new ArrayList<>(reference.entrySet()), new ArrayList<>(table.routes().entrySet()),
                "routes, in insertion order");
        assertEquals(expectedConflicts, table.conflicts());
        assertEquals(expectedApps, table.apps());
        assertTrue(reference.size() > 8_000, "the generator should produce many distinct prefixes: " + reference.size());
        assertTrue(expectedConflicts.size() > 50, "the generator should produce conflicts: " + expectedConflicts.size());

        List<String> failures = new ArrayList<>();
        int nested = 0;
        for (int n = 0; n < 200_000 && failures.size() < 20; n++) {
            String uri = randomUri(rnd, canonical);
            Expected expected = bySegments(reference, uri);
            if (n < 3_000) {
                Expected brute = byScan(reference, uri);
                if (!java.util.Objects.equals(expected, brute)) {
                    fail("the two references disagree on " + uri + ": " + expected + " vs " + brute);
                }
            }
            check(table, reference, uri, expected, failures);
            if (expected != null && expected.prefix().length() > 1 && expected.prefix().indexOf('/', 1) < expected.prefix().length() - 1) {
                nested++;
            }
        }
        assertTrue(nested > 10_000, "the generator should hit nested prefixes often: " + nested);
        if (!failures.isEmpty()) {
            fail(failures.size() + " lookups disagree with the reference (seed " + seed + "):\n" + String.join("\n", failures));
        }
    }

    /** Thousands of tiny tables over a four-word alphabet: the corners (root, redirect, depth cut) get hit many times. */
    @ParameterizedTest(name = "seed {0}")
    @CsvSource({"1", "2", "3", "424242"})
    void smallDenseTablesAgreeWithANaiveReference(long seed) {
        Random rnd = new Random(seed);
        String[] alphabet = {"a", "b", "Aa", "BB"};
        List<String> failures = new ArrayList<>();
        for (int t = 0; t < 3_000 && failures.size() < 20; t++) {
            Map<String, App> reference = new LinkedHashMap<>();
            RouteTable.Builder builder = RouteTable.builder(t);
            int count = 1 + rnd.nextInt(6);
            for (int i = 0; i < count; i++) {
                StringBuilder p = new StringBuilder("/");
                int depth = rnd.nextInt(4);
                for (int d = 0; d < depth; d++) {
                    p.append(alphabet[rnd.nextInt(alphabet.length)]).append('/');
                }
                App app = Fixtures.app("t" + t + "-" + i, p.toString());
                builder.add(app);
                reference.putIfAbsent(p.toString(), app);
            }
            RouteTable table = builder.build();
            for (int n = 0; n < 60; n++) {
                StringBuilder uri = new StringBuilder();
                int depth = rnd.nextInt(6);
                for (int d = 0; d < depth; d++) {
                    uri.append('/').append(alphabet[rnd.nextInt(alphabet.length)]);
                }
                if (depth == 0 || rnd.nextBoolean()) {
                    uri.append('/');
                }
                switch (rnd.nextInt(5)) {
                    case 0 -> uri.append("?q=/a/b/");
                    case 1 -> uri.append("#/a/");
                    case 2 -> uri.append('?');
                    default -> { }
                }
                String u = uri.toString();
                Expected expected = byScan(reference, u);
                check(table, reference, u, expected, failures);
            }
        }
        if (!failures.isEmpty()) {
            fail(failures.size() + " lookups disagree with the reference (seed " + seed + "):\n" + String.join("\n", failures));
        }
    }

    private static void check(RouteTable table, Map<String, App> reference, String uri, Expected expected,
                              List<String> failures) {
        RouteMatch actual = table.lookup(uri);
        if (expected == null) {
            if (actual != null) {
                failures.add(uri + ": expected a miss, got " + actual);
            }
            return;
        }
        if (actual == null || actual.kind() != expected.kind() || !actual.prefix().equals(expected.prefix())
                || actual.app() != reference.get(expected.prefix())) {
            failures.add(uri + ": expected " + expected + " -> " + reference.get(expected.prefix()).id() + ", got " + actual
                    + " (routes " + (reference.size() < 10 ? reference.keySet() : reference.size() + " prefixes") + ")");
        }
    }

    /** The path part of a request target: everything before the first '?' or '#'. */
    private static String pathOf(String uri) {
        int cut = uri.length();
        int q = uri.indexOf('?');
        int h = uri.indexOf('#');
        if (q >= 0) {
            cut = q;
        }
        if (h >= 0 && h < cut) {
            cut = h;
        }
        return uri.substring(0, cut);
    }

    /** Reference 1: try every segment boundary of the path as a prefix, with plain substrings and a HashMap. */
    private static Expected bySegments(Map<String, App> routes, String uri) {
        String path = pathOf(uri);
        if (!path.isEmpty() && !path.endsWith("/") && routes.containsKey(path + "/")) {
            return new Expected(RouteMatch.Kind.REDIRECT, path + "/");
        }
        String best = null;
        for (int i = 0; i < path.length(); i++) {
            if (path.charAt(i) == '/' && routes.containsKey(path.substring(0, i + 1))) {
                best = path.substring(0, i + 1);
            }
        }
        return best == null ? null : new Expected(RouteMatch.Kind.FORWARD, best);
    }

    /** Reference 2: scan every prefix and keep the longest one the path starts with. */
    private static Expected byScan(Map<String, App> routes, String uri) {
        String path = pathOf(uri);
        String best = null;
        for (String prefix : routes.keySet()) {
            if (!path.isEmpty() && !path.endsWith("/") && prefix.equals(path + "/")) {
                return new Expected(RouteMatch.Kind.REDIRECT, prefix);
            }
            if (path.startsWith(prefix) && (best == null || prefix.length() > best.length())) {
                best = prefix;
            }
        }
        return best == null ? null : new Expected(RouteMatch.Kind.FORWARD, best);
    }

    private static String segment(Random rnd) {
        if (rnd.nextInt(10) < 7) {
            String w = WORDS[rnd.nextInt(WORDS.length)];
            // '%' and 'é' are not allowed in prefixes; keep them for paths only.
            return w.equals("%") || w.equals("é") ? "q" : w;
        }
        int len = 1 + rnd.nextInt(8);
        StringBuilder s = new StringBuilder(len);
        for (int i = 0; i < len; i++) {
            s.append(SEGMENT_CHARS.charAt(rnd.nextInt(SEGMENT_CHARS.length())));
        }
        String out = s.toString();
        return out.equals(".") || out.equals("..") ? "dot" : out;
    }

    private static String randomPrefix(Random rnd, int depth) {
        StringBuilder p = new StringBuilder("/");
        for (int d = 0; d < depth; d++) {
            p.append(segment(rnd)).append('/');
        }
        return p.toString();
    }

    /** The same prefix as an operator might write it: with or without its slashes. */
    private static String spell(Random rnd, String canonical) {
        if (canonical.equals("/")) {
            return "/";
        }
        String s = canonical;
        if (rnd.nextBoolean()) {
            s = s.substring(1);
        }
        if (rnd.nextBoolean()) {
            s = s.substring(0, s.length() - 1);
        }
        return s;
    }

    private static String randomUri(Random rnd, List<String> prefixes) {
        StringBuilder uri = new StringBuilder();
        int kind = rnd.nextInt(10);
        if (kind < 7) {
            String p = prefixes.get(rnd.nextInt(prefixes.size()));
            switch (rnd.nextInt(6)) {
                case 0 -> uri.append(p);
                case 1 -> uri.append(p, 0, Math.max(1, p.length() - 1));
                case 2 -> uri.append(p, 0, Math.max(1, p.length() - 1)).append(WORDS[rnd.nextInt(WORDS.length)]);
                default -> {
                    uri.append(p);
                    int extra = 1 + rnd.nextInt(6);
                    for (int i = 0; i < extra; i++) {
                        uri.append(rnd.nextInt(4) == 0 ? WORDS[rnd.nextInt(WORDS.length)] : segment(rnd));
                        if (i < extra - 1 || rnd.nextBoolean()) {
                            uri.append('/');
                        }
                    }
                }
            }
        } else {
            int depth = rnd.nextInt(9);
            for (int d = 0; d < depth; d++) {
                uri.append('/').append(WORDS[rnd.nextInt(WORDS.length)]);
            }
            if (depth == 0 || rnd.nextBoolean()) {
                uri.append('/');
            }
        }
        switch (rnd.nextInt(8)) {
            case 0 -> uri.append('?').append("next=").append(prefixes.get(rnd.nextInt(prefixes.size())));
            case 1 -> uri.append('#').append(prefixes.get(rnd.nextInt(prefixes.size())));
            case 2 -> uri.append("?a=1#b/c/");
            case 3 -> uri.append('?');
            default -> { }
        }
        return uri.toString();
    }
}
