package io.pacer.discovery;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

/** The app list read chunk by chunk, as the HTTP client delivers it, gives what the whole body gives. */
class AppListParserTest {

    private static List<MarathonApp> inChunks(byte[] body, Random random) throws MarathonFormatException {
        AppListParser parser = new AppListParser();
        int at = 0;
        while (at < body.length) {
            int n = Math.min(body.length - at, 1 + random.nextInt(64));
            parser.feed(body, at, n);
            at += n;
        }
        return parser.finish();
    }

    @Test
    void anyChunkingGivesTheSameApps() throws Exception {
        for (String fixture : List.of("apps-tasks.json", "apps-labels.json", "apps-small.json")) {
            byte[] body = Fixtures.bytes(fixture);
            List<MarathonApp> whole = MarathonApps.parse(body);
            assertTrue(!whole.isEmpty(), fixture);
            for (int seed = 0; seed < 20; seed++) {
                assertEquals(whole, inChunks(body, new Random(seed)), fixture + " seed " + seed);
            }
        }
    }

    @Test
    void aBodyCutShortFailsHoweverItIsChunked() {
        byte[] body = Fixtures.bytes("apps-tasks.json");
        byte[] cut = java.util.Arrays.copyOf(body, body.length - 3);
        MarathonFormatException e = assertThrows(MarathonFormatException.class, () -> inChunks(cut, new Random(1)));
        assertTrue(e.getMessage().contains("not valid JSON"), e.getMessage());
    }

    @Test
    void aBodyThatIsNoAppListIsKnownEarly() {
        AppListParser parser = new AppListParser();
        byte[] html = "<html><body>502 Bad Gateway</body></html>".getBytes(java.nio.charset.StandardCharsets.UTF_8);
        parser.feed(html, 0, 10);
        assertTrue(parser.failed(), "no need to read the rest");
    }

    @Test
    void theReportedFieldsAreKeptAsSent() throws Exception {
        MarathonApp app = MarathonApps.parse(("{\"apps\":[{\"id\":\"/a\",\"env\":{\"K\":\"v\",\"S\":{\"secret\":\"s\"}},"
                + "\"container\":{\"type\":\"DOCKER\"},\"cmd\":\"sleep 1\"}]}").getBytes()).get(0);
        assertEquals("v", app.env().get("K").textValue());
        assertEquals("s", app.env().get("S").get("secret").textValue());
        assertEquals("DOCKER", app.container().get("type").textValue());
        assertTrue(app.healthChecks().isEmpty());
        assertTrue(app.reported().size() < 100, "compact: " + app.reported());
    }
}
