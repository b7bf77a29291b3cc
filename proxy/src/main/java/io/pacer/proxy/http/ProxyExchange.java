package io.pacer.proxy.http;

import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ConnectTimeoutException;
import io.netty.handler.codec.http.HttpContent;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http.LastHttpContent;
import io.netty.util.ReferenceCountUtil;
import io.netty.util.concurrent.Future;
import io.pacer.core.App;
import io.pacer.core.RetryCondition;
import io.pacer.core.RetryPolicy;
import io.pacer.core.Task;
import io.pacer.core.TaskPicker;
import io.pacer.core.TaskState;
import io.pacer.proxy.upstream.UpstreamConnection;
import io.pacer.proxy.upstream.UpstreamHealth;
import io.pacer.proxy.upstream.UpstreamListener;
import io.pacer.proxy.upstream.UpstreamPool;
import java.util.ArrayList;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One client request on its way through Pacer: its attempts at the app's tasks, the body kept for
 * replaying it, and the answer streamed back. Lives on the client connection's event loop, like
 * every upstream connection it uses, so its state needs no synchronisation.
 *
 * <p>Retries follow {@link RetryPolicy}: a failed attempt (connect error, timeout, invalid header,
 * a retryable status) moves to the next task unless the request may have reached an upstream and
 * cannot be replayed: its method is not idempotent, or its body outgrew the replay buffer. The last
 * attempt's answer, even a 5xx, is what the client gets. Which task each attempt goes to is the
 * {@link TaskPicker}'s choice; how each attempt went is told to {@link UpstreamHealth}, which
 * remembers failing tasks across requests.
 *
 * <p>When it ends, the exchange is its own {@link RequestRecord} for the {@link RequestObserver}:
 * what a record holds is here already, and a separate one would be an object more per request.
 */
final class ProxyExchange implements UpstreamListener, RequestRecord {

    private static final Logger log = LoggerFactory.getLogger(ProxyExchange.class);
    private static final io.netty.util.AsciiString STRICT_TRANSPORT_SECURITY =
            io.netty.util.AsciiString.cached("strict-transport-security");

    private final FrontendHandler frontend;
    private final RequestObserver observer;
    private final String clientIp;
    private final String uri;
    private final ChannelHandlerContext client;
    private final ProxySettings settings;
    private final UpstreamPool pool;
    private final HttpRequest upstreamRequest;
    private final boolean headRequest;
    private final boolean webSocket;
    private final boolean clientKeepAlive;
    private final HttpVersion clientVersion;
    private final App app;
    private final UpstreamHealth health;
    private final TaskPicker picker;
    private final long startedNanos;
    /** {@code PACER_STICKY}'s cookie name, and the task token the request's cookie carried. */
    private final String stickyCookie;
    private String stickyToken;

    /** The request has no body: its head is followed by the end marker alone. */
    private final boolean bodiless;
    /**
     * Body parts not yet written to the current attempt, and, while replayable, those written;
     * {@code null} until the first part arrives, and always for a bodiless request.
     */
    private ArrayList<HttpContent> body;
    private int written;
    private long bodyBytes;
    private boolean replayable = true;
    private boolean requestComplete;

    private int attempts;
    /** The one free retry on a fresh connection after a pooled one turned out to be dead. */
    private boolean staleConnectionRetried;
    private UpstreamConnection upstream;
    /** The task of the current attempt, counted in flight until {@link #endAttempt()}. */
    private TaskState attemptTask;
    private boolean headWritten;
    private boolean requestSent;
    private boolean responseStarted;
    private boolean responseKeepAlive;
    private boolean closeDelimited;
    private boolean upgrading;
    private boolean done;

    private long attemptStartedNanos;
    private long bytesOut;
    private int status;
    private boolean exhausted;
    private Task answeredBy;
    /** When the exchange ended, and whether its answer went out whole: for {@link RequestRecord}. */
    private long finishedNanos;
    private boolean complete;

    private long lastUpstreamNanos;
    private long lastClientReadNanos;
    private long clientBlockedSinceNanos;
    private long upstreamBlockedSinceNanos;

    ProxyExchange(FrontendHandler frontend, ChannelHandlerContext client, ProxySettings settings, UpstreamPool pool,
                  UpstreamHealth health, TaskPicker picker, RequestObserver observer, String clientIp,
                  HttpVersion clientVersion, String clientUri, HttpRequest upstreamRequest, boolean hasBody,
                  boolean webSocket, boolean clientKeepAlive, App app) {
        this.frontend = frontend;
        this.observer = observer;
        this.clientIp = clientIp;
        this.uri = clientUri;
        this.client = client;
        this.settings = settings;
        this.pool = pool;
        this.upstreamRequest = upstreamRequest;
        this.headRequest = HttpMethod.HEAD.equals(upstreamRequest.method());
        this.webSocket = webSocket;
        this.clientKeepAlive = clientKeepAlive;
        this.clientVersion = clientVersion;
        this.app = app;
        this.health = health;
        this.picker = picker;
        this.stickyCookie = app.options().stickyCookie();
        if (stickyCookie != null) {
            stickyToken = StickyCookie.value(upstreamRequest.headers(), stickyCookie);
            picker.prefer(stickyToken);
        }
        this.startedNanos = System.nanoTime();
        this.lastClientReadNanos = startedNanos;
        // A bodiless request is whole with its head: the upstream gets the end marker at once, and
        // the client decoder's own marker, which arrives later, is dropped.
        this.bodiless = !hasBody;
        this.requestComplete = bodiless;
    }

    void start() {
        frontend.checkTimeoutsAt(System.nanoTime() + checkPeriodNanos());
        // Take the first body part (or the end marker of a bodiless request) while connecting.
        client.read();
        startAttempt();
    }

    /** The next attempt, at a task this request has not tried yet. */
    private void startAttempt() {
        endAttempt();
        TaskState next = picker.next(System.nanoTime());
        if (next == null) {
            // The retry policy allows at most one attempt per task, so this is a safety net only.
            respondAndFinish(HttpResponseStatus.BAD_GATEWAY);
            return;
        }
        startAttempt(next);
    }

    // ---- attempts -------------------------------------------------------------------------

    private void startAttempt(TaskState task) {
        headWritten = false;
        requestSent = false;
        written = 0;
        upstreamBlockedSinceNanos = 0;
        attempts++;
        attemptStartedNanos = System.nanoTime();
        attemptTask = task;
        task.attemptStarted();
        UpstreamConnection idle = pool.pollIdle(task.task());
        if (idle != null) {
            onConnection(idle);
            return;
        }
        Future<UpstreamConnection> connected = pool.connect(task.task(), settings.connectTimeoutMillis(app.options()));
        if (connected.isDone()) {
            onConnected(connected);
        } else {
            connected.addListener(f -> onConnected(connected));
        }
    }

    private void onConnected(Future<UpstreamConnection> connected) {
        if (!connected.isSuccess()) {
            if (!done) {
                Throwable cause = connected.cause();
                onAttemptFailed(cause instanceof ConnectTimeoutException ? RetryCondition.TIMEOUT : RetryCondition.ERROR,
                        cause);
            }
            return;
        }
        onConnection(connected.getNow());
    }

    private void onConnection(UpstreamConnection conn) {
        if (done) {
            pool.release(conn, true);
            return;
        }
        upstream = conn;
        conn.bind(this, headRequest);
        Channel ch = conn.channel();
        lastUpstreamNanos = System.nanoTime();
        requestSent = true;
        headWritten = true;
        // Void promises: a failed write reaches UpstreamConnection.exceptionCaught, which ends the attempt.
        ch.write(upstreamRequest, ch.voidPromise());
        writeBody();
        readClientIfReady();
    }

    /**
     * Writes the body parts the current attempt has not had yet, then flushes. A bodiless request
     * comes here once per attempt, right after its head, for its end marker: a shared constant,
     * written without a list to keep it in.
     */
    private void writeBody() {
        UpstreamConnection conn = upstream;
        Channel ch = conn.channel();
        if (bodiless) {
            ch.write(LastHttpContent.EMPTY_LAST_CONTENT, ch.voidPromise());
        } else if (body != null) {
            int size = body.size();
            for (int i = written; i < size; i++) {
                HttpContent part = body.get(i);
                ch.write(replayable ? part.retainedDuplicate() : part, ch.voidPromise());
            }
            if (replayable) {
                written = size;
            } else {
                body.clear();
                written = 0;
            }
        }
        if (requestComplete) {
            lastUpstreamNanos = System.nanoTime(); // the read timeout runs from the end of the request
        }
        ch.flush();
    }

    /** Whether the current attempt has had every body part received so far. */
    private boolean bodyWritten() {
        return body == null || written == body.size();
    }

    // The app's own values where its labels set them, else the configuration's: read where needed
    // rather than copied into fields, since each field is paid for by every request.

    private RetryPolicy retryPolicy() {
        return settings.retryPolicy(app.options());
    }

    private long readTimeoutNanos() {
        return settings.readTimeoutNanos(app.options());
    }

    private boolean canRetry(RetryCondition condition) {
        return (!requestSent || replayable)
                && retryPolicy().allowsRetry(condition, method(), requestSent, attempts, app.tasks().size(),
                System.nanoTime() - startedNanos);
    }

    private void onAttemptFailed(RetryCondition condition, Throwable cause) {
        UpstreamConnection failed = upstream;
        upstream = null;
        headWritten = false;
        if (failed != null) {
            failed.close();
        }
        if (responseStarted) {
            abort("upstream failed mid-response: " + condition, cause);
            return;
        }
        TaskState failedTask = attemptTask;
        endAttempt();
        if (condition == RetryCondition.ERROR && failed != null && failed.reused() && !staleConnectionRetried
                && (!requestSent || (replayable && RetryPolicy.isIdempotent(method())))) {
            // A pooled connection the task closed while it sat idle says nothing about the task:
            // like Nginx, try the same task again on another connection, without counting an attempt.
            staleConnectionRetried = true;
            attempts--;
            startAttempt(failedTask);
            return;
        }
        health.failed(app, failedTask, condition, retryPolicy());
        String task = failedTask.task().address();
        if (canRetry(condition)) {
            log.debug("{} {}: attempt {} at {} failed ({}), trying the next task", method(), app.id(), attempts, task,
                    condition, cause);
            observer.retried(app.id(), condition);
            startAttempt();
            return;
        }
        exhausted = retryPolicy().retries(condition);
        log.debug("{} {}: attempt {} at {} failed ({}), no retry", method(), app.id(), attempts, task, condition, cause);
        HttpResponseStatus status = condition == RetryCondition.TIMEOUT
                ? HttpResponseStatus.GATEWAY_TIMEOUT : HttpResponseStatus.BAD_GATEWAY;
        respondAndFinish(status);
    }

    // ---- request body from the client ------------------------------------------------------

    /** Takes ownership of {@code content}. */
    void onRequestContent(HttpContent content) {
        if (done || requestComplete) {
            content.release();
            return;
        }
        lastClientReadNanos = System.nanoTime();
        bodyBytes += content.content().readableBytes();
        if (bodyBytes > settings.maxBodySize(app.options())) {
            content.release();
            if (upstream != null) {
                upstream.close();
                upstream = null;
            }
            if (responseStarted) {
                abort("request body over max_body_size", null);
            } else {
                respondAndFinish(HttpResponseStatus.REQUEST_ENTITY_TOO_LARGE);
            }
            return;
        }
        if (content instanceof LastHttpContent) {
            requestComplete = true;
        }
        if (body == null) {
            body = new ArrayList<>(4);
        }
        if (replayable && bodyBytes > settings.replayBufferSize) {
            // Too big to keep: parts already sent are let go, and this request will not be retried
            // once any of it reached an upstream.
            replayable = false;
            for (int i = 0; i < written; i++) {
                body.get(i).release();
            }
            body.subList(0, written).clear();
            written = 0;
        }
        body.add(content);
        if (headWritten && upstream != null) {
            writeBody();
        }
        readClientIfReady();
    }

    void readClientIfReady() {
        if (!done && !requestComplete && headWritten && upstream != null && upstream.channel().isWritable()) {
            client.read();
        }
    }

    @Override
    public void onUpstreamWritabilityChanged() {
        if (upstream != null && !upstream.channel().isWritable()) {
            upstreamBlockedSinceNanos = System.nanoTime();
        } else {
            upstreamBlockedSinceNanos = 0;
            lastUpstreamNanos = System.nanoTime();
        }
        readClientIfReady();
    }

    // ---- response from the upstream --------------------------------------------------------

    @Override
    public void onResponseHead(HttpResponse response) {
        lastUpstreamNanos = System.nanoTime();
        if (done) {
            return;
        }
        if (response.decoderResult().isFailure()) {
            onAttemptFailed(RetryCondition.INVALID_HEADER, response.decoderResult().cause());
            return;
        }
        int code = response.status().code();
        if (code >= 100 && code < 200 && !(code == 101 && webSocket)) {
            return; // informational: Pacer already answered any 100-continue itself
        }
        RetryCondition condition = RetryCondition.ofStatus(code);
        if (condition != null && canRetry(condition)) {
            onAttemptFailed(condition, null);
            return;
        }
        health.answered(app, attemptTask, condition, retryPolicy()); // a failure even when it is the client's answer
        exhausted = condition != null && retryPolicy().retries(condition);
        responseStarted = true;
        status = code;
        answeredBy = upstream.task();
        responseKeepAlive = HttpUtil.isKeepAlive(response);
        upgrading = code == 101;
        if (stickyCookie != null) {
            String token = TaskPicker.stickyToken(answeredBy);
            if (!token.equals(stickyToken)) {
                StickyCookie.set(response.headers(), stickyCookie, token);
            }
        }
        closeDelimited = ProxyHeaders.toClient(response, headRequest, clientVersion,
                clientKeepAlive && requestComplete && !frontend.draining(), settings.xproxy);
        String hsts = app.https().strictTransportSecurity();
        if (hsts != null && frontend.secure()) {
            // Over TLS only: RFC 6797 has browsers ignore it over plain HTTP anyway.
            response.headers().set(STRICT_TRANSPORT_SECURITY, hsts);
        }
        client.write(response, client.voidPromise());
    }

    @Override
    public void onResponseContent(HttpContent content) {
        lastUpstreamNanos = System.nanoTime();
        if (done || !responseStarted) {
            content.release(); // the body of an answer that was discarded or informational
            return;
        }
        boolean last = content instanceof LastHttpContent;
        if (upgrading) {
            content.release();
            if (last) {
                establishTunnel();
            }
            return;
        }
        bytesOut += content.content().readableBytes();
        client.write(content, client.voidPromise());
        if (last) {
            finishResponse();
        } else if (!client.channel().isWritable()) {
            pauseUpstream();
        }
    }

    @Override
    public void onTunnelBytes(Object bytes) {
        ReferenceCountUtil.release(bytes); // handled once the tunnel is up; nothing precedes it
    }

    @Override
    public void onUpstreamReadComplete() {
        if (responseStarted && !done) {
            client.flush();
        }
    }

    @Override
    public void onUpstreamClosed(UpstreamConnection connection, Throwable cause) {
        if (done || connection != upstream) {
            return; // an attempt this exchange has already left
        }
        if (responseStarted) {
            abort("upstream closed mid-response", cause);
        } else {
            onAttemptFailed(RetryCondition.ERROR, cause);
        }
    }

    private void finishResponse() {
        done = true;
        endAttempt();
        UpstreamConnection conn = upstream;
        upstream = null;
        if (conn != null) {
            boolean reusable = responseKeepAlive && requestComplete && bodyWritten() && !closeDelimited
                    && !conn.hasLeftoverBytes();
            pool.release(conn, reusable);
        }
        releaseBody();
        client.flush();
        observe(true);
        frontend.exchangeFinished(this, clientKeepAlive && requestComplete && !closeDelimited && !frontend.draining());
    }

    /** Tells the observer how the exchange ended; called once, when it is done. */
    private void observe(boolean complete) {
        this.finishedNanos = System.nanoTime();
        this.complete = complete;
        observer.requestFinished(this);
    }

    private void pauseUpstream() {
        if (upstream != null) {
            upstream.channel().config().setAutoRead(false);
            clientBlockedSinceNanos = System.nanoTime();
        }
    }

    /** The client drained its buffer: let the upstream's bytes flow again. */
    void onClientWritabilityChanged() {
        if (client.channel().isWritable() && upstream != null && !done) {
            clientBlockedSinceNanos = 0;
            lastUpstreamNanos = System.nanoTime();
            upstream.channel().config().setAutoRead(true);
        }
    }

    private void establishTunnel() {
        done = true;
        endAttempt(); // a tunnel is a connection, no longer a request in flight
        UpstreamConnection conn = upstream;
        upstream = null;
        releaseBody();
        conn.unbind();
        client.flush();
        observe(true);
        frontend.exchangeFinished(this, false, conn.channel());
    }

    // ---- ending ------------------------------------------------------------------------------

    /** The client went away: give up, and do not pool a connection that is mid-exchange. */
    void onClientClosed() {
        if (done) {
            return;
        }
        stopMidExchange();
        if (!responseStarted) {
            status = 499; // Nginx's code for a client that closed before its answer
        }
        observe(false);
    }

    /** Ends the exchange where it stands: the upstream connection, if any, is closed, not pooled. */
    private void stopMidExchange() {
        done = true;
        endAttempt();
        if (upstream != null) {
            upstream.close();
            upstream = null;
        }
        releaseBody();
    }

    private void respondAndFinish(HttpResponseStatus answer) {
        done = true;
        endAttempt();
        releaseBody();
        status = answer.code();
        answeredBy = null;
        observe(true);
        frontend.respondAfterExchange(this, answer, clientKeepAlive && requestComplete && !frontend.draining(),
                headRequest);
    }

    /**
     * Ends a response that already started by closing the client connection, so the client sees a
     * truncated body as an error rather than as a complete answer.
     */
    private void abort(String why, Throwable cause) {
        log.debug("{} {}: {}", method(), app.id(), why, cause);
        stopMidExchange();
        observe(false);
        frontend.abortExchange(this);
    }

    /** The current attempt is over: its task has one request less in flight. Safe to call twice. */
    private void endAttempt() {
        TaskState task = attemptTask;
        if (task != null) {
            attemptTask = null;
            task.attemptEnded();
        }
    }

    private void releaseBody() {
        if (body != null) {
            for (int i = 0; i < body.size(); i++) { // by index: an iterator would be one more object per request
                body.get(i).release();
            }
            body.clear();
        }
        written = 0;
    }

    // ---- timeouts ------------------------------------------------------------------------------

    /** How often timeouts are checked: a few times per shortest timeout. */
    private long checkPeriodNanos() {
        long shortest = Math.min(readTimeoutNanos(), Math.min(settings.sendTimeoutNanos, settings.clientBodyTimeoutNanos));
        return Math.max(shortest / 4, TimeUnit.MILLISECONDS.toNanos(10));
    }

    /**
     * Called by the connection's timer a few times per timeout period; returns when to be called
     * again, or 0 once the exchange is over. Nginx semantics: the read timeout is between two reads
     * from the upstream, the send timeouts between two writes that make progress; a client stalling
     * a download is measured against {@code send_timeout}, not the upstream's read timeout.
     */
    long checkTimeouts(long now) {
        if (done) {
            return 0;
        }
        if (!requestComplete && now - lastClientReadNanos > settings.clientBodyTimeoutNanos
                && (upstream == null || upstream.channel().isWritable())) {
            if (responseStarted) {
                abort("client body timeout", null);
            } else {
                if (upstream != null) {
                    upstream.close();
                    upstream = null;
                }
                respondAndFinish(HttpResponseStatus.REQUEST_TIMEOUT);
            }
            return 0;
        }
        if (clientBlockedSinceNanos != 0 && now - clientBlockedSinceNanos > settings.sendTimeoutNanos) {
            abort("client send timeout", null);
            return 0;
        }
        if (upstream != null && headWritten && clientBlockedSinceNanos == 0) {
            // While the client still sends its body, a silent upstream is waiting for it: only a
            // stalled write counts against the upstream then, and the client has its own timeout.
            boolean timedOut = upstreamBlockedSinceNanos != 0
                    ? now - upstreamBlockedSinceNanos > settings.sendTimeoutNanos
                    : requestComplete && now - lastUpstreamNanos > readTimeoutNanos();
            if (timedOut) {
                onAttemptFailed(RetryCondition.TIMEOUT, null);
                if (done) {
                    return 0;
                }
            }
        }
        return now + checkPeriodNanos();
    }

    // ---- the record of the ended exchange, for the observer ------------------------------------

    @Override
    public String clientIp() {
        return clientIp;
    }

    /** The request's method: the upstream request's, which Pacer never changes. */
    @Override
    public String method() {
        return upstreamRequest.method().name();
    }

    @Override
    public String uri() {
        return uri;
    }

    @Override
    public int status() {
        return status;
    }

    @Override
    public long bytesIn() {
        return bodyBytes;
    }

    @Override
    public long bytesOut() {
        return bytesOut;
    }

    @Override
    public long totalNanos() {
        return finishedNanos - startedNanos;
    }

    @Override
    public long upstreamNanos() {
        return answeredBy == null ? 0 : finishedNanos - attemptStartedNanos;
    }

    @Override
    public String appId() {
        return app.id();
    }

    @Override
    public Task task() {
        return answeredBy;
    }

    @Override
    public int attempts() {
        return attempts;
    }

    @Override
    public boolean exhausted() {
        return exhausted;
    }

    @Override
    public boolean complete() {
        return complete;
    }

    @Override
    public String toString() {
        return method() + " " + upstreamRequest.uri() + " -> " + app.id() + " attempt " + attempts;
    }
}
