package io.pacer.discovery;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.NullNode;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * One Marathon app as routing and the admin API's {@code /v1/config} need it. Everything else
 * Marathon sends ({@code cmd}, resources, ...) is deliberately not modelled: a field we do not
 * read cannot break parsing. The fields kept only for reporting ({@code env},
 * {@code portDefinitions}, {@code healthChecks}, {@code container}) are Marathon's JSON as sent,
 * never interpreted, held compactly as bytes and read into nodes only when asked for.
 *
 * @param id                    Marathon's app id ({@code /shop/cart})
 * @param labels                the app's labels; empty when Marathon sent none
 * @param healthCheckCount      how many health checks the app defines
 * @param readinessCheckCount   how many readiness checks the app defines
 * @param portMappings          {@code container.portMappings}, else
 *     {@code container.docker.portMappings}; empty when the app has no container
 * @param tasks                 the embedded tasks, in Marathon's order
 * @param readinessCheckResults present only while a deployment is checking readiness (and only
 *     with {@code embed=apps.readiness}); empty otherwise
 * @param reported              {@code env}, {@code portDefinitions}, {@code healthChecks} and
 *     {@code container} as sent, for {@link #env()} and the like
 */
public record MarathonApp(String id, Map<String, String> labels, int healthCheckCount,
                          int readinessCheckCount, List<PortMapping> portMappings,
                          List<MarathonTask> tasks, List<ReadinessResult> readinessCheckResults,
                          ReportedJson reported) {

    public MarathonApp {
        Objects.requireNonNull(id, "id");
        labels = Map.copyOf(labels);
        portMappings = List.copyOf(portMappings);
        tasks = List.copyOf(tasks);
        readinessCheckResults = List.copyOf(readinessCheckResults);
        reported = reported == null ? ReportedJson.NONE : reported;
    }

    /** An app with nothing but what routing reads; the reporting fields are empty. */
    public MarathonApp(String id, Map<String, String> labels, int healthCheckCount, int readinessCheckCount,
                       List<PortMapping> portMappings, List<MarathonTask> tasks,
                       List<ReadinessResult> readinessCheckResults) {
        this(id, labels, healthCheckCount, readinessCheckCount, portMappings, tasks, readinessCheckResults,
                ReportedJson.NONE);
    }

    /**
     * The app's {@code env} in Marathon's order; values are strings or objects such as
     * {@code {"secret": "name"}}, as sent. Read anew on each call.
     */
    public Map<String, JsonNode> env() {
        JsonNode env = reported.read().get("env");
        Map<String, JsonNode> out = new LinkedHashMap<>();
        if (env != null && env.isObject()) {
            for (Map.Entry<String, JsonNode> e : env.properties()) {
                out.put(e.getKey(), e.getValue());
            }
        }
        return Collections.unmodifiableMap(out);
    }

    /** {@code portDefinitions} as sent; an empty array when absent. */
    public JsonNode portDefinitions() {
        JsonNode v = reported.read().get("portDefinitions");
        return v != null && v.isArray() ? v : JsonNodeFactory.instance.arrayNode();
    }

    /** {@code healthChecks} as sent; an empty array when absent. */
    public JsonNode healthChecks() {
        JsonNode v = reported.read().get("healthChecks");
        return v != null && v.isArray() ? v : JsonNodeFactory.instance.arrayNode();
    }

    /** {@code container} as sent; a JSON null when absent. */
    public JsonNode container() {
        JsonNode v = reported.read().get("container");
        return v == null ? NullNode.getInstance() : v;
    }

    /** This app with other tasks; everything else shared. */
    public MarathonApp withTasks(List<MarathonTask> newTasks) {
        return new MarathonApp(id, labels, healthCheckCount, readinessCheckCount, portMappings, newTasks,
                readinessCheckResults, reported);
    }

    public boolean hasHealthChecks() {
        return healthCheckCount > 0;
    }

    public boolean hasReadinessChecks() {
        return readinessCheckCount > 0;
    }

    /** The label's value, or {@code null}. */
    public String label(String name) {
        return labels.get(name);
    }

    /**
     * One port mapping of the app's container. Ports Marathon left out are 0: on container
     * networks {@code hostPort} usually is.
     */
    public record PortMapping(int containerPort, int hostPort, int servicePort, String protocol, String name) { }

    /** Whether one readiness check passed for one task. */
    public record ReadinessResult(String taskId, String name, boolean ready) {
        public ReadinessResult {
            Objects.requireNonNull(taskId, "taskId");
        }
    }
}
