package io.pacer.core;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

class PrefixesTest {

    @ParameterizedTest(name = "\"{0}\" -> \"{1}\"")
    @CsvSource(delimiter = '|', quoteCharacter = '"', value = {
        "shop            | /shop/",
        "/shop           | /shop/",
        "shop/           | /shop/",
        "/shop/          | /shop/",
        "/shop/cart      | /shop/cart/",
        "shop/cart       | /shop/cart/",
        "\"  /shop/ \"   | /shop/",
        "/               | /",
        "/a/b/c/d/e/f/g  | /a/b/c/d/e/f/g/",
        "/.well-known/   | /.well-known/",
        "/.../           | /.../",
        "/..a/a../       | /..a/a../",
        "/~user/         | /~user/",
        "/v1;matrix=1/   | /v1;matrix=1/",
        "/a-b_c.d~e/     | /a-b_c.d~e/",
        "/AaBB/          | /AaBB/",
        "/a:b@c!$&'()*+,=/ | /a:b@c!$&'()*+,=/",
    })
    void validPrefixesAreNormalized(String raw, String expected) {
        assertEquals(expected, Prefixes.normalize(raw));
    }

    @ParameterizedTest(name = "\"{0}\"")
    @ValueSource(strings = {
        "//", "///", "/a//b/", "a//", "//a/", "/a//",
        "/./", "/../", ".", "..", "/a/./b/", "/a/../b/", "/a/..", "./a",
        "/a b/", "/a\tb/", "/a\u0001b/", "/a\u007fb/", "/é/", "/a\u00a0b/", "/日本/",
        "/a?b/", "/a?/", "/a#b/", "/#/", "/a%20b/", "/%2F/",
    })
    void invalidPrefixesAreRejected(String raw) {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> Prefixes.normalize(raw));
        assertTrue(e.getMessage().contains("'" + raw + "'"), "the message names the prefix: " + e.getMessage());
    }

    @ParameterizedTest
    @ValueSource(strings = {"shop", "/shop/cart", "/", "a/b/", " /x "})
    void normalizingIsIdempotent(String raw) {
        String once = Prefixes.normalize(raw);
        assertEquals(once, Prefixes.normalize(once));
    }

    @Test
    void aNullPrefixIsRejected() {
        assertThrows(NullPointerException.class, () -> Prefixes.normalize(null));
    }
}
