package io.pacer.proxy.testing;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Set;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Marathon as far as a soak run uses it: {@code /ping} 200, {@code /v2/apps} one app {@code /app}
 * with one running task per published port (or any apps body, {@link #publishApps}), {@code /v2/events} a text/event-stream that gets a
 * {@code status_update_event} on every {@link #publish} and ends on {@link #dropStreams()}.
 *
 * <p>Shared by the CI soak test and the benchmarks' {@code SoakRig} (through this module's test
 * jar), so that both soak Pacer against the same Marathon. The JDK's HTTP server is enough here:
 * the stream needs long-lived answers written in pieces, which WireMock does not do.
 */
public final class SoakMarathon implements AutoCloseable {

    private static final String END = "\u0000end";

    private final HttpServer server;
    private final ExecutorService executor = Executors.newCachedThreadPool(runnable -> {
        Thread thread = new Thread(runnable, "soak-marathon");
        thread.setDaemon(true);
        return thread;
    });
    private final Set<BlockingQueue<String>> streams = ConcurrentHashMap.newKeySet();
    private final AtomicInteger streamsOpened = new AtomicInteger();
    private final AtomicInteger drops = new AtomicInteger();
    private final AtomicLong generation = new AtomicLong();
    private final AtomicLong servedGeneration = new AtomicLong();
    private volatile Body apps = new Body(0, "{\"apps\":[]}");

    private record Body(long generation, String json) { }

    /** Listens on the loopback {@code port}; 0 takes any free one. */
    public SoakMarathon(int port) throws IOException {
        server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), port), 0);
        server.setExecutor(executor);
        server.createContext("/ping", ex -> answer(ex, "text/plain", "pong"));
        server.createContext("/v2/apps", ex -> {
            Body body = apps;
            answer(ex, "application/json", body.json);
            servedGeneration.accumulateAndGet(body.generation, Math::max);
        });
        server.createContext("/v2/events", this::stream);
        server.start();
    }

    public URI uri() {
        return URI.create("http://127.0.0.1:" + server.getAddress().getPort());
    }

    /** Lists {@code ports} as the app's tasks and announces it; returns the body's generation. */
    public synchronized long publish(List<Integer> ports) {
        StringBuilder tasks = new StringBuilder();
        for (int port : ports) {
            if (tasks.length() > 0) {
                tasks.append(',');
            }
            tasks.append("{\"id\":\"app.").append(port).append("\",\"appId\":\"/app\",\"host\":\"127.0.0.1\",")
                    .append("\"ports\":[").append(port).append("],\"state\":\"TASK_RUNNING\"}");
        }
        return publishApps("{\"apps\":[{\"id\":\"/app\",\"labels\":{},\"healthChecks\":[],\"tasks\":["
                + tasks + "]}]}");
    }

    /**
     * Serves {@code appsJson} (a whole {@code /v2/apps?embed=apps.tasks} answer) from now on and
     * announces it with a {@code status_update_event}; returns the body's generation.
     */
    public synchronized long publishApps(String appsJson) {
        long gen = generation.incrementAndGet();
        apps = new Body(gen, appsJson);
        String event = "event: status_update_event\ndata: {\"eventType\":\"status_update_event\",\"appId\":\"/app\","
                + "\"taskStatus\":\"TASK_RUNNING\"}\n\n";
        for (BlockingQueue<String> stream : streams) {
            stream.offer(event);
        }
        return gen;
    }

    /** The newest generation a {@code /v2/apps} answer carried: what Pacer may have seen. */
    public long servedGeneration() {
        return servedGeneration.get();
    }

    /** Ends every open event stream, as a Marathon failover or a proxy in between would. */
    public void dropStreams() {
        for (BlockingQueue<String> stream : streams) {
            stream.offer(END);
        }
        drops.incrementAndGet();
    }

    public int drops() {
        return drops.get();
    }

    public int streamsOpened() {
        return streamsOpened.get();
    }

    private void stream(HttpExchange ex) throws IOException {
        BlockingQueue<String> queue = new LinkedBlockingQueue<>();
        streams.add(queue);
        streamsOpened.incrementAndGet();
        try {
            ex.getRequestBody().readAllBytes();
            ex.getResponseHeaders().set("Content-Type", "text/event-stream");
            ex.sendResponseHeaders(200, 0);
            OutputStream out = ex.getResponseBody();
            write(out, "event: event_stream_attached\ndata: {\"eventType\":\"event_stream_attached\"}\n\n");
            while (true) {
                String next = queue.poll(1, TimeUnit.SECONDS);
                if (END.equals(next)) {
                    return;
                }
                write(out, next == null ? "\n" : next); // a blank line is Marathon's heartbeat
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (IOException e) {
            // Pacer closed the stream
        } finally {
            streams.remove(queue);
            ex.close();
        }
    }

    private static void write(OutputStream out, String text) throws IOException {
        out.write(text.getBytes(StandardCharsets.UTF_8));
        out.flush();
    }

    private static void answer(HttpExchange ex, String type, String body) throws IOException {
        byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
        ex.getRequestBody().readAllBytes();
        ex.getResponseHeaders().set("Content-Type", type);
        ex.sendResponseHeaders(200, bytes.length);
        try (OutputStream out = ex.getResponseBody()) {
            out.write(bytes);
        }
    }

    @Override
    public void close() {
        server.stop(0);
        executor.shutdownNow();
    }
}
