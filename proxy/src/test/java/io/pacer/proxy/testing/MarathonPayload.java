package io.pacer.proxy.testing;

import java.util.ArrayList;
import java.util.List;

/**
 * {@code /v2/apps?embed=apps.tasks} answers in the shape Marathon sends them (see
 * {@code shared/marathon/app_tasks.json}), for tests that serve them through {@link SoakMarathon}.
 * Labels are given as a JSON object, health check results as a JSON array ({@link #ALIVE},
 * {@link #DEAD}).
 */
public final class MarathonPayload {

    /** One passing health check result, as Marathon reports it. */
    public static final String ALIVE = "{\"alive\":true,\"consecutiveFailures\":0,\"firstSuccess\":"
            + "\"2026-12-06T10:00:00.000Z\",\"lastSuccess\":\"2026-12-06T10:00:05.000Z\",\"lastFailure\":null,"
            + "\"lastFailureCause\":null,\"instanceId\":\"app.marathon-1\"}";
    /** One failing health check result. */
    public static final String DEAD = "{\"alive\":false,\"consecutiveFailures\":3,\"firstSuccess\":"
            + "\"2026-12-06T10:00:00.000Z\",\"lastSuccess\":\"2026-12-06T10:00:05.000Z\",\"lastFailure\":"
            + "\"2026-12-06T10:01:00.000Z\",\"lastFailureCause\":\"ConnectionRefused\",\"instanceId\":\"app.marathon-1\"}";

    private static final String HEALTH_CHECK = "{\"gracePeriodSeconds\":300,\"intervalSeconds\":20,"
            + "\"maxConsecutiveFailures\":3,\"path\":\"/\",\"portIndex\":0,\"protocol\":\"HTTP\",\"timeoutSeconds\":20}";

    private MarathonPayload() { }

    /** The whole answer. */
    public static String apps(String... apps) {
        return "{\"apps\":[" + String.join(",", apps) + "]}";
    }

    /** An app without health checks, one running task per upstream. */
    public static String app(String id, String labels, TestUpstream... upstreams) {
        List<String> tasks = new ArrayList<>();
        for (TestUpstream up : upstreams) {
            tasks.add(task(id, up.name(), up.port(), null));
        }
        return app(id, labels, false, tasks);
    }

    /** An app with an HTTP health check and the given tasks ({@link #task}). */
    public static String healthChecked(String id, String labels, String... tasks) {
        return app(id, labels, true, List.of(tasks));
    }

    public static String app(String id, String labels, boolean healthChecked, List<String> tasks) {
        return "{\"id\":\"" + id + "\",\"labels\":" + labels + ",\"env\":{},\"instances\":" + tasks.size()
                + ",\"portDefinitions\":[{\"port\":10000,\"protocol\":\"tcp\",\"name\":\"http\",\"labels\":{}}],"
                + "\"healthChecks\":[" + (healthChecked ? HEALTH_CHECK : "") + "],\"readinessChecks\":[],"
                + "\"tasks\":[" + String.join(",", tasks) + "]}";
    }

    /**
     * A running task of app {@code appId} on 127.0.0.1:{@code port}; its id is the app's name and
     * {@code name}. {@code healthResults} is a JSON array, or {@code null} to leave the field out.
     */
    public static String task(String appId, String name, int port, String healthResults) {
        return "{\"id\":\"" + appId.substring(1).replace('/', '_') + ".instance-" + name + "\",\"appId\":\"" + appId
                + "\",\"host\":\"127.0.0.1\",\"ports\":[" + port + "],\"ipAddresses\":[{\"ipAddress\":\"127.0.0.1\","
                + "\"protocol\":\"IPv4\"}],\"state\":\"TASK_RUNNING\",\"startedAt\":\"2026-12-06T10:00:00.000Z\","
                + "\"stagedAt\":\"2026-12-06T09:59:58.000Z\",\"version\":\"2026-12-06T09:59:50.000Z\","
                + "\"servicePorts\":[]" + (healthResults == null ? "" : ",\"healthCheckResults\":" + healthResults) + "}";
    }

    /** {@link #task} for an upstream. */
    public static String task(String appId, TestUpstream upstream, String healthResults) {
        return task(appId, upstream.name(), upstream.port(), healthResults);
    }
}
