package io.pacer.discovery;

import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * One Marathon app as routing needs it. Everything else Marathon sends ({@code env},
 * {@code cmd}, resources, ...) is deliberately not modelled: a field we do not read cannot break
 * parsing.
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
 */
public record MarathonApp(String id, Map<String, String> labels, int healthCheckCount,
                          int readinessCheckCount, List<PortMapping> portMappings,
                          List<MarathonTask> tasks, List<ReadinessResult> readinessCheckResults) {

    public MarathonApp {
        Objects.requireNonNull(id, "id");
        labels = Map.copyOf(labels);
        portMappings = List.copyOf(portMappings);
        tasks = List.copyOf(tasks);
        readinessCheckResults = List.copyOf(readinessCheckResults);
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
