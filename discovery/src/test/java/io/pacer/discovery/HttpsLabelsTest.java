package io.pacer.discovery;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertSame;

import io.pacer.core.App;
import io.pacer.core.HttpsPolicy;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.api.Test;

/** PACER_REDIRECT_TO_HTTPS and PACER_HSTS, read into each app's HttpsPolicy. */
class HttpsLabelsTest {

    private static HttpsPolicy policy(Map<String, String> labels) {
        MarathonApp app = new MarathonApp("/shop", labels, 0, 0, List.of(), List.of(), List.of());
        return AppRoutes.apps(List.of(app), RouteOptions.defaults()).get(0).https();
    }

    @Test
    void noLabelsNoPolicy() {
        assertSame(HttpsPolicy.NONE, policy(Map.of()));
    }

    @ParameterizedTest(name = "{0}={1}")
    @CsvSource(delimiter = '|', value = {
        "PACER_REDIRECT_TO_HTTPS | true                              | true  | ",
        "PACER_REDIRECT_TO_HTTPS | ON                                | true  | ",
        "PACER_REDIRECT_TO_HTTPS | false                             | false | ",
        "PACER_REDIRECT_TO_HTTPS | maybe                             | false | ",
        "PACER_HSTS              | true                              | false | max-age=31536000",
        "PACER_HSTS              | max-age=600; includeSubDomains    | false | max-age=600; includeSubDomains",
        "PACER_HSTS              | no                                | false | ",
        "PACER_HSTS              | includeSubDomains                 | false | ",
    })
    void labelValues(String label, String value, boolean redirect, String hsts) {
        assertEquals(new HttpsPolicy(redirect, hsts), policy(Map.of(label, value)));
    }

    @Test
    void bothTogetherAndAChangeMakesADifferentApp() {
        HttpsPolicy both = policy(Map.of("PACER_REDIRECT_TO_HTTPS", "true", "PACER_HSTS", "true"));
        assertEquals(new HttpsPolicy(true, "max-age=31536000"), both);
        App with = new App("/a", List.of("/a"), List.of(), both);
        App without = new App("/a", List.of("/a"), List.of());
        assertNotEquals(with, without, "a label change republishes the table");
    }
}
