package io.pacer.benchmarks;

import io.pacer.core.App;
import io.pacer.core.RouteTable;
import io.pacer.core.RouteTableDiff;
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
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

/**
 * What a route change costs off the hot path: building a table of 1,000 apps with 5 tasks each
 * (the apps already parsed, as discovery hands them over), and diffing two such tables that differ
 * by a few tasks, as every swap does for its log line and to close pooled connections.
 *
 * <pre>java -jar benchmarks/target/benchmarks.jar RouteTableBuild -prof gc</pre>
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(1)
public class RouteTableBuildBenchmark {

    static final int APPS = 1000;
    static final int TASKS = 5;

    private List<App> apps;
    private RouteTable before;
    private RouteTable after;
    private RouteTable afterEqual;

    @Setup
    public void setUp() {
        apps = apps(0);
        before = RouteTable.builder(1).addAll(apps).build();
        // A rolling restart in progress: three apps each replaced one task by a new one.
        List<App> changed = new ArrayList<>(apps);
        for (int i : new int[] {17, 500, 999}) {
            App old = changed.get(i);
            List<Task> tasks = new ArrayList<>(old.tasks());
            tasks.set(0, new Task(old.id().substring(1) + ".new", "10.0.1." + (i % 250 + 1), 32000 + i % 1000));
            changed.set(i, new App(old.id(), old.prefixes(), tasks));
        }
        after = RouteTable.builder(2).addAll(changed).build();
        afterEqual = RouteTable.builder(3).addAll(apps(0)).build();
    }

    /** 1,000 apps, one- and two-segment ids like a Marathon cluster's, five tasks on five hosts each. */
    static List<App> apps(int seed) {
        List<App> all = new ArrayList<>(APPS);
        for (int i = 0; i < APPS; i++) {
            String id = i % 2 == 0 ? "/team-" + i : "/group-" + (i % 50) + "/app-" + i;
            List<Task> tasks = new ArrayList<>(TASKS);
            for (int t = 0; t < TASKS; t++) {
                tasks.add(new Task(id.substring(1).replace('/', '_') + "." + seed + "-" + t,
                        "10.0." + t + "." + (i % 250 + 1), 31000 + (i * TASKS + t) % 10000));
            }
            all.add(new App(id, List.of(id), tasks));
        }
        return all;
    }

    @Benchmark
    public RouteTable build() {
        return RouteTable.builder(1).addAll(apps).build();
    }

    @Benchmark
    public RouteTableDiff diffFewTasks() {
        return RouteTableDiff.between(before, after);
    }

    /** The check that makes an unchanged model swap nothing. */
    @Benchmark
    public boolean sameRoutesUnchanged() {
        return before.sameRoutesAs(afterEqual);
    }
}
