package io.pacer.benchmarks;

import io.pacer.core.App;
import io.pacer.core.Balance;
import io.pacer.core.FailurePolicy;
import io.pacer.core.Task;
import io.pacer.core.TaskPicker;
import io.pacer.core.TaskState;
import io.pacer.core.TaskStates;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Threads;
import org.openjdk.jmh.annotations.Warmup;
import org.openjdk.jmh.infra.Blackhole;

/**
 * Task choice, once per request, as the data plane makes it: a {@link TaskPicker} per request, its
 * first attempt (state lookup, failure-memory check, in-flight count up and down). {@code marked}
 * takes one task out of rotation, as failure memory does for a wedged task. {@code rawRoundRobin}
 * is the bare cursor without failure memory, for comparison. {@code ...Contended} runs on two
 * threads at once, as two event loops serving the same app do.
 *
 * <pre>java -jar benchmarks/target/benchmarks.jar TaskSelection -prof gc</pre>
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(1)
public class TaskSelectionBenchmark {

    @Param({"2", "5"})
    int tasks;

    /** Whether one task is marked failing (skipped for the whole run: fail_timeout is an hour). */
    @Param({"false", "true"})
    boolean marked;

    private App app;
    private TaskStates states;

    @Setup
    public void setUp() {
        List<Task> list = new ArrayList<>();
        for (int i = 0; i < tasks; i++) {
            list.add(new Task("app." + i, "10.0.0." + (i + 1), 31000 + i));
        }
        app = new App("/app", List.of("/app"), list);
        FailurePolicy policy = FailurePolicy.of(1, java.time.Duration.ofHours(1));
        states = new TaskStates(policy);
        states.retainOnly(new HashSet<>(list));
        if (marked) {
            states.get(list.get(0)).failed(System.nanoTime(), policy);
        }
    }

    private Task attempt(Balance balance) {
        TaskState s = new TaskPicker(app, states, balance).next(System.nanoTime());
        s.attemptStarted();
        s.attemptEnded();
        return s.task();
    }

    @Benchmark
    public Task rawRoundRobin() {
        return app.task(app.nextStart(), 0);
    }

    @Benchmark
    public Task roundRobin() {
        return attempt(Balance.ROUND_ROBIN);
    }

    @Benchmark
    public Task leastRequest() {
        return attempt(Balance.LEAST_REQUEST);
    }

    /** A request whose first task failed: two attempts from one picker. */
    @Benchmark
    public Task roundRobinRetryOnce(Blackhole bh) {
        TaskPicker picker = new TaskPicker(app, states, Balance.ROUND_ROBIN);
        long now = System.nanoTime();
        bh.consume(picker.next(now));
        return picker.next(now).task();
    }

    @Benchmark
    @Threads(2)
    public Task roundRobinContended() {
        return attempt(Balance.ROUND_ROBIN);
    }

    @Benchmark
    @Threads(2)
    public Task leastRequestContended() {
        return attempt(Balance.LEAST_REQUEST);
    }
}
