package io.pacer.benchmarks;

import io.pacer.core.App;
import io.pacer.core.RouteMatch;
import io.pacer.core.RouteTable;
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
import org.openjdk.jmh.annotations.Warmup;

/**
 * Route lookup on the request path, the first thing every request does. Tables hold one- and
 * two-segment app ids, like a Marathon cluster's ({@code /team-N} and {@code /group-N/app-N}).
 *
 * <pre>java -jar benchmarks/target/benchmarks.jar RouteLookup -prof gc</pre>
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(1)
public class RouteLookupBenchmark {

    @Param({"10", "1000", "10000"})
    int apps;

    private RouteTable table;
    private String hit;
    private String deep;
    private String miss;

    @Setup
    public void build() {
        List<App> all = new ArrayList<>();
        for (int i = 0; i < apps; i++) {
            String id = i % 2 == 0 ? "/team-" + i : "/group-" + (i % 50) + "/app-" + i;
            all.add(new App(id, List.of(id), List.of(new Task(id + ".1", "10.0.0." + (i % 250 + 1), 31000 + i % 1000))));
        }
        table = RouteTable.builder(1).addAll(all).build();
        int middle = (apps / 2) & ~1;
        hit = "/team-" + middle + "/api/v1/users?id=42";
        deep = "/group-" + ((apps - 1) % 50) + "/app-" + (apps - 1) + "/static/js/a/b/c/d/e/main.js";
        miss = "/nothing-here/at/all/index.html";
    }

    @Benchmark
    public RouteMatch hit() {
        return table.lookup(hit);
    }

    @Benchmark
    public RouteMatch deepPrefix() {
        return table.lookup(deep);
    }

    @Benchmark
    public RouteMatch miss() {
        return table.lookup(miss);
    }
}
