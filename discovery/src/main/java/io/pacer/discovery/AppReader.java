package io.pacer.discovery;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Reads one Marathon app straight from parser tokens into a {@link MarathonApp}, in one pass and
 * without building a tree: routing fields are read as they come, the reported ones ({@code env},
 * {@code portDefinitions}, {@code healthChecks}, {@code container}) are copied token by token into
 * their compact bytes, and everything else is skipped.
 *
 * <p>Leniency is decided field by field, as the routing rules need it: a field routing reads with
 * the wrong type makes the app (or the task) unreadable, and it is skipped with a warning naming it
 * by its id, wherever in the object the id comes; a reported-only field of an unexpected shape is
 * simply not kept. Since fields arrive in any order, an element's first problem is remembered and
 * the element read to its end before it is given up.
 */
final class AppReader {

    private static final Logger log = LoggerFactory.getLogger(MarathonApps.class);
    private static final JsonFactory FACTORY = new JsonFactory();

    // Which problem of an app is reported when it has several, as the checks were once ordered.
    private static final int ID = 0;
    private static final int TASKS = 1;
    private static final int HEALTH_CHECKS = 2;
    private static final int LABELS = 3;
    private static final int READINESS_CHECKS = 4;
    private static final int CONTAINER = 5;
    private static final int READINESS_RESULTS = 6;

    private AppReader() { }

    /**
     * The app whose first token is {@code p}'s current one, or {@code null} (logged) when it
     * cannot be read; {@code p} is left on the app's last token.
     *
     * @param index the app's place in the list, for the warning
     */
    static MarathonApp read(JsonParser p, int index) throws IOException {
        if (p.currentToken() != JsonToken.START_OBJECT) {
            p.skipChildren();
            log.warn("Skipping Marathon app #{}: not a JSON object", index);
            return null;
        }
        Problem problem = new Problem();
        String id = null;
        Map<String, String> labels = Map.of();
        int healthChecks = 0;
        int readinessChecks = 0;
        List<MarathonApp.PortMapping> portMappings = List.of();
        List<TaskDraft> tasks = new ArrayList<>();
        List<MarathonApp.ReadinessResult> readiness = new ArrayList<>();
        ByteArrayOutputStream reportedBytes = new ByteArrayOutputStream(256);
        boolean reported = false;
        try (JsonGenerator gen = FACTORY.createGenerator(reportedBytes)) {
            gen.writeStartObject();
            while (p.nextToken() == JsonToken.FIELD_NAME) {
                String field = p.currentName();
                JsonToken v = p.nextToken();
                switch (field) {
                    case "id" -> id = requiredText(p, v, "id", problem, ID);
                    case "labels" -> labels = labels(p, v, problem);
                    case "tasks" -> {
                        if (arrayOrSkip(p, v, "tasks", problem, TASKS)) {
                            while (p.nextToken() != JsonToken.END_ARRAY) {
                                tasks.add(task(p));
                            }
                        }
                    }
                    case "healthChecks" -> {
                        if (v == JsonToken.START_ARRAY) {
                            gen.writeFieldName(field);
                            healthChecks = copyCountingElements(p, gen);
                            reported |= healthChecks > 0;
                        } else {
                            arrayOrSkip(p, v, field, problem, HEALTH_CHECKS);
                        }
                    }
                    case "readinessChecks" -> {
                        if (arrayOrSkip(p, v, field, problem, READINESS_CHECKS)) {
                            while (p.nextToken() != JsonToken.END_ARRAY) {
                                p.skipChildren();
                                readinessChecks++;
                            }
                        }
                    }
                    case "readinessCheckResults" -> {
                        if (arrayOrSkip(p, v, field, problem, READINESS_RESULTS)) {
                            while (p.nextToken() != JsonToken.END_ARRAY) {
                                readinessResult(p, problem, readiness);
                            }
                        }
                    }
                    case "container" -> {
                        if (v == JsonToken.VALUE_NULL) {
                            break;
                        }
                        if (v != JsonToken.START_OBJECT) {
                            problem.add(CONTAINER, "\"container\" is not a JSON object");
                            p.skipChildren();
                            break;
                        }
                        gen.writeFieldName(field);
                        portMappings = container(p, gen, problem);
                        reported = true;
                    }
                    case "env" -> {
                        if (v == JsonToken.START_OBJECT) {
                            gen.writeFieldName(field);
                            reported |= copyCountingElements(p, gen) > 0;
                        } else {
                            p.skipChildren();
                        }
                    }
                    case "portDefinitions" -> {
                        if (v == JsonToken.START_ARRAY) {
                            gen.writeFieldName(field);
                            reported |= copyCountingElements(p, gen) > 0;
                        } else {
                            p.skipChildren();
                        }
                    }
                    default -> p.skipChildren();
                }
            }
            gen.writeEndObject();
        }
        if (id == null && !problem.has(ID)) {
            problem.add(ID, "no \"id\"");
        }
        if (problem.message != null) {
            log.warn("Skipping Marathon app #{}{}: {}", index, id == null ? "" : " (" + id + ")", problem.message);
            return null;
        }
        List<MarathonTask> built = new ArrayList<>(tasks.size());
        for (int i = 0; i < tasks.size(); i++) {
            TaskDraft t = tasks.get(i);
            if (t.problem.message != null) {
                log.warn("Skipping task #{}{} of Marathon app {}: {}", i, t.id == null ? "" : " (" + t.id + ")", id,
                        t.problem.message);
            } else {
                built.add(t.build(id));
            }
        }
        return new MarathonApp(id, labels, healthChecks, readinessChecks, portMappings, built, readiness,
                reported ? ReportedJson.ofBytes(reportedBytes.toByteArray()) : ReportedJson.NONE);
    }

    /** Warns of an element of the app list that is not an object. */
    static void notAnObject(int index) {
        log.warn("Skipping Marathon app #{}: not a JSON object", index);
    }

    /** The first problem found, by rank. */
    private static final class Problem {
        int rank = Integer.MAX_VALUE;
        String message;

        void add(int r, String m) {
            if (r < rank) {
                rank = r;
                message = m;
            }
        }

        boolean has(int r) {
            return rank == r;
        }
    }

    /** A task's fields as read; built once its app's id is known (it may come after the tasks). */
    private static final class TaskDraft {
        final Problem problem = new Problem();
        String id;
        String appId;
        String host;
        String state;
        List<Integer> ports = List.of();
        List<String> ips = new ArrayList<>(1);
        List<Boolean> alive = new ArrayList<>(1);
        List<Integer> servicePorts = new ArrayList<>(0);
        String slaveId;
        String stagedAt;
        String startedAt;
        String version;

        MarathonTask build(String owner) {
            // The app id, state, agent and version repeat across thousands of tasks: one instance
            // each (interned: their values are bounded by the cluster's agents and app versions).
            return new MarathonTask(id, appId == null || appId.equals(owner) ? owner : appId, intern(host), ports,
                    ips, intern(state), alive, servicePorts, intern(slaveId), stagedAt, startedAt, intern(version));
        }
    }

    private static TaskDraft task(JsonParser p) throws IOException {
        TaskDraft t = new TaskDraft();
        if (p.currentToken() != JsonToken.START_OBJECT) {
            p.skipChildren();
            t.problem.add(0, "not a JSON object");
            return t;
        }
        while (p.nextToken() == JsonToken.FIELD_NAME) {
            String field = p.currentName();
            JsonToken v = p.nextToken();
            switch (field) {
                case "id" -> t.id = requiredText(p, v, "id", t.problem, 1);
                case "appId" -> t.appId = optionalText(p, v, "appId", t.problem, 2);
                case "host" -> t.host = optionalText(p, v, "host", t.problem, 6);
                case "state" -> t.state = optionalText(p, v, "state", t.problem, 6);
                case "ports" -> {
                    if (arrayOrSkip(p, v, "ports", t.problem, 3)) {
                        List<Integer> ports = new ArrayList<>(2);
                        int i = 0;
                        while (p.nextToken() != JsonToken.END_ARRAY) {
                            if (p.currentToken() == JsonToken.VALUE_NUMBER_INT && p.getNumberType() == JsonParser.NumberType.INT) {
                                ports.add(p.getIntValue());
                            } else {
                                t.problem.add(3, "\"ports[" + i + "]\" is not an integer");
                                p.skipChildren();
                            }
                            i++;
                        }
                        t.ports = ports;
                    }
                }
                case "ipAddresses" -> {
                    if (arrayOrSkip(p, v, "ipAddresses", t.problem, 4)) {
                        while (p.nextToken() != JsonToken.END_ARRAY) {
                            if (p.currentToken() != JsonToken.START_OBJECT) {
                                p.skipChildren();
                                continue;
                            }
                            while (p.nextToken() == JsonToken.FIELD_NAME) {
                                String f = p.currentName();
                                JsonToken fv = p.nextToken();
                                if ("ipAddress".equals(f)) {
                                    String address = optionalText(p, fv, "ipAddress", t.problem, 4);
                                    if (address != null && !address.isEmpty()) {
                                        t.ips.add(address);
                                    }
                                } else {
                                    p.skipChildren();
                                }
                            }
                        }
                    }
                }
                case "healthCheckResults" -> {
                    if (arrayOrSkip(p, v, "healthCheckResults", t.problem, 5)) {
                        while (p.nextToken() != JsonToken.END_ARRAY) {
                            // Anything but an explicit "alive": true is a failing check: routing to a
                            // task whose health we cannot read is worse than leaving it out.
                            boolean alive = false;
                            if (p.currentToken() == JsonToken.START_OBJECT) {
                                while (p.nextToken() == JsonToken.FIELD_NAME) {
                                    String f = p.currentName();
                                    JsonToken fv = p.nextToken();
                                    if ("alive".equals(f)) {
                                        alive = fv == JsonToken.VALUE_TRUE;
                                    }
                                    p.skipChildren();
                                }
                            } else {
                                p.skipChildren();
                            }
                            t.alive.add(alive);
                        }
                    }
                }
                case "servicePorts" -> {
                    if (v == JsonToken.START_ARRAY) {
                        while (p.nextToken() != JsonToken.END_ARRAY) {
                            if (p.currentToken() == JsonToken.VALUE_NUMBER_INT
                                    && p.getNumberType() == JsonParser.NumberType.INT) {
                                t.servicePorts.add(p.getIntValue());
                            }
                            p.skipChildren();
                        }
                    } else {
                        p.skipChildren();
                    }
                }
                case "slaveId" -> t.slaveId = lenientText(p, v);
                case "stagedAt" -> t.stagedAt = lenientText(p, v);
                case "startedAt" -> t.startedAt = lenientText(p, v);
                case "version" -> t.version = lenientText(p, v);
                default -> p.skipChildren();
            }
        }
        if (t.id == null && !t.problem.has(1)) {
            t.problem.add(1, "no \"id\"");
        }
        return t;
    }

    private static Map<String, String> labels(JsonParser p, JsonToken v, Problem problem) throws IOException {
        if (v == JsonToken.VALUE_NULL) {
            return Map.of();
        }
        if (v != JsonToken.START_OBJECT) {
            problem.add(LABELS, "\"labels\" is not a JSON object");
            p.skipChildren();
            return Map.of();
        }
        Map<String, String> out = new LinkedHashMap<>();
        while (p.nextToken() == JsonToken.FIELD_NAME) {
            String name = p.currentName();
            JsonToken value = p.nextToken();
            // Marathon only stores strings; a scalar of another type still reads unambiguously,
            // while null or nested values mean nothing to routing and are ignored.
            if (value.isScalarValue() && value != JsonToken.VALUE_NULL) {
                out.put(name, p.getValueAsString());
            } else {
                p.skipChildren();
            }
        }
        return out;
    }

    /**
     * Copies the container as sent and reads its port mappings: {@code container.portMappings},
     * else {@code container.docker.portMappings} (Marathon 1.5 moved them; either may be present).
     */
    private static List<MarathonApp.PortMapping> container(JsonParser p, JsonGenerator gen, Problem problem)
            throws IOException {
        gen.writeStartObject();
        List<MarathonApp.PortMapping> own = List.of();
        List<MarathonApp.PortMapping> docker = List.of();
        while (p.nextToken() == JsonToken.FIELD_NAME) {
            String field = p.currentName();
            JsonToken v = p.nextToken();
            gen.writeFieldName(field);
            if ("portMappings".equals(field)) {
                own = portMappings(p, v, gen, problem);
            } else if ("docker".equals(field) && v == JsonToken.START_OBJECT) {
                gen.writeStartObject();
                while (p.nextToken() == JsonToken.FIELD_NAME) {
                    String f = p.currentName();
                    JsonToken dv = p.nextToken();
                    gen.writeFieldName(f);
                    if ("portMappings".equals(f)) {
                        docker = portMappings(p, dv, gen, problem);
                    } else {
                        gen.copyCurrentStructure(p);
                    }
                }
                gen.writeEndObject();
            } else {
                gen.copyCurrentStructure(p);
            }
        }
        gen.writeEndObject();
        return own.isEmpty() ? docker : own;
    }

    private static List<MarathonApp.PortMapping> portMappings(JsonParser p, JsonToken v, JsonGenerator gen,
                                                              Problem problem) throws IOException {
        if (v == JsonToken.VALUE_NULL) {
            gen.writeNull();
            return List.of();
        }
        if (v != JsonToken.START_ARRAY) {
            problem.add(CONTAINER, "\"portMappings\" is not a JSON array");
            gen.copyCurrentStructure(p);
            return List.of();
        }
        gen.writeStartArray();
        List<MarathonApp.PortMapping> out = new ArrayList<>(1);
        int i = 0;
        while (p.nextToken() != JsonToken.END_ARRAY) {
            if (p.currentToken() != JsonToken.START_OBJECT) {
                problem.add(CONTAINER, "portMappings[" + i + "] is not a JSON object");
                gen.copyCurrentStructure(p);
                i++;
                continue;
            }
            gen.writeStartObject();
            int containerPort = 0;
            int hostPort = 0;
            int servicePort = 0;
            String protocol = null;
            String name = null;
            while (p.nextToken() == JsonToken.FIELD_NAME) {
                String f = p.currentName();
                JsonToken fv = p.nextToken();
                gen.writeFieldName(f);
                switch (f) {
                    case "containerPort" -> containerPort = optionalInt(p, fv, f, problem);
                    case "hostPort" -> hostPort = optionalInt(p, fv, f, problem);
                    case "servicePort" -> servicePort = optionalInt(p, fv, f, problem);
                    case "protocol" -> protocol = textInPlace(p, fv, f, problem);
                    case "name" -> name = textInPlace(p, fv, f, problem);
                    default -> { }
                }
                // The readers above leave the parser on the value, which is copied as sent.
                gen.copyCurrentStructure(p);
            }
            gen.writeEndObject();
            out.add(new MarathonApp.PortMapping(containerPort, hostPort, servicePort, protocol, name));
            i++;
        }
        gen.writeEndArray();
        return out;
    }

    private static void readinessResult(JsonParser p, Problem problem, List<MarathonApp.ReadinessResult> out)
            throws IOException {
        if (p.currentToken() != JsonToken.START_OBJECT) {
            p.skipChildren();
            return;
        }
        String taskId = null;
        String name = null;
        boolean ready = false;
        while (p.nextToken() == JsonToken.FIELD_NAME) {
            String f = p.currentName();
            JsonToken v = p.nextToken();
            switch (f) {
                case "taskId" -> taskId = optionalText(p, v, f, problem, READINESS_RESULTS);
                case "name" -> name = optionalText(p, v, f, problem, READINESS_RESULTS);
                case "ready" -> ready = v == JsonToken.VALUE_TRUE;
                default -> p.skipChildren();
            }
        }
        if (taskId != null) {
            out.add(new MarathonApp.ReadinessResult(taskId, name, ready));
        }
    }

    /** Copies the current array or object and counts its elements (fields, for an object). */
    private static int copyCountingElements(JsonParser p, JsonGenerator gen) throws IOException {
        boolean array = p.currentToken() == JsonToken.START_ARRAY;
        JsonToken end = array ? JsonToken.END_ARRAY : JsonToken.END_OBJECT;
        if (array) {
            gen.writeStartArray();
        } else {
            gen.writeStartObject();
        }
        int n = 0;
        while (p.nextToken() != end) {
            if (!array) {
                gen.writeFieldName(p.currentName());
                p.nextToken();
            }
            gen.copyCurrentStructure(p);
            n++;
        }
        if (array) {
            gen.writeEndArray();
        } else {
            gen.writeEndObject();
        }
        return n;
    }

    /** Whether the value is an array to read; null reads as absent, anything else is a problem. */
    private static boolean arrayOrSkip(JsonParser p, JsonToken v, String field, Problem problem, int rank)
            throws IOException {
        if (v == JsonToken.START_ARRAY) {
            return true;
        }
        if (v != JsonToken.VALUE_NULL) {
            problem.add(rank, "\"" + field + "\" is not a JSON array");
            p.skipChildren();
        }
        return false;
    }

    private static String requiredText(JsonParser p, JsonToken v, String field, Problem problem, int rank)
            throws IOException {
        String value = optionalText(p, v, field, problem, rank);
        if (value != null && value.isBlank()) {
            problem.add(rank, "no \"" + field + "\"");
            return null;
        }
        return value;
    }

    private static String optionalText(JsonParser p, JsonToken v, String field, Problem problem, int rank)
            throws IOException {
        if (v == JsonToken.VALUE_NULL) {
            return null;
        }
        if (v != JsonToken.VALUE_STRING) {
            problem.add(rank, "\"" + field + "\" is not a string");
            p.skipChildren();
            return null;
        }
        return p.getText();
    }

    private static int optionalInt(JsonParser p, JsonToken v, String field, Problem problem) throws IOException {
        if (v == JsonToken.VALUE_NULL) {
            return 0;
        }
        if (v != JsonToken.VALUE_NUMBER_INT || p.getNumberType() != JsonParser.NumberType.INT) {
            problem.add(CONTAINER, "\"" + field + "\" is not an integer");
            return 0;
        }
        return p.getIntValue();
    }

    /** As {@link #optionalText}, but leaving the parser on the value whatever it is. */
    private static String textInPlace(JsonParser p, JsonToken v, String field, Problem problem) throws IOException {
        if (v == JsonToken.VALUE_NULL) {
            return null;
        }
        if (v != JsonToken.VALUE_STRING) {
            problem.add(CONTAINER, "\"" + field + "\" is not a string");
            return null;
        }
        return p.getText();
    }

    /** A reporting-only string: {@code null} when absent or not a string. */
    private static String lenientText(JsonParser p, JsonToken v) throws IOException {
        if (v == JsonToken.VALUE_STRING) {
            return p.getText();
        }
        p.skipChildren();
        return null;
    }

    private static String intern(String s) {
        return s == null ? null : s.intern();
    }
}
