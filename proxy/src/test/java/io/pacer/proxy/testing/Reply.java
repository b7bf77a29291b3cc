package io.pacer.proxy.testing;

import io.netty.handler.codec.http.DefaultHttpHeadersFactory;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaders;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Map;
import java.util.Objects;

/**
 * What a {@link TestUpstream} answers to one request. Immutable: every method returns a new reply,
 * so a reply can be kept in a constant and returned for many requests.
 *
 * <p>The upstream adds {@code X-Upstream: <name>} and, unless the reply sets framing headers itself,
 * {@code Content-Length} (or {@code Transfer-Encoding: chunked} for chunked replies). Headers are not
 * validated, so a reply can carry a wrong {@code Content-Length} on purpose: with
 * {@link #closeAfter()}, {@code Reply.ok("short").header("Content-Length", 100).closeAfter()} is a
 * response cut short.
 */
public final class Reply {

    enum Action { RESPOND, ABORT, HANG, DISCONNECT }

    static final int DEFAULT_CHUNK_SIZE = 8192;

    private final Action action;
    private final int status;
    private final String reason;
    private final HttpHeaders headers;
    private final byte[] body;
    private final long generatedLength;
    private final int chunkSize;
    private final HttpHeaders trailers;
    private final Duration delay;
    private final boolean closeAfter;

    private Reply(Action action, int status, String reason, HttpHeaders headers, byte[] body, long generatedLength,
                  int chunkSize, HttpHeaders trailers, Duration delay, boolean closeAfter) {
        this.action = action;
        this.status = status;
        this.reason = reason;
        this.headers = headers;
        this.body = body;
        this.generatedLength = generatedLength;
        this.chunkSize = chunkSize;
        this.trailers = trailers;
        this.delay = delay;
        this.closeAfter = closeAfter;
    }

    private static Reply respond(int status, byte[] body) {
        if (status < 100 || status > 999) {
            throw new IllegalArgumentException("status " + status);
        }
        return new Reply(Action.RESPOND, status, null, newHeaders(), body.clone(), -1, 0, newHeaders(),
                Duration.ZERO, false);
    }

    private static Reply special(Action action) {
        return new Reply(action, 0, null, newHeaders(), new byte[0], -1, 0, newHeaders(), Duration.ZERO, false);
    }

    static HttpHeaders newHeaders() {
        return DefaultHttpHeadersFactory.headersFactory().withValidation(false).newHeaders();
    }

    // ---- factories ----

    /** 200 with a UTF-8 text body. */
    public static Reply ok(String body) {
        return ok(body.getBytes(StandardCharsets.UTF_8))
                .header(HttpHeaderNames.CONTENT_TYPE.toString(), "text/plain; charset=utf-8");
    }

    /** 200 with a binary body. */
    public static Reply ok(byte[] body) {
        return respond(200, body);
    }

    /** {@code status} with an empty body. */
    public static Reply status(int status) {
        return respond(status, new byte[0]);
    }

    /** {@code status} with a UTF-8 text body. */
    public static Reply status(int status, String body) {
        return respond(status, body.getBytes(StandardCharsets.UTF_8))
                .header(HttpHeaderNames.CONTENT_TYPE.toString(), "text/plain; charset=utf-8");
    }

    /** 200 with {@code body} sent chunked, {@code chunkSize} bytes per chunk. */
    public static Reply chunked(byte[] body, int chunkSize) {
        return ok(body).chunkedBy(chunkSize);
    }

    /** 200 with {@code body} sent chunked, followed by {@code trailers}. */
    public static Reply withTrailers(byte[] body, int chunkSize, Map<String, String> trailers) {
        Reply reply = chunked(body, chunkSize);
        for (Map.Entry<String, String> e : trailers.entrySet()) {
            reply = reply.trailer(e.getKey(), e.getValue());
        }
        return reply;
    }

    /**
     * 200 with a {@code Content-Length} body of {@code length} bytes of {@link TestBodies}, generated
     * while it is sent (with back-pressure), so it can be far larger than the heap.
     */
    public static Reply download(long length) {
        if (length < 0) {
            throw new IllegalArgumentException("length " + length);
        }
        Reply r = status(200);
        return new Reply(Action.RESPOND, 200, null, r.headers, r.body, length, 0, r.trailers, Duration.ZERO, false)
                .header(HttpHeaderNames.CONTENT_TYPE.toString(), "application/octet-stream");
    }

    /** No response: the connection is reset (SO_LINGER 0, so the peer gets an RST). */
    public static Reply abort() {
        return special(Action.ABORT);
    }

    /** No response: the connection is closed normally (FIN). */
    public static Reply disconnect() {
        return special(Action.DISCONNECT);
    }

    /** No response ever; the connection stays open (later requests on it are not answered either). */
    public static Reply hang() {
        return special(Action.HANG);
    }

    // ---- modifiers ----

    /** Adds a header (a second call with the same name adds a second value). */
    public Reply header(String name, Object value) {
        requireResponse();
        HttpHeaders h = headers.copy();
        h.add(name, value);
        return new Reply(action, status, reason, h, body, generatedLength, chunkSize, trailers, delay, closeAfter);
    }

    /** Replaces the reason phrase of the status line. */
    public Reply reason(String phrase) {
        requireResponse();
        return new Reply(action, status, Objects.requireNonNull(phrase), headers, body, generatedLength, chunkSize,
                trailers, delay, closeAfter);
    }

    /** Sends the body with {@code Transfer-Encoding: chunked}, {@code size} bytes per chunk. */
    public Reply chunkedBy(int size) {
        requireResponse();
        if (size < 1) {
            throw new IllegalArgumentException("chunk size " + size);
        }
        if (generatedLength >= 0) {
            throw new IllegalStateException("a download reply is sent with Content-Length");
        }
        return new Reply(action, status, reason, headers, body, generatedLength, size, trailers, delay, closeAfter);
    }

    /** Adds a trailer; the reply becomes chunked if it was not. */
    public Reply trailer(String name, String value) {
        Reply r = chunkSize > 0 ? this : chunkedBy(DEFAULT_CHUNK_SIZE);
        HttpHeaders t = r.trailers.copy();
        t.add(name, value);
        return new Reply(r.action, r.status, r.reason, r.headers, r.body, r.generatedLength, r.chunkSize, t, r.delay,
                r.closeAfter);
    }

    /**
     * Answers (or aborts, disconnects) only {@code delay} after the request arrived. The wait is a
     * timer on the event loop: nothing sleeps, and other connections are served meanwhile.
     */
    public Reply delayed(Duration delay) {
        return new Reply(action, status, reason, headers, body, generatedLength, chunkSize, trailers,
                Objects.requireNonNull(delay), closeAfter);
    }

    /** Sends {@code Connection: close} and closes the connection once the response is written. */
    public Reply closeAfter() {
        requireResponse();
        return new Reply(action, status, reason, headers, body, generatedLength, chunkSize, trailers, delay, true);
    }

    private void requireResponse() {
        if (action != Action.RESPOND) {
            throw new IllegalStateException(action + " sends no response");
        }
    }

    // ---- read by TestUpstream ----

    Action action() {
        return action;
    }

    public int status() {
        return status;
    }

    String reasonPhrase() {
        return reason;
    }

    /** A copy of the headers set on this reply (without those the upstream adds). */
    public HttpHeaders headers() {
        return headers.copy();
    }

    /** A copy of the body; empty for {@link #download(long)} replies. */
    public byte[] body() {
        return body.clone();
    }

    byte[] bodyNoCopy() {
        return body;
    }

    long generatedLength() {
        return generatedLength;
    }

    int chunkSize() {
        return chunkSize;
    }

    HttpHeaders trailersNoCopy() {
        return trailers;
    }

    HttpHeaders headersNoCopy() {
        return headers;
    }

    Duration delay() {
        return delay;
    }

    boolean closeAfterResponse() {
        return closeAfter;
    }

    @Override
    public String toString() {
        if (action != Action.RESPOND) {
            return "Reply{" + action + (delay.isZero() ? "" : " after " + delay) + "}";
        }
        return "Reply{" + status + (generatedLength >= 0 ? " download " + generatedLength : " " + body.length)
                + " bytes" + (chunkSize > 0 ? " chunked by " + chunkSize : "") + (closeAfter ? " close" : "")
                + (delay.isZero() ? "" : " after " + delay) + "}";
    }
}
