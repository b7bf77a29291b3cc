package io.pacer.discovery;

import com.fasterxml.jackson.core.JacksonException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Reads the body of Marathon's {@code GET /v2/apps?embed=apps.tasks}.
 *
 * <p>It walks a JSON tree instead of binding classes so that leniency is decided field by field:
 * only the fields routing reads are looked at, so an {@code env} secret object or any field a
 * newer Marathon adds cannot break the sync. A body that is not an app list at all is an error
 * (never "zero apps", which would empty the routes); one bad app or task is skipped on its own.
 */
public final class MarathonApps {

    private static final Logger log = LoggerFactory.getLogger(MarathonApps.class);

    /** Two documents glued together are a broken body, not the first of them. */
    private static final ObjectMapper MAPPER = JsonMapper.builder()
            .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS)
            .build();

    private static final int EXCERPT_CHARS = 120;

    private MarathonApps() { }

    /**
     * The apps of an {@code {"apps": [...]}} body, in Marathon's order. Apps and tasks that cannot
     * be read (no {@code id}, a field of the wrong type) are left out with a warning.
     *
     * @throws MarathonFormatException when the body is empty, not JSON, or not an object with an
     *     {@code apps} array (Marathon's {@code {"message": ...}} error answers included)
     */
    public static List<MarathonApp> parse(byte[] json) throws MarathonFormatException {
        if (json == null || json.length == 0) {
            throw new MarathonFormatException("empty body where Marathon's app list was expected");
        }
        AppListParser parser = new AppListParser();
        parser.feed(json, 0, json.length);
        return parser.finish();
    }

    /**
     * One element of the {@code apps} array as a model app, or {@code null} (with a warning) when
     * it cannot be read; {@code index} is its place in the array, for the warning.
     */
    static MarathonApp appOrSkip(JsonNode app, int index) {
        try {
            return app(app);
        } catch (BadField e) {
            log.warn("Skipping Marathon app #{}{}: {}", index, describe(app), e.getMessage());
            return null;
        }
    }

    /**
     * The app of a {@code GET /v2/apps/{id}} body, {@code {"app": {...}}}.
     *
     * @throws MarathonFormatException when the body is not such an object, or the app cannot be read
     */
    public static MarathonApp parseApp(byte[] json) throws MarathonFormatException {
        JsonNode root = readTree(json);
        JsonNode app = root.get("app");
        if (app == null || !app.isObject()) {
            throw new MarathonFormatException("expected a JSON object with an \"app\" object, got "
                    + excerpt(new String(json, StandardCharsets.UTF_8)));
        }
        try {
            return app(app);
        } catch (BadField e) {
            throw new MarathonFormatException("unreadable app" + describe(app) + ": " + e.getMessage());
        }
    }

    static JsonNode readTree(byte[] json) throws MarathonFormatException {
        if (json == null || json.length == 0) {
            throw new MarathonFormatException("empty body where Marathon's app list was expected");
        }
        JsonNode root;
        try {
            root = MAPPER.readTree(json);
        } catch (JacksonException e) {
            String where = e.getLocation() == null ? ""
                    : " at line " + e.getLocation().getLineNr() + ", column " + e.getLocation().getColumnNr();
            throw new MarathonFormatException("not valid JSON (" + e.getOriginalMessage() + where + "): "
                    + excerpt(new String(json, StandardCharsets.UTF_8)), e);
        } catch (IOException e) {
            // Reading a byte array does no I/O; Jackson only declares it.
            throw new MarathonFormatException("unreadable body: " + e.getMessage(), e);
        }
        if (root == null || root.isMissingNode()) {
            throw new MarathonFormatException("blank body where Marathon's app list was expected");
        }
        if (!root.isObject()) {
            throw new MarathonFormatException("expected a JSON object with an \"apps\" array, got a JSON "
                    + root.getNodeType().name().toLowerCase(Locale.ROOT) + ": "
                    + excerpt(new String(json, StandardCharsets.UTF_8)));
        }
        return root;
    }

    private static MarathonApp app(JsonNode node) {
        if (!node.isObject()) {
            throw new BadField("not a JSON object");
        }
        String id = requiredText(node, "id");
        List<MarathonTask> tasks = new ArrayList<>();
        JsonNode taskNodes = array(node, "tasks");
        for (int i = 0; i < taskNodes.size(); i++) {
            JsonNode task = taskNodes.get(i);
            try {
                tasks.add(task(task, id));
            } catch (BadField e) {
                log.warn("Skipping task #{}{} of Marathon app {}: {}", i, describe(task), id, e.getMessage());
            }
        }
        JsonNode healthChecks = array(node, "healthChecks");
        return new MarathonApp(id, labels(node), healthChecks.size(),
                array(node, "readinessChecks").size(), portMappings(node), tasks,
                readinessResults(node), reported(node));
    }

    /** What is kept only to be shown, as sent; {@code env} only when it is an object. */
    private static ReportedJson reported(JsonNode app) {
        com.fasterxml.jackson.databind.node.ObjectNode out = MAPPER.createObjectNode();
        JsonNode env = app.get("env");
        if (env != null && env.isObject() && !env.isEmpty()) {
            out.set("env", env);
        }
        JsonNode portDefinitions = app.get("portDefinitions");
        if (portDefinitions != null && portDefinitions.isArray() && !portDefinitions.isEmpty()) {
            out.set("portDefinitions", portDefinitions);
        }
        JsonNode healthChecks = app.get("healthChecks");
        if (healthChecks != null && healthChecks.isArray() && !healthChecks.isEmpty()) {
            out.set("healthChecks", healthChecks);
        }
        JsonNode container = app.get("container");
        if (container != null && !container.isNull()) {
            out.set("container", container);
        }
        return ReportedJson.of(out);
    }

    private static MarathonTask task(JsonNode node, String appId) {
        if (!node.isObject()) {
            throw new BadField("not a JSON object");
        }
        String id = requiredText(node, "id");
        String owner = optionalText(node, "appId");
        List<Integer> ports = new ArrayList<>();
        JsonNode portNodes = array(node, "ports");
        for (int i = 0; i < portNodes.size(); i++) {
            ports.add(integer(portNodes.get(i), "ports[" + i + "]"));
        }
        List<String> ips = new ArrayList<>();
        for (JsonNode ip : array(node, "ipAddresses")) {
            String address = ip.isObject() ? optionalText(ip, "ipAddress") : null;
            if (address != null && !address.isEmpty()) {
                ips.add(address);
            }
        }
        List<Boolean> alive = new ArrayList<>();
        for (JsonNode result : array(node, "healthCheckResults")) {
            // Anything but an explicit "alive": true is a failing check: routing to a task whose
            // health we cannot read is worse than leaving it out.
            JsonNode flag = result.get("alive");
            alive.add(flag != null && flag.isBoolean() && flag.booleanValue());
        }
        List<Integer> servicePorts = new ArrayList<>();
        for (JsonNode port : lenientArray(node, "servicePorts")) {
            if (port.isIntegralNumber() && port.canConvertToInt()) {
                servicePorts.add(port.intValue());
            }
        }
        // The app id, state, agent and version repeat across thousands of tasks: one instance each
        // (interned: their values are bounded by the cluster's agents and app versions).
        return new MarathonTask(id, owner == null || owner.equals(appId) ? appId : owner,
                intern(optionalText(node, "host")), ports, ips, intern(optionalText(node, "state")), alive,
                servicePorts, intern(lenientText(node, "slaveId")), lenientText(node, "stagedAt"),
                lenientText(node, "startedAt"), intern(lenientText(node, "version")));
    }

    private static String intern(String s) {
        return s == null ? null : s.intern();
    }

    /** A reporting-only array: as sent when it is one, else an empty array. */
    private static JsonNode lenientArray(JsonNode node, String field) {
        JsonNode value = node.get(field);
        return value != null && value.isArray() ? value : MAPPER.createArrayNode();
    }

    /** A reporting-only string: {@code null} when absent or not a string. */
    private static String lenientText(JsonNode node, String field) {
        JsonNode value = node.get(field);
        return value != null && value.isTextual() ? value.textValue() : null;
    }

    private static Map<String, String> labels(JsonNode app) {
        JsonNode labels = app.get("labels");
        if (labels == null || labels.isNull()) {
            return Map.of();
        }
        if (!labels.isObject()) {
            throw new BadField("\"labels\" is not a JSON object");
        }
        Map<String, String> out = new LinkedHashMap<>();
        for (Map.Entry<String, JsonNode> label : labels.properties()) {
            // Marathon only stores strings; a scalar of another type still reads unambiguously,
            // while null or nested values mean nothing to routing and are ignored.
            if (label.getValue().isValueNode() && !label.getValue().isNull()) {
                out.put(label.getKey(), label.getValue().asText());
            }
        }
        return out;
    }

    private static List<MarathonApp.PortMapping> portMappings(JsonNode app) {
        JsonNode container = app.get("container");
        if (container == null || container.isNull()) {
            return List.of();
        }
        if (!container.isObject()) {
            throw new BadField("\"container\" is not a JSON object");
        }
        // Marathon 1.5 moved the mappings from container.docker to container; either may be
        // present depending on the version that stored the app.
        JsonNode mappings = array(container, "portMappings");
        if (mappings.isEmpty()) {
            JsonNode docker = container.get("docker");
            if (docker != null && docker.isObject()) {
                mappings = array(docker, "portMappings");
            }
        }
        List<MarathonApp.PortMapping> out = new ArrayList<>(mappings.size());
        for (int i = 0; i < mappings.size(); i++) {
            JsonNode m = mappings.get(i);
            if (!m.isObject()) {
                throw new BadField("portMappings[" + i + "] is not a JSON object");
            }
            out.add(new MarathonApp.PortMapping(optionalInt(m, "containerPort"), optionalInt(m, "hostPort"),
                    optionalInt(m, "servicePort"), optionalText(m, "protocol"), optionalText(m, "name")));
        }
        return out;
    }

    private static List<MarathonApp.ReadinessResult> readinessResults(JsonNode app) {
        List<MarathonApp.ReadinessResult> out = new ArrayList<>();
        for (JsonNode r : array(app, "readinessCheckResults")) {
            String taskId = r.isObject() ? optionalText(r, "taskId") : null;
            if (taskId != null) {
                JsonNode ready = r.get("ready");
                out.add(new MarathonApp.ReadinessResult(taskId, optionalText(r, "name"),
                        ready != null && ready.isBoolean() && ready.booleanValue()));
            }
        }
        return out;
    }

    /** The array under {@code field}; an empty one when it is absent or null. */
    private static JsonNode array(JsonNode node, String field) {
        JsonNode value = node.get(field);
        if (value == null || value.isNull()) {
            return MAPPER.createArrayNode();
        }
        if (!value.isArray()) {
            throw new BadField("\"" + field + "\" is not a JSON array");
        }
        return value;
    }

    private static String requiredText(JsonNode node, String field) {
        String value = optionalText(node, field);
        if (value == null || value.isBlank()) {
            throw new BadField("no \"" + field + "\"");
        }
        return value;
    }

    private static String optionalText(JsonNode node, String field) {
        JsonNode value = node.get(field);
        if (value == null || value.isNull()) {
            return null;
        }
        if (!value.isTextual()) {
            throw new BadField("\"" + field + "\" is not a string");
        }
        return value.textValue();
    }

    private static int optionalInt(JsonNode node, String field) {
        JsonNode value = node.get(field);
        return value == null || value.isNull() ? 0 : integer(value, field);
    }

    private static int integer(JsonNode value, String what) {
        if (!value.isIntegralNumber() || !value.canConvertToInt()) {
            throw new BadField("\"" + what + "\" is not an integer");
        }
        return value.intValue();
    }

    /** {@code " (id /x)"} when the broken element still has a readable id, for the warning. */
    private static String describe(JsonNode node) {
        JsonNode id = node.isObject() ? node.get("id") : null;
        return id != null && id.isTextual() ? " (" + id.textValue() + ")" : "";
    }

    /** The start of a body, on one line, for messages that must say what came instead of apps. */
    static String excerpt(String text) {
        String flat = text.strip().replaceAll("\\s+", " ");
        if (flat.isEmpty()) {
            return "(blank)";
        }
        return flat.length() <= EXCERPT_CHARS ? flat : flat.substring(0, EXCERPT_CHARS) + "...";
    }

    /** One app or task that cannot be read; caught at its level so the others survive. */
    private static final class BadField extends RuntimeException {
        BadField(String message) {
            super(message, null, false, false);
        }
    }
}
