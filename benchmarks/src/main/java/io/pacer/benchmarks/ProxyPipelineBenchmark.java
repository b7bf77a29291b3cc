package io.pacer.benchmarks;

import io.pacer.config.PacerConfig;
import io.pacer.core.App;
import io.pacer.core.RouteTable;
import io.pacer.core.Task;
import io.pacer.proxy.http.PacerServer;
import java.net.InetSocketAddress;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OperationsPerInvocation;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

/**
 * Whole requests through Pacer over loopback, in one JVM: two {@link EchoUpstream} tasks answering
 * {@code hello\n} with keep-alive, a {@link PacerServer} routing {@code /hello-world/} to both, and
 * a {@link ClosedLoopClient} keeping {@code connections} keep-alive connections busy, one request
 * in flight on each. An EmbeddedChannel harness would skip the sockets, the upstream pool and the
 * event loop hand-offs, which are most of what a proxied request costs, so this measures them.
 *
 * <p>{@code target=direct} sends the same load straight to the upstreams: the cost of the client
 * and the upstreams alone. The difference between the two rows, in time and in
 * {@code gc.alloc.rate.norm} (bytes per request, every thread of the JVM counted), is Pacer's.
 * Everything shares this machine's cores, so read the figures as relative, not as Pacer's ceiling.
 *
 * <pre>java -jar benchmarks/target/benchmarks.jar ProxyPipeline -prof gc</pre>
 *
 * <p>{@code -p transport=epoll,io_uring} runs Pacer on each transport in turn (the upstreams and
 * the client keep their own).
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Warmup(iterations = 5, time = 2)
@Measurement(iterations = 4, time = 2)
@Fork(value = 1, jvmArgsAppend = {"-Xms1g", "-Xmx1g", "-Dpacer.log.level=WARN"})
public class ProxyPipelineBenchmark {

    /** Answers awaited per benchmark call: large enough that the wake-up of the caller is noise. */
    static final int BATCH = 1000;

    @Param({"pacer", "direct"})
    String target;

    @Param({"1", "64"})
    int connections;

    /** Pacer's {@code transport}; one value by default, {@code -p transport=epoll,io_uring} compares them. */
    @Param({"auto"})
    String transport;

    private EchoUpstream upstreams;
    private PacerServer pacer;
    private ClosedLoopClient client;

    @Setup(Level.Trial)
    public void start() throws Exception {
        upstreams = EchoUpstream.start(1, "127.0.0.1", 0, 0);
        List<InetSocketAddress> ports = upstreams.addresses();
        InetSocketAddress to;
        if ("pacer".equals(target)) {
            App app = new App("/hello-world", List.of("/hello-world"), List.of(
                    new Task("hello-world.1", "127.0.0.1", ports.get(0).getPort()),
                    new Task("hello-world.2", "127.0.0.1", ports.get(1).getPort())));
            PacerConfig config = PacerConfig.builder()
                    .listen(new InetSocketAddress("127.0.0.1", 0))
                    .xproxy("bench")
                    .transport(transport)
                    .build();
            pacer = PacerServer.start(config, RouteTable.builder(1).add(app).build());
            to = pacer.localAddress();
        } else {
            to = ports.get(0);
        }
        client = new ClosedLoopClient(1, to, "/hello-world/", connections);
        client.start();
    }

    @Benchmark
    @OperationsPerInvocation(BATCH)
    public long request() throws TimeoutException {
        client.awaitAnswers(BATCH, TimeUnit.SECONDS.toNanos(10));
        return client.answers();
    }

    @TearDown(Level.Trial)
    public void stop() {
        long bad = client == null ? 0 : client.badAnswers();
        if (client != null) {
            client.close();
        }
        if (pacer != null) {
            pacer.close();
        }
        if (upstreams != null) {
            upstreams.close();
        }
        if (bad > 0) {
            throw new IllegalStateException(bad + " answers were not 2xx");
        }
    }
}
