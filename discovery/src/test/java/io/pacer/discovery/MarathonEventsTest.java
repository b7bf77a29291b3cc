package io.pacer.discovery;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class MarathonEventsTest {

    /** NOTES.md's list of event types that matter to routing (its own attachment aside). */
    private static final Set<String> ROUTING = Set.of("status_update_event", "instance_changed_event",
            "health_status_changed_event", "instance_health_changed_event", "api_post_event", "app_terminated_event",
            "deployment_success", "deployment_failed", "deployment_step_success", "unhealthy_instance_kill_event",
            "failed_health_check_event");

    private static final class Collected implements SseParser.Listener {
        final List<MarathonEvents.Event> events = new ArrayList<>();
        final List<String> types = new ArrayList<>();

        @Override
        public void onEvent(String type, String data) {
            types.add(type);
            events.add(MarathonEvents.classify(type, data));
        }

        @Override
        public void onOversizedEvent(long bytes) {
            throw new AssertionError("oversized");
        }
    }

    @Test
    void marathonsOwnWireExampleParsesCleanly() throws IOException {
        Path wire = Fixtures.docs("events.txt");
        byte[] bytes = Files.readAllBytes(wire);
        for (int split = 0; split <= bytes.length; split++) {
            Collected c = new Collected();
            SseParser p = new SseParser(c);
            p.feed(bytes, 0, split);
            p.feed(bytes, split, bytes.length - split);
            assertFalse(p.end(), "nothing left over");
            assertEquals(List.of("event_stream_attached", "status_update_event", "status_update_event"), c.types);
            for (MarathonEvents.Event e : c.events) {
                assertNull(e.problem(), e.toString());
                assertTrue(e.known(), e.toString());
            }
            assertFalse(c.events.get(0).resync(), "attachments are handled by the source itself");
            assertTrue(c.events.get(1).resync());
        }
    }

    @Test
    void everyDocumentedEventExampleParsesAndIsClassified() throws IOException {
        Path dir = Fixtures.docs("extracted-from-markdown");
        List<Path> files;
        try (Stream<Path> list = Files.list(dir)) {
            files = list.filter(f -> f.getFileName().toString().endsWith(".json")).sorted().toList();
        }
        int events = 0;
        for (Path file : files) {
            String name = file.getFileName().toString();
            String json = Files.readString(file).strip();
            boolean isEvent = name.startsWith("event-bus.md.");
            String type = isEvent ? name.substring("event-bus.md.".length(), name.length() - ".json".length()) : null;
            // Once as Marathon sends it (one data line), once as the SSE format also allows
            // (one data line per JSON line), each split everywhere.
            String oneLine = new com.fasterxml.jackson.databind.ObjectMapper().readTree(json).toString();
            String multiLine = "data: " + json.replace("\n", "\ndata: ");
            for (String data : List.of("data: " + oneLine, multiLine)) {
                String frame = (type == null ? "" : "event: " + type + "\r\n") + data.replace("\n", "\r\n") + "\r\n\r\n";
                byte[] bytes = frame.getBytes(StandardCharsets.UTF_8);
                for (int split = 0; split <= bytes.length; split += Math.max(1, bytes.length / 97)) {
                    Collected c = new Collected();
                    SseParser p = new SseParser(c);
                    p.feed(bytes, 0, split);
                    p.feed(bytes, split, bytes.length - split);
                    assertEquals(1, c.events.size(), name);
                    MarathonEvents.Event e = c.events.get(0);
                    assertNull(e.problem(), name + ": " + e.problem());
                    if (isEvent) {
                        assertEquals(type, e.type(), name);
                        assertTrue(e.known(), name);
                        if (ROUTING.contains(type)) {
                            assertTrue(e.resync(), name);
                        }
                    }
                }
            }
            if (isEvent) {
                events++;
            }
        }
        assertEquals(27, events, "the 27 event-bus.md examples");
    }

    @Test
    void theTypeComesFromTheEventLineElseFromTheData() {
        assertEquals("api_post_event", MarathonEvents.classify("api_post_event", "{\"eventType\":\"other\"}").type());
        assertEquals("app_terminated_event",
                MarathonEvents.classify("message", "{\"eventType\":\"app_terminated_event\"}").type());
        assertEquals("app_terminated_event",
                MarathonEvents.classify(null, "{\"x\":[1,{\"eventType\":\"no\"}],\"eventType\":\"app_terminated_event\"}")
                        .type());
        assertEquals(MarathonEvents.UNNAMED, MarathonEvents.classify(null, "{}").type());
    }

    @ParameterizedTest
    @ValueSource(strings = {"framework_message_event", "event_stream_detached", "subscribe_event", "unsubscribe_event",
        "group_change_failed", "pod_created_event", "pod_updated_event", "pod_deleted_event", "event_stream_attached"})
    void typesThatCannotChangeRoutingAreIgnored(String type) {
        MarathonEvents.Event e = MarathonEvents.classify(type, "{\"eventType\":\"" + type + "\"}");
        assertFalse(e.resync());
        assertTrue(e.known());
    }

    @Test
    void unknownTypesResync() {
        MarathonEvents.Event e = MarathonEvents.classify("brand_new_event", "{\"eventType\":\"brand_new_event\"}");
        assertTrue(e.resync());
        assertFalse(e.known());
        assertFalse(e.malformed());
    }

    @ParameterizedTest
    @ValueSource(strings = {"", " ", "{", "{\"a\":", "[1,2]", "\"text\"", "42", "{\"a\":1}{\"b\":2}", "{\"a\":1} x",
        "not json", "{'a':1}"})
    void malformedDataIsReportedAndStillResyncs(String data) {
        MarathonEvents.Event e = MarathonEvents.classify("framework_message_event", data);
        assertTrue(e.malformed(), data);
        assertTrue(e.resync(), "something happened; a resync costs little");
        assertEquals("framework_message_event", e.type());
    }
}
