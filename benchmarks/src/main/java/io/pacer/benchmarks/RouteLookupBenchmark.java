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
 * two-segment app ids, like a Marathon cluster's ({@code /team-N} and {@code /group-N/app-N}),
 * each also served on its Nixy name as a virtual host ({@code NAME} and {@code NAME.*}, as
 * {@code route_by = "host"} serves them). {@code host*} look up by Host, then path.
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
            String name = "app-" + i;
            all.add(new App(id, List.of(id), List.of(new Task(id + ".1", "10.0.0." + (i % 250 + 1), 31000 + i % 1000)),
                    List.of(name, name + ".*"), List.of("/")));
        }
        table = RouteTable.builder(1).addAll(all).build();
        int middle = (apps / 2) & ~1;
        hit = "/team-" + middle + "/api/v1/users?id=42";
        deep = "/group-" + ((apps - 1) % 50) + "/app-" + (apps - 1) + "/static/js/a/b/c/d/e/main.js";
        miss = "/nothing-here/at/all/index.html";
        exactHost = "app-" + middle;
        wildcardHost = "App-" + middle + ".proxy-1.example.com:8080";
        missHost = "unknown.proxy-1.example.com";
    }

    private String exactHost;
    private String wildcardHost;
    private String missHost;

    @Benchmark
    public RouteMatch hostExact() {
        return table.lookup(exactHost, hit);
    }

    /** {@code NAME.*} with mixed case and a port: a probe per dot, longest first. */
    @Benchmark
    public RouteMatch hostWildcard() {
        return table.lookup(wildcardHost, hit);
    }

    /** No host matches: every probe misses, then the path prefixes answer. */
    @Benchmark
    public RouteMatch hostMissThenPath() {
        return table.lookup(missHost, hit);
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
