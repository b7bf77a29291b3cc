package io.pacer.core;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;

import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

class RequestPathsTest {

    @ParameterizedTest(name = "\"{0}\" -> \"{1}\"")
    @CsvSource(delimiter = '|', quoteCharacter = '"', value = {
        // dot segments
        "/a/../b                  | /b",
        "/public/../admin/x       | /admin/x",
        "/a/./b                   | /a/b",
        "/a/b/..                  | /a/",
        "/a/b/.                   | /a/b/",
        "/a/..                    | /",
        "/.                       | /",
        "/./                      | /",
        "/a/b/../../c/            | /c/",
        "/a/b/c/../../d           | /a/d",
        // escaped dots are dots
        "/a/%2e%2e/b              | /b",
        "/a/%2E%2E/b              | /b",
        "/a/.%2e/b                | /b",
        "/a/%2e/b                 | /a/b",
        "/public/%2e%2e/admin/x   | /admin/x",
        // unreserved escapes are decoded
        "/%68ello-world/          | /hello-world/",
        "/%68%65llo%2Dworld%5F%7E/ | /hello-world_~/",
        "/%41%5a%61%7a%30%39/     | /AZaz09/",
        // reserved and other escapes stay as sent
        "/app%2Fx                 | /app%2Fx",
        "/app%2fx/%68             | /app%2fx/h",
        "/a/%2F../b               | /a/%2F../b",
        "/a/..%2F/b               | /a/..%2F/b",
        "/a/%5C../b/%68           | /a/%5C../b/h",
        "/a%20b/%E2%82%AC/%25/%68 | /a%20b/%E2%82%AC/%25/h",
        "/%2525/%68               | /%2525/h",
        // query kept byte for byte, never decoded nor resolved
        "/a/../b?x=/../%68&y=%2F  | /b?x=/../%68&y=%2F",
        "/%68?                    | /h?",
        "/a/..?                   | /?",
        // empty segments are kept
        "/a//../b                 | /a/b",
        "//x/%68                  | //x/h",
        "/a//b/.                  | /a//b/",
        // not dot segments
        "/.well-known/%68         | /.well-known/h",
        "/a/.../b/%68             | /a/.../b/h",
        "/a/..b/b../%68           | /a/..b/b../h",
    })
    void normalizes(String target, String expected) {
        assertEquals(expected, RequestPaths.normalize(target));
    }

    @ParameterizedTest(name = "\"{0}\"")
    @ValueSource(strings = {
        "/", "/hello-world/", "/a/b/c?q=1", "/a%20b/x%2Fy", "/x//y///?a=1&a=2", "/~user/!$&'()*+,;=:@/x?k=v;w&z=%00",
        "/hello-world/x?q=/shop/cart/?and?more", "/.well-known/x", "/a/..b/...", "/?", "/a?../..", "/\u00e9t\u00e9/",
    })
    void targetsNeedingNoChangeAreReturnedAsTheSameInstance(String target) {
        assertSame(target, RequestPaths.normalize(target));
    }

    @ParameterizedTest(name = "\"{0}\"")
    @ValueSource(strings = {
        "/..", "/../", "/../a", "/a/../..", "/a/../../b", "/%2e%2e/admin", "/a/%2E%2E/%2e%2E/x", "/./..",
        "/a%", "/a%2", "/a%2?x", "/a%g0", "/a%0g/", "/a%%41",
        "/a\\b", "/a\\..\\admin", "/a#frag", "/a?b#c", "/a b", "/a\tb", "/a\u0000b", "/a?\u0000", "/a\u007f",
        "/a\r\nX: y", "", "a/b", "*", "http://h/x",
    })
    void refused(String target) {
        assertNull(RequestPaths.normalize(target), target);
    }

    @Test
    void nullIsRefused() {
        assertNull(RequestPaths.normalize(null));
    }

    @Test
    void normalizingTwiceChangesNothing() {
        for (String target : List.of("/a/../b", "/%68ello/%2e/x?q", "/a//./b/..", "/app%2Fx/%7e/", "/public/%2e%2e/admin/")) {
            String once = RequestPaths.normalize(target);
            assertSame(once, RequestPaths.normalize(once), target);
        }
    }

    @Test
    void noNormalizedPathClimbsAboveItsFirstSegmentUnlessItSaysSo() {
        // Whatever the spelling, a target starting /public/ resolves under /public/ or is refused,
        // unless it uses dot segments: then it is exactly where the dots lead, never refused halfway.
        assertEquals("/admin/x", RequestPaths.normalize("/public/%2E%2E/admin/x"));
        assertEquals("/public/admin%2Fx", RequestPaths.normalize("/public/admin%2Fx"));
        assertEquals("/public/..%2Fadmin", RequestPaths.normalize("/public/..%2Fadmin"));
    }
}
