package io.pacer.discovery;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class SseParserTest {

    /** Everything the parser reports, as text, in order. */
    static final class Recorder implements SseParser.Listener {
        final List<String> seen = new ArrayList<>();

        @Override
        public void onEvent(String type, String data) {
            seen.add(type + "|" + data);
        }

        @Override
        public void onHeartbeat() {
            seen.add("heartbeat");
        }

        @Override
        public void onOversizedEvent(long bytes) {
            seen.add("oversized " + bytes);
        }
    }

    private static List<String> parse(String text) {
        return parse(text.getBytes(StandardCharsets.UTF_8));
    }

    private static List<String> parse(byte[] bytes) {
        Recorder r = new Recorder();
        SseParser p = new SseParser(r);
        p.feed(bytes);
        return r.seen;
    }

    /** A stream with every feature at once: Marathon's frames, heartbeats, and what the format allows. */
    private static final String WIRE = "event: event_stream_attached\r\n"
            + "data: {\"remoteAddress\":\"0:0:0:0:0:0:0:1\",\"eventType\":\"event_stream_attached\"}\r\n"
            + "\r\n"
            + "\r\n"
            + ": a comment\n"
            + "id: 7\nretry: 100\n"
            + "event:status_update_event\n"
            + "data:{\"appId\":\"/caf\u00e9\",\n"
            + "data: \"note\":\"\u2713 \ud83d\ude00\"}\n"
            + "\n"
            + "event: deployment_info\r"
            + "data: {}\r"
            + "\r"
            + "\r\n"
            + "data\n"
            + "\n"
            + "event: lonely\n\n";

    private static final List<String> WIRE_EVENTS = List.of(
            "event_stream_attached|{\"remoteAddress\":\"0:0:0:0:0:0:0:1\",\"eventType\":\"event_stream_attached\"}",
            "heartbeat",
            "status_update_event|{\"appId\":\"/caf\u00e9\",\n\"note\":\"\u2713 \ud83d\ude00\"}",
            "deployment_info|{}",
            "heartbeat",
            "message|");

    @Test
    void readsEveryPartOfTheFormat() {
        assertEquals(WIRE_EVENTS, parse(WIRE));
    }

    @Test
    void anySplitInTwoGivesTheSameEvents() {
        byte[] wire = WIRE.getBytes(StandardCharsets.UTF_8);
        for (int i = 0; i <= wire.length; i++) {
            Recorder r = new Recorder();
            SseParser p = new SseParser(r);
            p.feed(wire, 0, i);
            p.feed(wire, i, wire.length - i);
            assertEquals(WIRE_EVENTS, r.seen, "split at " + i);
        }
    }

    @Test
    void anySplitInThreeGivesTheSameEvents() {
        byte[] wire = WIRE.getBytes(StandardCharsets.UTF_8);
        for (int i = 0; i <= wire.length; i++) {
            for (int j = i; j <= wire.length; j++) {
                Recorder r = new Recorder();
                SseParser p = new SseParser(r);
                p.feed(wire, 0, i);
                p.feed(wire, i, j - i);
                p.feed(wire, j, wire.length - j);
                assertEquals(WIRE_EVENTS, r.seen, "split at " + i + " and " + j);
            }
        }
    }

    @Test
    void oneByteAtATime() {
        byte[] wire = WIRE.getBytes(StandardCharsets.UTF_8);
        Recorder r = new Recorder();
        SseParser p = new SseParser(r);
        for (int i = 0; i < wire.length; i++) {
            p.feed(wire, i, 1);
        }
        assertEquals(WIRE_EVENTS, r.seen);
    }

    @ParameterizedTest
    @ValueSource(strings = {"\r\n", "\n", "\r"})
    void everyLineEnding(String eol) {
        String wire = "event: a" + eol + "data: 1" + eol + eol + eol + "event: b" + eol + "data: 2" + eol + "data: 3" + eol + eol;
        assertEquals(List.of("a|1", "heartbeat", "b|2\n3"), parse(wire));
    }

    @Test
    void aCarriageReturnEndingAChunkIsOneLineEndWithTheNextLineFeed() {
        Recorder r = new Recorder();
        SseParser p = new SseParser(r);
        p.feed("data: x\r".getBytes(StandardCharsets.US_ASCII));
        p.feed("\n\r".getBytes(StandardCharsets.US_ASCII));
        p.feed("\n".getBytes(StandardCharsets.US_ASCII));
        assertEquals(List.of("message|x"), r.seen);
    }

    @Test
    void valuesKeepAllButOneLeadingSpace() {
        assertEquals(List.of("t|  two spaces:and: colons "), parse("event:t\ndata:   two spaces:and: colons \n\n"));
        assertEquals(List.of(" t  |x"), parse("event:  t  \ndata:x\n\n"));
    }

    @Test
    void aDataLineOfHundredsOfKilobytesSplitAnywhere() {
        StringBuilder json = new StringBuilder("{\"eventType\":\"api_post_event\",\"appDefinition\":{\"cmd\":\"");
        Random random = new Random(42);
        while (json.length() < 400_000) {
            json.append((char) ('a' + random.nextInt(26)));
            if (random.nextInt(1000) == 0) {
                json.append('\u00e9');
            }
        }
        json.append("\"}}");
        byte[] wire = ("event: api_post_event\r\ndata: " + json + "\r\n\r\n\r\n").getBytes(StandardCharsets.UTF_8);
        List<String> expected = List.of("api_post_event|" + json, "heartbeat");
        for (int round = 0; round < 20; round++) {
            Recorder r = new Recorder();
            SseParser p = new SseParser(r);
            int at = 0;
            while (at < wire.length) {
                int n = Math.min(wire.length - at, 1 + random.nextInt(round % 2 == 0 ? 16_384 : 7));
                p.feed(wire, at, n);
                at += n;
            }
            assertEquals(expected, r.seen, "round " + round);
        }
    }

    @Test
    void aLeadingByteOrderMarkIsSkipped() {
        byte[] bom = {(byte) 0xEF, (byte) 0xBB, (byte) 0xBF};
        byte[] text = "data: x\n\n".getBytes(StandardCharsets.US_ASCII);
        byte[] wire = new byte[bom.length + text.length];
        System.arraycopy(bom, 0, wire, 0, bom.length);
        System.arraycopy(text, 0, wire, bom.length, text.length);
        for (int i = 0; i <= wire.length; i++) {
            Recorder r = new Recorder();
            SseParser p = new SseParser(r);
            p.feed(wire, 0, i);
            p.feed(wire, i, wire.length - i);
            assertEquals(List.of("message|x"), r.seen, "split at " + i);
        }
        // Only at the very start: elsewhere it is text.
        assertEquals(List.of("message|\ufeffx"), parse("data: \ufeffx\n\n"));
    }

    @Test
    void anEventTypeWithoutDataIsNoEvent() {
        assertEquals(List.of("b|1"), parse("event: a\n\nevent: b\ndata: 1\n\n"));
    }

    @Test
    void anUnfinishedEventIsDroppedAtTheEnd() {
        Recorder r = new Recorder();
        SseParser p = new SseParser(r);
        p.feed("data: done\n\nevent: x\ndata: {\"half\":".getBytes(StandardCharsets.US_ASCII));
        assertTrue(p.end());
        assertEquals(List.of("message|done"), r.seen);
        // Reusable after the end, as if a new stream began.
        p.feed("data: next\n\n".getBytes(StandardCharsets.US_ASCII));
        assertFalse(p.end());
        assertEquals(List.of("message|done", "message|next"), r.seen);
    }

    @Test
    void anEventOverTheLimitIsSkippedWholeAndParsingGoesOn() {
        Recorder r = new Recorder();
        SseParser p = new SseParser(r, 64);
        String big = "x".repeat(100);
        String wire = "event: big\ndata: " + big + "\ndata: more\n\nevent: small\ndata: ok\n\n";
        byte[] bytes = wire.getBytes(StandardCharsets.US_ASCII);
        for (int i = 0; i < bytes.length; i += 5) {
            p.feed(bytes, i, Math.min(5, bytes.length - i));
        }
        assertEquals(2, r.seen.size(), r.seen.toString());
        assertTrue(r.seen.get(0).startsWith("oversized "), r.seen.get(0));
        assertEquals("small|ok", r.seen.get(1));
    }

    @Test
    void marathonsOwnWireExample() {
        String events = "event: event_stream_attached\n"
                + "data: {\"remoteAddress\":\"0:0:0:0:0:0:0:1\",\"eventType\":\"event_stream_attached\","
                + "\"timestamp\":\"2015-09-30T12:44:30.061Z\"}\n\n";
        assertEquals(1, parse(events).size());
    }
}
