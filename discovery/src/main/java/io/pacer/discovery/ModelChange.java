package io.pacer.discovery;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.util.LinkedHashSet;
import java.util.Locale;
import java.util.Set;

/**
 * What one Marathon event asks of the model, read from the event's own fields (the shapes are in
 * Marathon's {@code Events.scala}; examples in {@code shared/marathon}):
 *
 * <ul>
 *   <li>task events change a task in place: {@code status_update_event} (a state),
 *   {@code instance_changed_event} (an instance's condition), {@code health_status_changed_event}
 *   and {@code instance_health_changed_event} (health), {@code unhealthy_instance_kill_event}
 *   and {@code unknown_instance_terminated_event} (going away);</li>
 *   <li>app definition events name apps to read again, one by one: {@code api_post_event},
 *   deployment events (the apps of their plan), health check added or removed,
 *   {@code failed_health_check_event}; {@code app_terminated_event} removes its app;</li>
 *   <li>anything else that {@link MarathonEvents} resyncs on, or an event missing the fields it
 *   should carry, asks for a full resync.</li>
 * </ul>
 */
sealed interface ModelChange {

    /** A task's Mesos state changed ({@code TASK_RUNNING}, {@code TASK_KILLED} ...). */
    record TaskState(String appId, String taskId, String state) implements ModelChange { }

    /** Every task of an instance moved to a state; {@code state} is a Mesos state name. */
    record InstanceState(String appId, String instanceId, String state) implements ModelChange { }

    /**
     * An instance's health: {@code true}, {@code false}, or {@code null} for unknown (no
     * result yet). {@code perCheck} when the event speaks of one health check of several.
     */
    record InstanceHealth(String appId, String instanceId, Boolean healthy, boolean perCheck)
            implements ModelChange { }

    /** These apps' definitions or tasks changed beyond what the event says: read them again. */
    record FetchApps(Set<String> appIds) implements ModelChange { }

    /** The app is gone. */
    record RemoveApp(String appId) implements ModelChange { }

    /** Only a full read of {@code /v2/apps} can tell. */
    record Resync(String why) implements ModelChange { }

    /** Nothing for routing. */
    record None() implements ModelChange { }

    ObjectMapper JSON = new ObjectMapper();

    /** Mesos states after which a task never runs again: it is dropped from the model. */
    Set<String> TERMINAL = Set.of("TASK_FINISHED", "TASK_FAILED", "TASK_KILLED", "TASK_LOST", "TASK_ERROR",
            "TASK_DROPPED", "TASK_GONE", "TASK_GONE_BY_OPERATOR");

    /** What {@code event} (already classified, not malformed) asks of the model. */
    static ModelChange of(MarathonEvents.Event event, String data) {
        if (!event.resync()) {
            return new None();
        }
        JsonNode e;
        try {
            e = JSON.readTree(data);
        } catch (IOException ex) {
            return new Resync("unreadable " + event.type());
        }
        String type = event.type();
        switch (type) {
            case "status_update_event": {
                String appId = text(e, "appId");
                String taskId = text(e, "taskId");
                String state = text(e, "taskStatus");
                return appId == null || taskId == null || state == null ? incomplete(type)
                        : new TaskState(appId, taskId, state);
            }
            case "instance_changed_event": {
                String appId = text(e, "runSpecId");
                String instanceId = text(e, "instanceId");
                String condition = text(e, "condition");
                return appId == null || instanceId == null || condition == null ? incomplete(type)
                        : new InstanceState(appId, instanceId, mesosState(condition));
            }
            case "health_status_changed_event": {
                String appId = text(e, "appId");
                String instanceId = text(e, "instanceId");
                JsonNode alive = e.get("alive");
                return appId == null || instanceId == null || alive == null || !alive.isBoolean() ? incomplete(type)
                        : new InstanceHealth(appId, instanceId, alive.booleanValue(), true);
            }
            case "instance_health_changed_event": {
                String appId = text(e, "runSpecId");
                String instanceId = text(e, "instanceId");
                JsonNode healthy = e.get("healthy");
                if (appId == null || instanceId == null || (healthy != null && !healthy.isNull() && !healthy.isBoolean())) {
                    return incomplete(type);
                }
                return new InstanceHealth(appId, instanceId,
                        healthy == null || healthy.isNull() ? null : healthy.booleanValue(), false);
            }
            case "unhealthy_instance_kill_event":
            case "unhealthy_task_kill_event": {
                String appId = text(e, "appId");
                String instanceId = text(e, "instanceId");
                String taskId = text(e, "taskId");
                if (appId != null && instanceId != null) {
                    return new InstanceState(appId, instanceId, "TASK_KILLING");
                }
                return appId == null || taskId == null ? incomplete(type) : new TaskState(appId, taskId, "TASK_KILLING");
            }
            case "unknown_instance_terminated_event": {
                String appId = text(e, "runSpecId");
                String instanceId = text(e, "instanceId");
                return appId == null || instanceId == null ? incomplete(type)
                        : new InstanceState(appId, instanceId, "TASK_GONE");
            }
            case "app_terminated_event": {
                String appId = text(e, "appId");
                return appId == null ? incomplete(type) : new RemoveApp(appId);
            }
            case "api_post_event": {
                JsonNode definition = e.get("appDefinition");
                String appId = definition != null && definition.isObject() ? text(definition, "id") : null;
                return appId == null ? incomplete(type) : new FetchApps(Set.of(appId));
            }
            case "add_health_check_event":
            case "remove_health_check_event":
            case "failed_health_check_event": {
                String appId = text(e, "appId");
                return appId == null ? incomplete(type) : new FetchApps(Set.of(appId));
            }
            case "deployment_info":
            case "deployment_success":
            case "deployment_failed":
            case "deployment_step_success":
            case "deployment_step_failure": {
                Set<String> apps = new LinkedHashSet<>();
                collectPlanApps(e.get("plan"), apps);
                collectActions(e.get("currentStep"), apps);
                return apps.isEmpty() ? incomplete(type) : new FetchApps(apps);
            }
            default:
                return new Resync(type);
        }
    }

    private static ModelChange incomplete(String type) {
        return new Resync(type + " without the fields it should carry");
    }

    /** {@code plan.steps[].actions[].app}, as deployment events and {@code /v2/deployments} carry them. */
    private static void collectPlanApps(JsonNode plan, Set<String> out) {
        if (plan == null || !plan.isObject()) {
            return;
        }
        JsonNode affected = plan.get("affectedApps");
        if (affected != null && affected.isArray()) {
            for (JsonNode app : affected) {
                if (app.isTextual()) {
                    out.add(app.textValue());
                }
            }
        }
        JsonNode steps = plan.get("steps");
        if (steps != null && steps.isArray()) {
            for (JsonNode step : steps) {
                collectActions(step, out);
            }
        }
    }

    private static void collectActions(JsonNode step, Set<String> out) {
        if (step == null || !step.isObject()) {
            return;
        }
        // Marathon's own steps hold "actions"; the event docs show a step as one action.
        String single = text(step, "app");
        if (single != null) {
            out.add(single);
        }
        JsonNode actions = step.get("actions");
        if (actions == null || !actions.isArray()) {
            return;
        }
        for (JsonNode action : actions) {
            String app = action.isObject() ? text(action, "app") : null;
            if (app != null) {
                out.add(app);
            }
        }
    }

    /** Marathon's instance condition ({@code Running}, {@code Killing} ...) as the Mesos state name. */
    static String mesosState(String condition) {
        StringBuilder b = new StringBuilder("TASK_");
        for (int i = 0; i < condition.length(); i++) {
            char c = condition.charAt(i);
            if (Character.isUpperCase(c) && i > 0) {
                b.append('_');
            }
            b.append(Character.toUpperCase(c));
        }
        return b.toString().toUpperCase(Locale.ROOT);
    }

    private static String text(JsonNode node, String field) {
        JsonNode v = node.get(field);
        return v != null && v.isTextual() && !v.textValue().isBlank() ? v.textValue() : null;
    }
}
