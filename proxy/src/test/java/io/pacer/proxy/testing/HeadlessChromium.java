package io.pacer.proxy.testing;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.WebSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A real headless Chromium (Debian's {@code chromium}, or {@code PACER_CHROMIUM}) driven over the
 * DevTools protocol with the JDK's own WebSocket client: navigate, evaluate JavaScript in the page,
 * take a screenshot. One page, a fresh profile in a temporary directory, killed on {@link #close()}.
 */
public final class HeadlessChromium implements AutoCloseable {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Pattern DEVTOOLS = Pattern.compile("DevTools listening on (ws://\\S+)");
    private static final Duration TIMEOUT = Duration.ofSeconds(30);

    private final Process process;
    private final Path profile;
    private final WebSocket socket;
    private final Inbox inbox;
    private final AtomicInteger ids = new AtomicInteger();

    private HeadlessChromium(Process process, Path profile, WebSocket socket, Inbox inbox) {
        this.process = process;
        this.profile = profile;
        this.socket = socket;
        this.inbox = inbox;
    }

    /** The Chromium to run: {@code PACER_CHROMIUM}, else {@code chromium} on the PATH; {@code null} when none. */
    public static String executable() {
        String configured = System.getenv("PACER_CHROMIUM");
        if (configured != null && !configured.isBlank()) {
            return configured;
        }
        for (String dir : System.getenv().getOrDefault("PATH", "").split(":")) {
            for (String name : List.of("chromium", "chromium-browser")) {
                Path candidate = Path.of(dir, name);
                if (Files.isExecutable(candidate)) {
                    return candidate.toString();
                }
            }
        }
        return null;
    }

    public static HeadlessChromium start(String executable, int width, int height) throws Exception {
        Path profile = Files.createTempDirectory("pacer-chromium");
        Process process = new ProcessBuilder(executable, "--headless=new", "--no-sandbox", "--disable-gpu",
                "--no-first-run", "--no-default-browser-check", "--disable-extensions", "--mute-audio",
                "--window-size=" + width + "," + height, "--remote-debugging-port=0",
                "--user-data-dir=" + profile, "about:blank")
                .redirectErrorStream(true)
                .start();
        try {
            String browser = awaitDevTools(process);
            URI base = URI.create(browser.replaceFirst("^ws://([^/]+)/.*$", "http://$1"));
            String page = pageSocket(base);
            Inbox inbox = new Inbox();
            WebSocket socket = HttpClient.newHttpClient().newWebSocketBuilder()
                    .connectTimeout(TIMEOUT)
                    .buildAsync(URI.create(page), inbox)
                    .get(TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
            HeadlessChromium connected = new HeadlessChromium(process, profile, socket, inbox);
            connected.send("Runtime.enable", JSON.createObjectNode());
            connected.send("Page.enable", JSON.createObjectNode());
            return connected;
        } catch (Exception | Error e) {
            kill(process);
            throw e;
        }
    }

    private static String awaitDevTools(Process process) throws Exception {
        CompletableFuture<String> found = new CompletableFuture<>();
        StringBuilder output = new StringBuilder();
        Thread reader = new Thread(() -> {
            try (BufferedReader in = new BufferedReader(new InputStreamReader(process.getInputStream(),
                    StandardCharsets.UTF_8))) {
                String line;
                while ((line = in.readLine()) != null) {
                    synchronized (output) {
                        output.append(line).append('\n');
                    }
                    Matcher m = DEVTOOLS.matcher(line);
                    if (m.find()) {
                        found.complete(m.group(1));
                    }
                }
            } catch (IOException e) {
                found.completeExceptionally(e);
            }
            found.completeExceptionally(new IOException("Chromium exited before DevTools listened"));
        }, "chromium-output");
        reader.setDaemon(true);
        reader.start();
        try {
            return found.get(TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
        } catch (Exception e) {
            synchronized (output) {
                throw new IOException("no DevTools address from Chromium; its output:\n" + output, e);
            }
        }
    }

    private static String pageSocket(URI base) throws Exception {
        HttpClient http = HttpClient.newHttpClient();
        long deadline = System.nanoTime() + TIMEOUT.toNanos();
        while (System.nanoTime() < deadline) {
            HttpResponse<String> list = http.send(HttpRequest.newBuilder(base.resolve("/json/list")).build(),
                    HttpResponse.BodyHandlers.ofString());
            for (JsonNode target : JSON.readTree(list.body())) {
                if ("page".equals(target.path("type").asText())) {
                    return target.get("webSocketDebuggerUrl").asText();
                }
            }
            Thread.sleep(50); // the first page target appears a moment after DevTools listens
        }
        throw new IOException("Chromium opened no page");
    }

    /** Sends one DevTools command and waits for its result. */
    public JsonNode send(String method, ObjectNode params) throws Exception {
        int id = ids.incrementAndGet();
        CompletableFuture<JsonNode> answer = new CompletableFuture<>();
        inbox.pending.put(id, answer);
        ObjectNode message = JSON.createObjectNode().put("id", id).put("method", method);
        message.set("params", params);
        socket.sendText(JSON.writeValueAsString(message), true).get(TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
        JsonNode reply = answer.get(TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
        if (reply.has("error")) {
            throw new IllegalStateException(method + " failed: " + reply.get("error"));
        }
        return reply.get("result");
    }

    public void navigate(String url) throws Exception {
        send("Page.navigate", JSON.createObjectNode().put("url", url));
    }

    /** The value of {@code expression} in the page (JSON-compatible), or a missing node for undefined. */
    public JsonNode evaluate(String expression) throws Exception {
        JsonNode result = send("Runtime.evaluate", JSON.createObjectNode().put("expression", expression)
                .put("returnByValue", true));
        if (result.has("exceptionDetails")) {
            throw new IllegalStateException("the page threw: " + result.get("exceptionDetails"));
        }
        return result.path("result").path("value");
    }

    /** Whether {@code expression} is true in the page; false while the page is still loading. */
    public boolean isTrue(String expression) {
        try {
            return evaluate(expression).asBoolean(false);
        } catch (Exception e) {
            return false; // between two documents (a redirect), nothing can be evaluated
        }
    }

    public byte[] screenshot() throws Exception {
        JsonNode shot = send("Page.captureScreenshot", JSON.createObjectNode().put("format", "png"));
        return Base64.getDecoder().decode(shot.get("data").asText());
    }

    public void clearCookies() throws Exception {
        send("Network.clearBrowserCookies", JSON.createObjectNode());
    }

    /** Uncaught exceptions the page's scripts threw so far. */
    public List<String> exceptions() {
        synchronized (inbox.exceptions) {
            return List.copyOf(inbox.exceptions);
        }
    }

    @Override
    public void close() throws IOException {
        if (socket != null) {
            socket.abort();
        }
        kill(process);
        try (var files = Files.walk(profile)) {
            files.sorted(Collections.reverseOrder()).forEach(p -> p.toFile().delete());
        }
    }

    /** Chromium starts helper processes; they go first, then the browser itself. */
    private static void kill(Process process) {
        process.descendants().forEach(ProcessHandle::destroy);
        process.destroy();
        try {
            if (!process.waitFor(10, TimeUnit.SECONDS)) {
                process.descendants().forEach(ProcessHandle::destroyForcibly);
                process.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** Collects text frames into messages: answers complete their command, exceptions are kept. */
    private static final class Inbox implements WebSocket.Listener {
        private final Map<Integer, CompletableFuture<JsonNode>> pending = new ConcurrentHashMap<>();
        private final List<String> exceptions = Collections.synchronizedList(new ArrayList<>());
        private final StringBuilder partial = new StringBuilder();

        @Override
        public CompletionStage<?> onText(WebSocket webSocket, CharSequence data, boolean last) {
            partial.append(data);
            if (last) {
                String text = partial.toString();
                partial.setLength(0);
                try {
                    JsonNode message = JSON.readTree(text);
                    if (message.has("id")) {
                        CompletableFuture<JsonNode> answer = pending.remove(message.get("id").asInt());
                        if (answer != null) {
                            answer.complete(message);
                        }
                    } else if ("Runtime.exceptionThrown".equals(message.path("method").asText())) {
                        exceptions.add(message.path("params").path("exceptionDetails").toString());
                    }
                } catch (IOException e) {
                    exceptions.add("unreadable DevTools message: " + text);
                }
            }
            webSocket.request(1);
            return null;
        }
    }
}
