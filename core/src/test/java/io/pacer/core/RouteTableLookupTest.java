package io.pacer.core;

import static io.pacer.core.Fixtures.app;
import static io.pacer.core.Fixtures.table;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;

import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** Longest-prefix-by-segment lookup, case by case. {@link RouteTablePropertyTest} covers it at scale. */
class RouteTableLookupTest {

    private static void assertForward(RouteTable table, String uri, String prefix, String appId) {
        RouteMatch m = table.lookup(uri);
        assertNotNull(m, () -> uri + " should be forwarded to " + appId);
        assertEquals(RouteMatch.Kind.FORWARD, m.kind(), () -> "kind for " + uri);
        assertEquals(prefix, m.prefix(), () -> "prefix for " + uri);
        assertEquals(appId, m.app().id(), () -> "app for " + uri);
    }

    private static void assertRedirect(RouteTable table, String uri, String prefix, String appId) {
        RouteMatch m = table.lookup(uri);
        assertNotNull(m, () -> uri + " should be redirected to " + prefix);
        assertEquals(RouteMatch.Kind.REDIRECT, m.kind(), () -> "kind for " + uri);
        assertEquals(prefix, m.prefix(), () -> "prefix for " + uri);
        assertEquals(appId, m.app().id(), () -> "app for " + uri);
    }

    private static void assertMiss(RouteTable table, String uri) {
        RouteMatch m = table.lookup(uri);
        assertNull(m, () -> uri + " should match nothing but matched " + m);
    }

    @Nested
    class SegmentBoundaries {
        private final RouteTable table = table(app("api", "/api/"));

        @ParameterizedTest
        @ValueSource(strings = {"/api/", "/api/x", "/api/x/y/z", "/api/x.json", "/api//x", "/api/apix"})
        void pathsInsideThePrefixAreForwarded(String uri) {
            assertForward(table, uri, "/api/", "api");
        }

        @ParameterizedTest
        @ValueSource(strings = {"/apix", "/apix/", "/apix/y", "/ap", "/ap/i/", "/a", "/", "//api/x", "/API/x",
                "/x/api/", "api/x", "", "*"})
        void pathsThatOnlyShareCharactersAreNotMatched(String uri) {
            assertMiss(table, uri);
        }

        @Test
        void thePrefixWithoutItsSlashIsRedirected() {
            assertRedirect(table, "/api", "/api/", "api");
        }
    }

    @Nested
    class NestedPrefixes {
        private final RouteTable table = table(app("shop", "/shop/"), app("cart", "/shop/cart/"));

        @Test
        void theDeepestPrefixWins() {
            assertForward(table, "/shop/cart/", "/shop/cart/", "cart");
            assertForward(table, "/shop/cart/items/42", "/shop/cart/", "cart");
        }

        @Test
        void siblingsOfTheInnerPrefixStayWithTheOuterApp() {
            assertForward(table, "/shop/", "/shop/", "shop");
            assertForward(table, "/shop/cartx", "/shop/", "shop");
            assertForward(table, "/shop/cartx/items", "/shop/", "shop");
            assertForward(table, "/shop/car", "/shop/", "shop");
            assertForward(table, "/shop/other/cart/", "/shop/", "shop");
        }

        @Test
        void innerPrefixWithoutSlashRedirectsEvenThoughTheOuterPrefixMatches() {
            assertRedirect(table, "/shop/cart", "/shop/cart/", "cart");
            assertRedirect(table, "/shop/cart?x=1", "/shop/cart/", "cart");
        }

        @Test
        void outerPrefixWithoutSlashRedirects() {
            assertRedirect(table, "/shop", "/shop/", "shop");
        }

        @Test
        void insertionOrderDoesNotMatter() {
            RouteTable reversed = table(app("cart", "/shop/cart/"), app("shop", "/shop/"));
            assertForward(reversed, "/shop/cart/x", "/shop/cart/", "cart");
            assertForward(reversed, "/shop/x", "/shop/", "shop");
            assertRedirect(reversed, "/shop/cart", "/shop/cart/", "cart");
        }

        @Test
        void innerPrefixAloneDoesNotServeItsParent() {
            RouteTable innerOnly = table(app("cart", "/shop/cart/"));
            assertMiss(innerOnly, "/shop/");
            assertMiss(innerOnly, "/shop/x");
            assertMiss(innerOnly, "/shop");
            assertForward(innerOnly, "/shop/cart/x", "/shop/cart/", "cart");
            assertRedirect(innerOnly, "/shop/cart", "/shop/cart/", "cart");
        }

        @Test
        void redirectWinsOverRootToo() {
            RouteTable withRoot = table(app("root", "/"), app("shop", "/shop/"), app("cart", "/shop/cart/"));
            assertRedirect(withRoot, "/shop/cart", "/shop/cart/", "cart");
            assertRedirect(withRoot, "/shop", "/shop/", "shop");
        }
    }

    @Nested
    class QueryAndFragment {
        private final RouteTable table = table(app("api", "/api/"), app("other", "/other/"));

        @ParameterizedTest
        @ValueSource(strings = {"/api/x?y=1", "/api/?", "/api/x?next=/other/y", "/api/x#/other/", "/api/#x",
                "/api/x?a#b", "/api/x?q=/x/y/z/w/v/u"})
        void queryAndFragmentDoNotChangeTheMatch(String uri) {
            assertForward(table, uri, "/api/", "api");
        }

        @ParameterizedTest
        @ValueSource(strings = {"/api?x=1", "/api?", "/api#frag", "/api#", "/api?/other/"})
        void redirectIsDecidedOnThePathOnly(String uri) {
            assertRedirect(table, uri, "/api/", "api");
        }

        @ParameterizedTest
        @ValueSource(strings = {"/apix?/api/", "/x?/api/y", "/x#/api/y", "?/api/", "#/api/", "/?/api/x"})
        void aPrefixInTheQueryOrFragmentIsNotMatched(String uri) {
            assertMiss(table, uri);
        }
    }

    @Nested
    class Root {
        private final RouteTable table = table(app("root", "/"), app("api", "/api/"));

        @ParameterizedTest
        @ValueSource(strings = {"/", "/x", "/apix", "/apix/y", "/a/b/c/d/e/f", "/?q=1", "/#f", "//", "/API/x"})
        void rootServesEverythingElse(String uri) {
            assertForward(table, uri, "/", "root");
        }

        @Test
        void longerPrefixesStillWin() {
            assertForward(table, "/api/x", "/api/", "api");
            assertRedirect(table, "/api", "/api/", "api");
        }

        @Test
        void rootAloneServesDeepPaths() {
            RouteTable onlyRoot = table(app("root", "/"));
            assertForward(onlyRoot, "/", "/", "root");
            assertForward(onlyRoot, "/a", "/", "root");
            assertForward(onlyRoot, "/a/b/c/d/e/f/g/h/i/j", "/", "root");
            assertForward(onlyRoot, "/a?b/c", "/", "root");
        }

        @Test
        void targetsThatAreNotOriginFormAreNotMatchedByRoot() {
            RouteTable onlyRoot = table(app("root", "/"));
            assertMiss(onlyRoot, "*");
            assertMiss(onlyRoot, "x/y");
        }
    }

    @Nested
    class Misses {
        @ParameterizedTest
        @ValueSource(strings = {"/", "/x", "/x/", "/x/y?z", "", "?", "#"})
        void emptyTableMatchesNothing(String uri) {
            assertMiss(RouteTable.empty(), uri);
            assertMiss(RouteTable.builder(7).build(), uri);
        }

        @ParameterizedTest
        @ValueSource(strings = {"/", "/x", "/x/", "/b/a/", "/ab", "/a b/"})
        void unknownPathsMatchNothing(String uri) {
            assertMiss(table(app("a", "/a/"), app("c", "/c/d/")), uri);
        }
    }

    @Nested
    class DeepPaths {
        private final RouteTable table = table(app("a", "/a/"), app("ab", "/a/b/"));

        @Test
        void pathsDeeperThanTheDeepestPrefixUseTheDeepestMatch() {
            assertForward(table, "/a/b/c/d/e/f/g/h", "/a/b/", "ab");
            assertForward(table, "/a/x/c/d/e/f/g/h", "/a/", "a");
            assertForward(table, "/a/b/c/d/e/f/g/h/", "/a/b/", "ab");
            assertForward(table, "/a/b/c/d/e/f/g/h?x=/z", "/a/b/", "ab");
        }

        @Test
        void deepPathsUnderNoPrefixMiss() {
            assertMiss(table, "/x/y/z/a/b/c/d");
            assertMiss(table, "/x/a/b/");
        }

        @Test
        void aVeryDeepPathIsHandled() {
            String deep = "/a/b" + "/seg".repeat(10_000) + "?q";
            assertForward(table, deep, "/a/b/", "ab");
        }

        @Test
        void deepPrefixesAreFoundUnderManyShallowOnes() {
            RouteTable t = table(app("a", "/a/"), app("deep", "/a/b/c/d/e/f/"));
            assertForward(t, "/a/b/c/d/e/f/g", "/a/b/c/d/e/f/", "deep");
            assertForward(t, "/a/b/c/d/e/x", "/a/", "a");
            assertRedirect(t, "/a/b/c/d/e/f", "/a/b/c/d/e/f/", "deep");
        }
    }

    @Nested
    class HashCollisions {
        // "Aa" and "BB" have the same String.hashCode, so all of these keys collide.
        private final RouteTable table = table(
                app("Aa", "/Aa/"), app("BB", "/BB/"), app("AaBB", "/AaBB/"), app("BBAa", "/BBAa/"),
                app("AaAa-x", "/AaAa/x/"));

        @Test
        void theCollidingKeysReallyCollide() {
            assertEquals("/Aa".hashCode(), "/BB".hashCode());
            assertEquals("/AaBB".hashCode(), "/BBAa".hashCode());
            assertEquals("/AaBB".hashCode(), "/BBBB".hashCode());
        }

        @Test
        void eachCollidingPrefixFindsItsOwnApp() {
            assertForward(table, "/Aa/x", "/Aa/", "Aa");
            assertForward(table, "/BB/x", "/BB/", "BB");
            assertForward(table, "/AaBB/x", "/AaBB/", "AaBB");
            assertForward(table, "/BBAa/x", "/BBAa/", "BBAa");
            assertForward(table, "/AaAa/x/y", "/AaAa/x/", "AaAa-x");
            assertRedirect(table, "/BB", "/BB/", "BB");
            assertRedirect(table, "/BBAa", "/BBAa/", "BBAa");
        }

        @Test
        void aCollidingPathThatIsNoPrefixMisses() {
            assertMiss(table, "/BBBB/x");
            assertMiss(table, "/BBBB");
            assertMiss(table, "/AaAa/y");
            assertMiss(table, "/AaAa");
        }
    }

    @Nested
    class Matches {
        @Test
        void lookupsReturnTheSameMatchInstanceEveryTime() {
            App shop = app("shop", "/shop/");
            RouteTable t = table(shop);
            RouteMatch first = t.lookup("/shop/a");
            assertSame(first, t.lookup("/shop/b?c"));
            assertSame(shop, first.app());
            RouteMatch redirect = t.lookup("/shop");
            assertSame(redirect, t.lookup("/shop?x"));
        }

        @Test
        void prefixesGivenWithoutSlashesAreServedNormalized() {
            RouteTable t = table(app("shop", "shop/cart"));
            assertForward(t, "/shop/cart/x", "/shop/cart/", "shop");
            assertRedirect(t, "/shop/cart", "/shop/cart/", "shop");
            assertEquals(java.util.Set.of("/shop/cart/"), t.routes().keySet());
        }

        @Test
        void anAppServesEachOfItsPrefixes() {
            RouteTable t = table(app("multi", "/one/", "/two/three/"));
            assertForward(t, "/one/x", "/one/", "multi");
            assertForward(t, "/two/three/x", "/two/three/", "multi");
            assertMiss(t, "/two/x");
        }

        @Test
        void toStringNamesKindPrefixAndApp() {
            assertEquals("FORWARD /shop/ -> shop", table(app("shop", "/shop/")).lookup("/shop/x").toString());
        }
    }
}
