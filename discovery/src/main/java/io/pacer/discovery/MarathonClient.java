package io.pacer.discovery;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.nio.NioEventLoopGroup;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.util.concurrent.DefaultThreadFactory;
import io.pacer.config.PacerConfig;
import java.io.IOException;
import java.net.ConnectException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Locale;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.asynchttpclient.AsyncHandler;
import org.asynchttpclient.AsyncHttpClient;
import org.asynchttpclient.DefaultAsyncHttpClientConfig;
import org.asynchttpclient.Dsl;
import org.asynchttpclient.ListenableFuture;
import org.asynchttpclient.RequestBuilder;
import org.asynchttpclient.Response;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Pacer's HTTP client for Marathon: one I/O thread, every call carrying its endpoint's
 * credentials, no automatic retries, and redirects never followed by the client (which would drop
 * the credentials on another host) but resolved here by {@link #redirect} for callers that follow
 * them. Also how failures are described in logs and status, so every part words them alike.
 */
final class MarathonClient implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(MarathonClient.class);
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final int EXCERPT_CHARS = 160;

    private final EventLoopGroup ioGroup;
    private final AsyncHttpClient http;

    MarathonClient(String threadName, Duration requestTimeout, Duration connectTimeout) {
        ioGroup = ioGroup(threadName);
        http = Dsl.asyncHttpClient(new DefaultAsyncHttpClientConfig.Builder()
                .setThreadPoolName(threadName + "-io")
                .setThreadFactory(new DefaultThreadFactory(threadName + "-timer", true))
                .setEventLoopGroup(ioGroup)
                // Redirects are followed by hand, credentials included; a failed call is not
                // silently repeated: the caller decides (and counts) retries.
                .setFollowRedirect(false)
                .setMaxRequestRetry(0)
                .setConnectTimeout(connectTimeout)
                .setRequestTimeout(requestTimeout)
                .setReadTimeout(requestTimeout)
                .setPooledConnectionIdleTimeout(Duration.ofSeconds(30))
                .setKeepAlive(true)
                .setUserAgent("pacer")
                .setShutdownQuietPeriod(Duration.ZERO)
                .setShutdownTimeout(Duration.ofSeconds(2))
                .build());
    }

    /**
     * The HTTP client's one I/O thread. Owned here rather than by the client, because a client
     * that owns its loop stops it before closing its connections, and Netty then logs an error for
     * each connection still open. The client recognizes only this (deprecated) class as NIO.
     */
    @SuppressWarnings("deprecation")
    private static EventLoopGroup ioGroup(String threadName) {
        return new NioEventLoopGroup(1, new DefaultThreadFactory(threadName + "-io", true));
    }

    /**
     * A GET of {@code url} carrying {@code endpoint}'s credentials; {@code timeout} bounds the
     * whole exchange (a negative one: no bound, for the event stream).
     */
    static RequestBuilder get(MarathonEndpoint endpoint, String url, Duration timeout) {
        RequestBuilder b = Dsl.get(url).setFollowRedirect(false).setRequestTimeout(timeout).setReadTimeout(timeout);
        if (endpoint.authorization != null) {
            b.setHeader(HttpHeaderNames.AUTHORIZATION, endpoint.authorization);
        }
        return b;
    }

    <T> ListenableFuture<T> execute(RequestBuilder request, AsyncHandler<T> handler) {
        return http.executeRequest(request, handler);
    }

    ListenableFuture<Response> execute(RequestBuilder request) {
        return http.executeRequest(request);
    }

    /**
     * Where a redirect from {@code from} to {@code location} leads, or why it is not followed:
     * not an absolute http(s) URL, or more than {@code maxHops} in a row.
     */
    static Redirect redirect(String from, String location, int hopsSoFar, int maxHops) {
        URI next;
        try {
            next = URI.create(from).resolve(location.strip());
        } catch (IllegalArgumentException e) {
            return Redirect.refused("redirect to an invalid Location " + excerpt(location));
        }
        String scheme = next.getScheme() == null ? "" : next.getScheme().toLowerCase(Locale.ROOT);
        if (!(scheme.equals("http") || scheme.equals("https")) || next.getHost() == null) {
            return Redirect.refused("redirect to a Location that is not an http(s) URL: " + excerpt(location));
        }
        if (hopsSoFar >= maxHops) {
            return Redirect.refused("more than " + maxHops + " redirects, the last to " + PacerConfig.masked(next));
        }
        return new Redirect(next, null);
    }

    /** A redirect's target, or why it is refused. */
    record Redirect(URI target, String refusal) {
        static Redirect refused(String why) {
            return new Redirect(null, why);
        }
    }

    static Throwable unwrap(Throwable t) {
        while ((t instanceof ExecutionException || t instanceof CompletionException) && t.getCause() != null) {
            t = t.getCause();
        }
        return t;
    }

    /** The cause a failed call is counted under. */
    static String failureCause(Throwable t) {
        if (t instanceof TimeoutException) {
            return "timeout";
        }
        if (t instanceof ConnectException) {
            return "connect";
        }
        return "io";
    }

    static String describe(Throwable t) {
        String message = t.getMessage();
        return t.getClass().getSimpleName() + (message == null || message.isBlank() ? "" : ": " + excerpt(message));
    }

    /** {@code ": <message>"} of an error answer (Marathon's {@code {"message": ...}} or the text), or "". */
    static String errorMessage(Response response) {
        try {
            return errorMessage(response.getResponseBodyAsBytes());
        } catch (RuntimeException e) {
            return "";
        }
    }

    static String errorMessage(byte[] bytes) {
        String body = bytes == null ? null : new String(bytes, StandardCharsets.UTF_8);
        if (body == null || body.isBlank()) {
            return "";
        }
        try {
            JsonNode node = JSON.readTree(body);
            if (node != null && node.isObject() && node.path("message").isTextual()) {
                return ": " + excerpt(node.get("message").textValue());
            }
        } catch (IOException e) {
            // Not JSON: show the text.
        }
        return ": " + excerpt(body);
    }

    static String excerpt(String text) {
        String flat = text.strip().replaceAll("\\s+", " ");
        return flat.length() <= EXCERPT_CHARS ? flat : flat.substring(0, EXCERPT_CHARS) + "...";
    }

    /** Closes the connections while the I/O thread still runs, then stops the thread. */
    @Override
    public void close() {
        try {
            http.close();
        } catch (IOException | RuntimeException e) {
            log.debug("Closing the Marathon HTTP client", e);
        }
        ioGroup.shutdownGracefully(0, 2, TimeUnit.SECONDS).awaitUninterruptibly(3, TimeUnit.SECONDS);
    }
}
