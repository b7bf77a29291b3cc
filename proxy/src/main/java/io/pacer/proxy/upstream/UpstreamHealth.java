package io.pacer.proxy.upstream;

import io.pacer.config.Durations;
import io.pacer.core.App;
import io.pacer.core.Balance;
import io.pacer.core.FailurePolicy;
import io.pacer.core.RetryCondition;
import io.pacer.core.RetryPolicy;
import io.pacer.core.Task;
import io.pacer.core.TaskPicker;
import io.pacer.core.TaskState;
import io.pacer.core.TaskStates;
import io.pacer.proxy.http.RequestObserver;
import java.time.Duration;
import java.util.Set;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The data plane's memory of its tasks between requests: which to skip after failures (Nginx's
 * {@code max_fails} and {@code fail_timeout}) and how busy each is (for {@code least_request}).
 * Hands each request a {@link TaskPicker}, hears how each attempt went, and says so once per change
 * in the log and on every counted failure in the metrics.
 *
 * <p>Threading: called from every event loop; the state it keeps is {@link TaskStates}', which
 * takes no lock on the request path. {@link #retainOnly} runs where route tables are published.
 */
public final class UpstreamHealth {

    private static final Logger log = LoggerFactory.getLogger(UpstreamHealth.class);

    private final TaskStates states;
    private final FailurePolicy policy;
    private final Balance balance;
    private final RequestObserver observer;

    public UpstreamHealth(FailurePolicy policy, Balance balance, RequestObserver observer) {
        this.states = new TaskStates(policy);
        this.policy = policy;
        this.balance = balance;
        this.observer = observer;
    }

    /** Chooses the tasks for the attempts of one request to {@code app}. */
    public TaskPicker picker(App app) {
        return new TaskPicker(app, states, balanceOf(app));
    }

    /**
     * As {@link #picker(App)}, restarting {@code previous}, a picker of this memory's whose request
     * is done, rather than making one; a new one when {@code previous} is {@code null}.
     */
    public TaskPicker picker(App app, TaskPicker previous) {
        return previous == null ? picker(app) : previous.restart(app, balanceOf(app));
    }

    private Balance balanceOf(App app) {
        Balance own = app.options().balance();
        return own != null ? own : balance;
    }

    /**
     * An attempt at {@code task} failed for {@code condition}. It counts against the task when
     * Nginx would count it under the request's {@code retry} policy (see {@link FailurePolicy#counts}).
     */
    public void failed(App app, TaskState task, RetryCondition condition, RetryPolicy retry) {
        if (!FailurePolicy.counts(condition, retry)) {
            return;
        }
        observer.taskFailed(app.id(), condition);
        if (task.failed(System.nanoTime(), policy) == TaskState.Change.MARKED) {
            String window = Durations.format(Duration.ofNanos(policy.failTimeoutNanos()));
            log.warn("app {}: task {} ({}) failed ({}) {} time(s) within fail_timeout {}; skipping it for {}",
                    app.id(), task.task().address(), task.task().id(), condition.nginxName(), policy.maxFails(),
                    window, window);
        }
    }

    /**
     * An attempt at {@code task} got an answer, the one the client gets: a failure when its status
     * ({@code condition}, {@code null} for none) counts under {@code retry}, else a success.
     */
    public void answered(App app, TaskState task, RetryCondition condition, RetryPolicy retry) {
        if (condition != null && FailurePolicy.counts(condition, retry)) {
            failed(app, task, condition, retry);
        } else {
            succeeded(app, task);
        }
    }

    private void succeeded(App app, TaskState task) {
        if (task.succeeded() == TaskState.Change.RETURNED) {
            log.info("app {}: task {} ({}) answered again; it is back in rotation", app.id(), task.task().address(),
                    task.task().id());
        }
    }

    /** Keeps the memory of the tasks in the new table and forgets the others. */
    public void retainOnly(Set<Task> tasks) {
        states.retainOnly(tasks);
    }

    public TaskStates states() {
        return states;
    }
}
