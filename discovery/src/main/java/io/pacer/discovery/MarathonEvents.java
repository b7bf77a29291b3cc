package io.pacer.discovery;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import java.io.IOException;
import java.util.Set;

/**
 * Decides what one event of Marathon's {@code /v2/events} stream means to routing. Events are only
 * a signal to resync, never state (Marathon does not order them and may announce changes that
 * {@code /v2/apps} does not show yet), so all this looks at is the event's type and whether its
 * data is a JSON object.
 *
 * <p>Conservative: only types known to say nothing about apps or tasks are ignored; every other
 * type, unknown ones included, asks for a resync. A malformed event asks for one too: something
 * happened, and a resync costs little.
 */
final class MarathonEvents {

    /** The first event of every stream: the subscription is live. */
    static final String ATTACHED = "event_stream_attached";

    /**
     * Types that cannot change which tasks serve which prefixes: other clients attaching or
     * leaving, HTTP callback subscriptions, framework messages, a group change that failed (and so
     * changed nothing), and pods, which {@code /v2/apps} does not list.
     */
    private static final Set<String> IGNORED = Set.of(
            ATTACHED,
            "event_stream_detached",
            "subscribe_event",
            "unsubscribe_event",
            "framework_message_event",
            "group_change_failed",
            "pod_created_event",
            "pod_updated_event",
            "pod_deleted_event");

    /**
     * Types documented to matter (NOTES.md) or otherwise known to Marathon 1.4-1.10; listed so that
     * unknown types can be told apart in the log, since they are resynced on just the same.
     */
    private static final Set<String> KNOWN = Set.of(
            "status_update_event",
            "instance_changed_event",
            "health_status_changed_event",
            "instance_health_changed_event",
            "api_post_event",
            "app_terminated_event",
            "deployment_info",
            "deployment_success",
            "deployment_failed",
            "deployment_step_success",
            "deployment_step_failure",
            "unhealthy_instance_kill_event",
            "unhealthy_task_kill_event",
            "failed_health_check_event",
            "add_health_check_event",
            "remove_health_check_event",
            "group_change_success",
            "unknown_instance_terminated_event",
            "instance_update_event",
            "scheduler_registered_event",
            "scheduler_reregistered_event",
            "scheduler_disconnected_event");

    private static final JsonFactory JSON = new JsonFactory();

    /** Used when neither the {@code event:} line nor the data names a type. */
    static final String UNNAMED = "(unnamed)";

    private MarathonEvents() { }

    /**
     * What one event means.
     *
     * @param type     the event's type: the {@code event:} line, else the data's
     *                 {@code eventType}, else {@link #UNNAMED}
     * @param resync   whether routing may have changed
     * @param known    whether the type is one Marathon is known to send
     * @param problem  why the data is malformed, or {@code null} when it is a JSON object
     */
    record Event(String type, boolean resync, boolean known, String problem) {
        boolean malformed() {
            return problem != null;
        }
    }

    /**
     * @param sseType the {@code event:} value; {@code "message"} or {@code null} when there was none
     * @param data    the event's data
     */
    static Event classify(String sseType, String data) {
        String type = sseType == null || sseType.isBlank() || "message".equals(sseType) ? null : sseType.strip();
        String problem = null;
        String eventType = null;
        try (JsonParser p = JSON.createParser(data)) {
            if (p.nextToken() != JsonToken.START_OBJECT) {
                problem = "data is not a JSON object";
            } else {
                JsonToken t;
                while ((t = p.nextToken()) == JsonToken.FIELD_NAME) {
                    String name = p.currentName();
                    JsonToken value = p.nextToken();
                    if ("eventType".equals(name) && value == JsonToken.VALUE_STRING) {
                        eventType = p.getText();
                    } else {
                        p.skipChildren();
                    }
                }
                if (t != JsonToken.END_OBJECT) {
                    problem = "data is not a JSON object";
                } else if (p.nextToken() != null) {
                    problem = "data has text after its JSON object";
                }
            }
        } catch (IOException e) {
            String message = e instanceof com.fasterxml.jackson.core.JsonProcessingException j
                    ? j.getOriginalMessage() : e.getMessage();
            problem = "data is not valid JSON: " + firstLine(message);
        }
        if (type == null) {
            type = eventType != null && !eventType.isBlank() ? eventType : UNNAMED;
        }
        boolean ignored = IGNORED.contains(type);
        boolean known = ignored || KNOWN.contains(type);
        return new Event(type, problem != null || !ignored, known, problem);
    }

    private static String firstLine(String message) {
        if (message == null) {
            return "";
        }
        int nl = message.indexOf('\n');
        String line = nl < 0 ? message : message.substring(0, nl);
        return line.length() <= 200 ? line : line.substring(0, 200) + "...";
    }
}
