package io.pacer.discovery;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;

import java.nio.charset.StandardCharsets;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** What each of Marathon's event shapes ({@code marathon/events}, from Marathon's docs) asks of the model. */
class ModelChangeTest {

    private static ModelChange change(String type) {
        String data = new String(Fixtures.bytes("events/" + type + ".json"), StandardCharsets.UTF_8)
                .replaceAll("\\s*\\n\\s*", " ");
        return ModelChange.of(MarathonEvents.classify(type, data), data);
    }

    @Test
    void taskEventsChangeTasksInPlace() {
        assertEquals(new ModelChange.TaskState("/my-app", "my-app_0-1396592784349", "TASK_RUNNING"),
                change("status_update_event"));
        assertEquals(new ModelChange.InstanceState("/app-id", "my-app.instance-c7c311a4-b669-11e6-a48f-0ea4f4b1778c",
                "TASK_RUNNING"), change("instance_changed_event"));
        assertEquals(new ModelChange.InstanceHealth("/my-app", "my-app.instance-c7c311a4-b669-11e6-a48f-0ea4f4b1778c",
                true, true), change("health_status_changed_event"));
        assertEquals(new ModelChange.InstanceHealth("/app-id", "my-app.instance-c7c311a4-b669-11e6-a48f-0ea4f4b1778c",
                true, false), change("instance_health_changed_event"));
        assertEquals(new ModelChange.InstanceState("/my-app", "my-app.instance-c7c311a4-b669-11e6-a48f-0ea4f4b1778c",
                "TASK_KILLING"), change("unhealthy_instance_kill_event"));
        assertEquals(new ModelChange.TaskState("/my-app", "my-app_0-1396592784349", "TASK_KILLING"),
                change("unhealthy_task_kill_event"));
        assertEquals(new ModelChange.InstanceState("/app-id", "my-app.instance-c7c311a4-b669-11e6-a48f-0ea4f4b1778c",
                "TASK_GONE"), change("unknown_instance_terminated_event"));
    }

    @Test
    void appEventsReadOrRemoveTheirApps() {
        assertEquals(new ModelChange.FetchApps(Set.of("/my-app")), change("api_post_event"));
        assertEquals(new ModelChange.RemoveApp("/my-app"), change("app_terminated_event"));
        assertEquals(new ModelChange.FetchApps(Set.of("/my-app")), change("deployment_info"));
        assertEquals(new ModelChange.FetchApps(Set.of("/my-app")), change("add_health_check_event"));
        assertEquals(new ModelChange.FetchApps(Set.of("/my-app")), change("remove_health_check_event"));
        assertEquals(new ModelChange.FetchApps(Set.of("/my-app")), change("failed_health_check_event"));
    }

    @Test
    void eventsNamingNoAppResyncAndTheRestAreNothing() {
        // The documented deployment_success carries only the plan's id; Marathon's own also the plan.
        assertInstanceOf(ModelChange.Resync.class, change("deployment_success"));
        assertInstanceOf(ModelChange.Resync.class, change("group_change_success"));
        assertInstanceOf(ModelChange.None.class, change("event_stream_attached"));
        assertInstanceOf(ModelChange.None.class, change("group_change_failed"));
        assertInstanceOf(ModelChange.None.class, change("pod_created_event"));
        String withPlan = "{\"eventType\":\"deployment_success\",\"id\":\"867e\",\"plan\":{\"id\":\"867e\","
                + "\"steps\":[{\"actions\":[{\"action\":\"ScaleApplication\",\"app\":\"/foo\"}]},"
                + "{\"actions\":[{\"action\":\"ScalePod\",\"pod\":\"/bla\"}]}],\"version\":\"2015-09-30T09:09:17.614Z\"}}";
        assertEquals(new ModelChange.FetchApps(Set.of("/foo")),
                ModelChange.of(MarathonEvents.classify("deployment_success", withPlan), withPlan));
        String bare = "{\"eventType\":\"status_update_event\",\"taskStatus\":\"TASK_RUNNING\"}";
        assertInstanceOf(ModelChange.Resync.class,
                ModelChange.of(MarathonEvents.classify("status_update_event", bare), bare));
    }

    @Test
    void conditionsAreMesosStates() {
        assertEquals("TASK_RUNNING", ModelChange.mesosState("Running"));
        assertEquals("TASK_UNREACHABLE_INACTIVE", ModelChange.mesosState("UnreachableInactive"));
        assertEquals("TASK_KILLED", ModelChange.mesosState("Killed"));
    }

    @Test
    void tasksBelongToInstancesAsMarathonNamesThem() {
        assertEquals("my-app.instance-c7c311a4-b669-11e6-a48f-0ea4f4b1778c",
                AppsModel.instanceOf("my-app.instance-c7c311a4-b669-11e6-a48f-0ea4f4b1778c._app.1"));
        assertEquals("test-app.marathon-5dd78972-6771-11e5-94e1-be5b2935a987",
                AppsModel.instanceOf("test-app.5dd78972-6771-11e5-94e1-be5b2935a987"));
        assertEquals("shop_cart.marathon-1", AppsModel.instanceOf("shop_cart.1"));
    }
}
