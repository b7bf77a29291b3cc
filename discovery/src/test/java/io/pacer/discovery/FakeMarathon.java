package io.pacer.discovery;

import java.io.BufferedInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.SocketException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Marathon's front door for tests, on a real loopback socket: {@code GET /v2/events} is a live
 * event stream written exactly as Marathon writes it (no length, no chunking, CRLF frames, ended
 * by closing the connection), controlled by the test; every other request is forwarded to a
 * WireMock server standing in for the rest of Marathon's API ({@code /v2/apps}, {@code /ping}),
 * so stubs and request journals stay WireMock's.
 */
final class FakeMarathon implements AutoCloseable {

    private static final Set<String> FORWARDED = Set.of("authorization", "accept", "accept-encoding", "user-agent");
    private static final Set<String> PASSED_BACK = Set.of("content-type", "content-encoding", "x-marathon-leader");

    /** One request as received, header names lower-cased. */
    record Request(String method, String target, Map<String, List<String>> headers) {
        String header(String name) {
            List<String> values = headers.get(name.toLowerCase(Locale.ROOT));
            return values == null ? null : values.get(0);
        }

        List<String> headers(String name) {
            return headers.getOrDefault(name.toLowerCase(Locale.ROOT), List.of());
        }

        String path() {
            int q = target.indexOf('?');
            return q < 0 ? target : target.substring(0, q);
        }
    }

    private final ServerSocket server;
    private final String backend;
    private final HttpClient client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(Duration.ofSeconds(2)).build();
    private final ExecutorService threads = Executors.newCachedThreadPool(r -> {
        Thread t = new Thread(r, "fake-marathon");
        t.setDaemon(true);
        return t;
    });
    private final List<Request> requests = new CopyOnWriteArrayList<>();
    private final List<Socket> streams = new CopyOnWriteArrayList<>();
    private final List<Socket> sockets = new CopyOnWriteArrayList<>();
    private final AtomicInteger eventStreams = new AtomicInteger();
    private final AtomicInteger gzipped = new AtomicInteger();
    private volatile boolean closed;

    /** @param backend WireMock's base URL, where everything but the event stream goes */
    FakeMarathon(String backend) throws IOException {
        this.backend = backend;
        server = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
        threads.execute(this::acceptLoop);
    }

    String url() {
        return "http://127.0.0.1:" + server.getLocalPort();
    }

    URI uri() {
        return URI.create(url());
    }

    List<Request> requests(String path) {
        List<Request> out = new ArrayList<>();
        for (Request r : requests) {
            if (r.path().equals(path)) {
                out.add(r);
            }
        }
        return out;
    }

    /** Event streams answered 200 so far. */
    int eventStreamsOpened() {
        return eventStreams.get();
    }

    /** Forwarded answers that WireMock gzipped (it does when asked to): the client must inflate them. */
    int gzippedAnswers() {
        return gzipped.get();
    }

    int openStreams() {
        return streams.size();
    }

    /** One event as Marathon frames it; {@code json} must be on one line. */
    static String frame(String type, String json) {
        return "event: " + type + "\r\ndata: " + json + "\r\n\r\n";
    }

    void emit(String type, String json) {
        write(frame(type, json));
    }

    /** Marathon's keep-alive: a blank line. */
    void heartbeat() {
        write("\r\n");
    }

    /** Writes raw text to every open stream. */
    void write(String text) {
        byte[] bytes = text.getBytes(StandardCharsets.UTF_8);
        for (Socket s : streams) {
            try {
                synchronized (s) {
                    OutputStream out = s.getOutputStream();
                    out.write(bytes);
                    out.flush();
                }
            } catch (IOException e) {
                streams.remove(s);
            }
        }
    }

    /** Closes every open stream, as Marathon does when it loses leadership. */
    void closeStreams() {
        for (Socket s : streams) {
            streams.remove(s);
            closeQuietly(s);
        }
    }

    @Override
    public void close() {
        closed = true;
        closeQuietly(server);
        for (Socket s : sockets) {
            closeQuietly(s);
        }
        threads.shutdownNow();
    }

    private void acceptLoop() {
        while (!closed) {
            Socket s;
            try {
                s = server.accept();
            } catch (IOException e) {
                return;
            }
            sockets.add(s);
            threads.execute(() -> serve(s));
        }
    }

    private void serve(Socket socket) {
        try (socket) {
            socket.setTcpNoDelay(true);
            InputStream in = new BufferedInputStream(socket.getInputStream());
            while (!closed) {
                Request request = readHead(in);
                if (request == null) {
                    return;
                }
                requests.add(request);
                if (request.path().equals("/v2/events")) {
                    stream(socket, in);
                    return;
                }
                forward(socket, request);
            }
        } catch (IOException e) {
            // The client went away.
        } finally {
            sockets.remove(socket);
            streams.remove(socket);
        }
    }

    private void stream(Socket socket, InputStream in) throws IOException {
        // Marathon's first frame is the client's own attachment.
        String head = "HTTP/1.1 200 OK\r\nContent-Type: text/event-stream\r\nCache-Control: no-cache, no-store\r\n"
                + "Connection: close\r\n\r\n"
                + frame("event_stream_attached", "{\"remoteAddress\":\"" + socket.getInetAddress().getHostAddress()
                        + "\",\"eventType\":\"event_stream_attached\",\"timestamp\":\"2015-09-30T12:44:30.061Z\"}");
        synchronized (socket) {
            socket.getOutputStream().write(head.getBytes(StandardCharsets.US_ASCII));
            socket.getOutputStream().flush();
        }
        streams.add(socket);
        eventStreams.incrementAndGet();
        // Hold the connection until either side closes it.
        try {
            while (in.read() >= 0) {
                // The client sends nothing more on a stream.
            }
        } catch (SocketException e) {
            // Closed by closeStreams() or by the client.
        }
    }

    private void forward(Socket socket, Request request) throws IOException {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(backend + request.target()))
                .timeout(Duration.ofSeconds(10)).GET();
        request.headers().forEach((name, values) -> {
            if (FORWARDED.contains(name)) {
                values.forEach(v -> b.header(name, v));
            }
        });
        HttpResponse<byte[]> response;
        try {
            response = client.send(b.build(), HttpResponse.BodyHandlers.ofByteArray());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException(e);
        }
        if (response.headers().firstValue("Content-Encoding").orElse("").contains("gzip")) {
            gzipped.incrementAndGet();
        }
        StringBuilder head = new StringBuilder("HTTP/1.1 ").append(response.statusCode()).append(" X\r\n");
        response.headers().map().forEach((name, values) -> {
            if (PASSED_BACK.contains(name.toLowerCase(Locale.ROOT))) {
                values.forEach(v -> head.append(name).append(": ").append(v).append("\r\n"));
            }
        });
        response.headers().firstValue("Location").ifPresent(v -> head.append("Location: ").append(v).append("\r\n"));
        head.append("Content-Length: ").append(response.body().length).append("\r\n\r\n");
        synchronized (socket) {
            OutputStream out = socket.getOutputStream();
            out.write(head.toString().getBytes(StandardCharsets.ISO_8859_1));
            out.write(response.body());
            out.flush();
        }
    }

    /** The request line and headers, or {@code null} at the end of the connection. */
    private static Request readHead(InputStream in) throws IOException {
        ByteArrayOutputStream line = new ByteArrayOutputStream();
        List<String> lines = new ArrayList<>();
        int b;
        while ((b = in.read()) >= 0) {
            if (b == '\n') {
                String text = line.toString(StandardCharsets.ISO_8859_1);
                if (text.endsWith("\r")) {
                    text = text.substring(0, text.length() - 1);
                }
                line.reset();
                if (text.isEmpty()) {
                    if (lines.isEmpty()) {
                        continue;
                    }
                    break;
                }
                lines.add(text);
            } else {
                line.write(b);
            }
        }
        if (b < 0) {
            return null;
        }
        String[] requestLine = lines.get(0).split(" ");
        Map<String, List<String>> headers = new TreeMap<>();
        for (String h : lines.subList(1, lines.size())) {
            int colon = h.indexOf(':');
            headers.computeIfAbsent(h.substring(0, colon).strip().toLowerCase(Locale.ROOT), k -> new ArrayList<>())
                    .add(h.substring(colon + 1).strip());
        }
        return new Request(requestLine[0], requestLine[1], headers);
    }

    private static void closeQuietly(AutoCloseable c) {
        try {
            c.close();
        } catch (Exception e) {
            // Best effort.
        }
    }
}
