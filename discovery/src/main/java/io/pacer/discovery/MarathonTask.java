package io.pacer.discovery;

import java.util.List;
import java.util.Objects;

/**
 * One task of a Marathon app, reduced to what decides whether and where it takes traffic.
 *
 * @param id                 Marathon's task id
 * @param appId              the app it belongs to
 * @param host               the agent it runs on; empty when Marathon did not say
 * @param ports              host ports, in Marathon's order; empty on container networks
 * @param ipAddresses        the task's IP addresses, in Marathon's order
 * @param state              Mesos state ({@code TASK_RUNNING}, ...); {@code null} when absent
 * @param healthCheckResults the {@code alive} flag of each health check result; an entry with no
 *     {@code alive} counts as not alive
 * @param servicePorts       service ports (filled by {@code /v2/tasks}, usually empty here)
 * @param slaveId            the Mesos agent's id; {@code null} when absent
 * @param stagedAt           when Mesos staged it, as Marathon wrote it; {@code null} when absent
 * @param startedAt          when it started running, as Marathon wrote it; {@code null} when absent
 * @param version            the app version it runs; {@code null} when absent
 */
public record MarathonTask(String id, String appId, String host, List<Integer> ports,
                           List<String> ipAddresses, String state, List<Boolean> healthCheckResults,
                           List<Integer> servicePorts, String slaveId, String stagedAt, String startedAt,
                           String version) {

    public static final String RUNNING = "TASK_RUNNING";

    public MarathonTask {
        Objects.requireNonNull(id, "id");
        Objects.requireNonNull(appId, "appId");
        host = host == null ? "" : host;
        ports = List.copyOf(ports);
        ipAddresses = List.copyOf(ipAddresses);
        healthCheckResults = List.copyOf(healthCheckResults);
        servicePorts = List.copyOf(servicePorts);
    }

    /** A task with nothing but what routing reads; the reporting fields are empty. */
    public MarathonTask(String id, String appId, String host, List<Integer> ports, List<String> ipAddresses,
                        String state, List<Boolean> healthCheckResults) {
        this(id, appId, host, ports, ipAddresses, state, healthCheckResults, List.of(), null, null, null, null);
    }

    public boolean isRunning() {
        return RUNNING.equals(state);
    }
}
