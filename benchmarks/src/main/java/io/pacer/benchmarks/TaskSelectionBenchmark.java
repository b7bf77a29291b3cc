package io.pacer.benchmarks;

import io.pacer.core.App;
import io.pacer.core.Task;
import java.util.ArrayList;
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
 * Round-robin task choice, once per request: {@link App#nextStart()} (one shared atomic counter per
 * app) then {@link App#task(int, int)}. {@code contended} runs it on two threads at once, as two
 * event loops serving the same app do; the counter's cache line then bounces between cores.
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

    private App app;

    @Setup
    public void setUp() {
        List<Task> list = new ArrayList<>();
        for (int i = 0; i < tasks; i++) {
            list.add(new Task("app." + i, "10.0.0." + (i + 1), 31000 + i));
        }
        app = new App("/app", List.of("/app"), list);
    }

    @Benchmark
    public Task firstAttempt() {
        return app.task(app.nextStart(), 0);
    }

    /** A request whose first task failed: the start and two attempts. */
    @Benchmark
    public Task retryOnce(Blackhole bh) {
        int start = app.nextStart();
        bh.consume(app.task(start, 0));
        return app.task(start, 1);
    }

    @Benchmark
    @Threads(2)
    public Task firstAttemptContended() {
        return app.task(app.nextStart(), 0);
    }
}
