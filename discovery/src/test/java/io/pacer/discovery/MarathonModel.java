package io.pacer.discovery;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.github.tomakehurst.wiremock.WireMockServer;
import com.github.tomakehurst.wiremock.client.WireMock;
import io.pacer.core.App;
import io.pacer.core.RouteTable;
import io.pacer.core.Task;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * Builds {@code GET /v2/apps?embed=apps.tasks&embed=apps.readiness} bodies from the app and task
 * shapes of Marathon's own examples (fixtures under {@code marathon/live}: app.json and
 * app_tasks.json with the fields a live cluster adds), changing only ids, tasks and checks.
 */
final class MarathonModel {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final ObjectNode APP = template("app-template.json");
    private static final ObjectNode TASK = template("task-template.json");
    private static final ObjectNode HEALTH_CHECK = template("health-check-template.json");
    private static final ObjectNode HEALTH_RESULT = template("health-result-template.json");

    private final ObjectNode root = JSON.createObjectNode();
    private final ArrayNode apps = root.putArray("apps");

    static MarathonModel model() {
        return new MarathonModel();
    }

    /** A task as it may appear: state, and the health check results when the app has checks. */
    record TaskSpec(String id, String host, int port, String state, Boolean alive) { }

    static TaskSpec running(String id, String host, int port) {
        return new TaskSpec(id, host, port, "TASK_RUNNING", null);
    }

    static TaskSpec healthy(String id, String host, int port) {
        return new TaskSpec(id, host, port, "TASK_RUNNING", true);
    }

    static TaskSpec unhealthy(String id, String host, int port) {
        return new TaskSpec(id, host, port, "TASK_RUNNING", false);
    }

    static TaskSpec killing(String id, String host, int port) {
        return new TaskSpec(id, host, port, "TASK_KILLING", null);
    }

    /** An app without health checks. */
    MarathonModel app(String id, TaskSpec... tasks) {
        add(id, false, tasks);
        return this;
    }

    /** An app with one HTTP health check. */
    MarathonModel appWithHealthChecks(String id, TaskSpec... tasks) {
        add(id, true, tasks);
        return this;
    }

    /** An app with a readiness check, and a result for each listed task. */
    MarathonModel appWithReadiness(String id, Map<String, Boolean> readyByTask, TaskSpec... tasks) {
        ObjectNode app = add(id, false, tasks);
        ObjectNode check = app.putArray("readinessChecks").addObject();
        check.put("name", "myReadyCheck").put("protocol", "HTTP").put("path", "/v1/plan").put("portName", "http")
                .put("intervalSeconds", 10).put("timeoutSeconds", 3).put("preserveLastResponse", true);
        check.putArray("httpStatusCodesForReady").add(200);
        ArrayNode results = app.putArray("readinessCheckResults");
        readyByTask.forEach((taskId, ready) -> {
            ObjectNode r = results.addObject();
            r.put("name", "myReadyCheck").put("taskId", taskId).put("ready", ready);
            ObjectNode last = r.putObject("lastResponse");
            last.put("status", ready ? 200 : 503).put("contentType", "text/plain").put("body", ready ? "ok" : "wait");
        });
        return this;
    }

    private ObjectNode add(String id, boolean healthChecks, TaskSpec... tasks) {
        ObjectNode app = APP.deepCopy();
        app.put("id", id);
        app.put("instances", tasks.length);
        if (healthChecks) {
            app.putArray("healthChecks").add(HEALTH_CHECK.deepCopy());
        }
        ArrayNode taskNodes = app.putArray("tasks");
        for (TaskSpec t : tasks) {
            ObjectNode task = TASK.deepCopy();
            task.put("appId", id).put("id", t.id()).put("host", t.host()).put("state", t.state());
            task.putArray("ports").add(t.port());
            if (t.alive() != null) {
                ObjectNode result = HEALTH_RESULT.deepCopy();
                result.put("alive", t.alive()).put("instanceId", t.id());
                task.putArray("healthCheckResults").add(result);
            }
            taskNodes.add(task);
        }
        apps.add(app);
        return app;
    }

    String json() {
        return root.toString();
    }

    /** {@code GET /v2/apps/{id}}'s body for one app of the model, or {@code null} when it has no such app. */
    String appJson(String id) {
        for (JsonNode app : apps) {
            if (id.equals(app.path("id").asText())) {
                ObjectNode body = JSON.createObjectNode();
                body.set("app", app);
                return body.toString();
            }
        }
        return null;
    }

    /**
     * Serves this model on {@code server} as Marathon would: {@code /v2/apps} and each app's
     * {@code /v2/apps/{id}}. The single-app answers of a model stubbed before are removed, so an
     * app no longer listed answers 404, as in Marathon.
     */
    void stubOn(WireMockServer server) {
        server.removeStubsByMetadata(WireMock.matchingJsonPath("$.pacerAppStub"));
        server.stubFor(WireMock.get(WireMock.urlPathEqualTo("/v2/apps")).willReturn(WireMock.okJson(json())));
        for (JsonNode app : apps) {
            String id = app.path("id").asText();
            server.stubFor(WireMock.get(WireMock.urlPathEqualTo("/v2/apps" + id)).withMetadata(Map.of("pacerAppStub", true))
                    .willReturn(WireMock.okJson(appJson(id))));
        }
    }

    @Override
    public String toString() {
        return json();
    }

    /** What a table routes: app id to its tasks' {@code host:port}, apps without tasks left out. */
    static Map<String, Set<String>> view(RouteTable table) {
        Map<String, Set<String>> out = new TreeMap<>();
        for (App app : table.apps()) {
            Set<String> tasks = new TreeSet<>();
            for (Task t : app.tasks()) {
                tasks.add(t.address());
            }
            if (!tasks.isEmpty()) {
                out.put(app.id(), tasks);
            }
        }
        return out;
    }

    static Map<String, Set<String>> routes(Object... idThenAddresses) {
        Map<String, Set<String>> out = new TreeMap<>();
        String id = null;
        for (Object o : idThenAddresses) {
            String s = (String) o;
            if (s.startsWith("/")) {
                id = s;
                out.put(id, new TreeSet<>());
            } else {
                out.get(id).add(s);
            }
        }
        return out;
    }

    private static ObjectNode template(String name) {
        try {
            JsonNode node = JSON.readTree(Fixtures.bytes("live/" + name));
            return (ObjectNode) node;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
