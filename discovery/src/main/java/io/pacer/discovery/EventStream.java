package io.pacer.discovery;

import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaders;
import io.pacer.config.PacerConfig;
import java.net.URI;
import java.time.Duration;
import java.util.concurrent.CancellationException;
import java.util.concurrent.Future;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.LongAdder;
import org.asynchttpclient.AsyncHandler;
import org.asynchttpclient.HttpResponseBodyPart;
import org.asynchttpclient.HttpResponseStatus;
import org.asynchttpclient.ListenableFuture;
import org.asynchttpclient.RequestBuilder;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Follows Marathon's {@code GET /v2/events} (with {@code Accept: text/event-stream}, which Marathon
 * insists on), read as it arrives into an {@link SseParser}, and hands each event to a
 * {@link Listener}.
 *
 * <ul>
 *   <li>A redirect (a standby sends its leader's address) is followed here with the same
 *   credentials; at most {@link MarathonSettings#maxRedirects()} hops.</li>
 *   <li>A stream that ends or fails is reopened after a backoff with jitter (doubling from
 *   {@code reconnectMin} to {@code reconnectMax}, back to the minimum after a stream that
 *   delivered data); one silent for {@code streamWatchdog} (heartbeats count) is dropped and
 *   reopened.</li>
 * </ul>
 *
 * <p>Threading: state lives on the discovery loop. The client's I/O thread only splits bytes into
 * events, each posted to the loop; callbacks of a stream that has since been replaced find it
 * stale and are dropped.
 */
final class EventStream {

    static final String EVENTS_PATH = "/v2/events";
    static final String EVENT_STREAM = "text/event-stream";

    private static final Logger log = LoggerFactory.getLogger(EventStream.class);

    /** What the stream tells its owner; called on the discovery loop. */
    interface Listener {
        /** A stream answered 200: the subscription is live (what happened meanwhile is only in /v2/apps). */
        void opened(String shownUrl);

        /**
         * One event.
         *
         * @param first whether it is this stream's first event (Marathon's own attachment notice)
         */
        void event(String type, String data, boolean first, String shownUrl);

        /** An event too large to read was skipped. */
        void oversized(long bytes, String shownUrl);
    }

    private final MarathonClient client;
    private final DiscoveryLoop loop;
    private final MarathonSettings settings;
    private final Listener listener;

    private volatile Stream stream;
    private long streamIds;
    private long reconnectDelayNanos;
    private Future<?> reconnect;
    private String lastProblem;
    private final LongAdder opened = new LongAdder();
    private final Counters failures = new Counters();

    EventStream(MarathonClient client, DiscoveryLoop loop, MarathonSettings settings, Listener listener) {
        this.client = client;
        this.loop = loop;
        this.settings = settings;
        this.listener = listener;
        this.reconnectDelayNanos = settings.reconnectMin().toNanos();
    }

    /** Drops the stream in use, if any, and opens one on {@code endpoint} now; on the loop. */
    void openOn(MarathonEndpoint endpoint) {
        Stream s = stream;
        stream = null;
        if (s != null) {
            s.cancel();
        }
        DiscoveryLoop.cancel(reconnect);
        reconnectDelayNanos = settings.reconnectMin().toNanos();
        open(endpoint);
    }

    /** Whether a stream is open (answered 200) now. Any thread. */
    boolean connected() {
        Stream s = stream;
        return s != null && s.connected;
    }

    /** Where the open stream goes, credentials masked; {@code null} when none is open. */
    String shownUrl() {
        Stream s = stream;
        return s != null && s.connected ? s.shownUrl() : null;
    }

    long streamsOpened() {
        return opened.sum();
    }

    Counters failures() {
        return failures;
    }

    /** Drops a stream silent for longer than the watchdog allows; on the loop, periodically. */
    void watchdog() {
        Stream s = stream;
        if (s == null || loop.closed()) {
            return;
        }
        long silentNanos = System.nanoTime() - s.lastActivity;
        if (silentNanos > settings.streamWatchdog().toNanos()) {
            down(s, "watchdog", "silent for " + TimeUnit.NANOSECONDS.toMillis(silentNanos)
                    + " ms (stream_watchdog " + settings.streamWatchdog().toMillis() + " ms)");
        }
    }

    /** Cancels the stream; on the loop, when closing. */
    void close() {
        Stream s = stream;
        stream = null;
        DiscoveryLoop.cancel(reconnect);
        if (s != null) {
            s.cancel();
        }
    }

    private void open(MarathonEndpoint endpoint) {
        reconnect = null;
        if (loop.closed() || stream != null) {
            return;
        }
        Stream s = new Stream(++streamIds, endpoint);
        stream = s;
        opened.increment();
        s.connect(endpoint.base + EVENTS_PATH);
    }

    private void answered(Stream s) {
        if (s != stream || loop.closed()) {
            return;
        }
        s.connected = true;
        if (lastProblem != null) {
            log.info("Event stream from {} open again", s.shownUrl());
            lastProblem = null;
        } else {
            log.info("Event stream from {} open", s.shownUrl());
        }
        listener.opened(s.shownUrl());
    }

    private void event(Stream s, String type, String data) {
        if (s != stream || loop.closed()) {
            return;
        }
        boolean first = !s.sawEvent;
        s.sawEvent = true;
        listener.event(type, data, first, s.shownUrl());
    }

    private void oversized(Stream s, long bytes) {
        if (s != stream || loop.closed()) {
            return;
        }
        listener.oversized(bytes, s.shownUrl());
    }

    private void ended(Stream s, Outcome outcome) {
        if (s != stream || loop.closed()) {
            return;
        }
        s.connected = false;
        if (outcome.location != null) {
            follow(s, outcome.location);
            return;
        }
        down(s, outcome.cause, outcome.message);
    }

    /** Follows a redirect ourselves: the HTTP client would drop the credentials on another host. */
    private void follow(Stream s, String location) {
        MarathonClient.Redirect next = MarathonClient.redirect(s.url, location, s.hops, settings.maxRedirects());
        if (next.refusal() != null) {
            down(s, "redirects", next.refusal());
            return;
        }
        s.hops++;
        log.info("Event stream from {} redirects to {} (the leader, if that was a standby); following with the"
                + " same credentials", s.shownUrl(), PacerConfig.masked(next.target()));
        s.connect(next.target().toString());
    }

    private void down(Stream s, String cause, String message) {
        failures.increment(cause);
        stream = null;
        s.cancel();
        long delay = nextReconnectDelay(s.delivered);
        // Rate-limited by cause: the message of a repeating failure often differs in a number.
        if ("closed".equals(cause)) {
            log.info("Marathon closed the event stream from {}; reopening in {} ms", s.shownUrl(),
                    TimeUnit.NANOSECONDS.toMillis(delay));
        } else if (!cause.equals(lastProblem)) {
            log.warn("Event stream from {} failed: {}; reopening in {} ms (retrying quietly while this lasts)",
                    s.shownUrl(), message, TimeUnit.NANOSECONDS.toMillis(delay));
        } else {
            log.debug("Event stream from {} failed again: {}", s.shownUrl(), message);
        }
        lastProblem = "closed".equals(cause) ? lastProblem : cause;
        DiscoveryLoop.cancel(reconnect);
        MarathonEndpoint endpoint = s.endpoint;
        reconnect = loop.schedule(() -> open(endpoint), delay);
    }

    private long nextReconnectDelay(boolean deliveredData) {
        if (deliveredData) {
            reconnectDelayNanos = settings.reconnectMin().toNanos();
        }
        long delay = jitter(reconnectDelayNanos);
        reconnectDelayNanos = Math.min(reconnectDelayNanos * 2, settings.reconnectMax().toNanos());
        return delay;
    }

    /** Between half and all of {@code nanos}, so that many proxies do not reconnect in step. */
    static long jitter(long nanos) {
        return nanos / 2 + ThreadLocalRandom.current().nextLong(nanos / 2 + 1);
    }

    /** How one hop of a stream ended: a redirect to follow, or a cause and message. */
    private record Outcome(String location, String cause, String message) {
        static Outcome redirect(String location) {
            return new Outcome(location, null, null);
        }

        static Outcome failed(String cause, String message) {
            return new Outcome(null, cause, message);
        }
    }

    /** One event stream, across the redirects of one attempt. */
    private final class Stream {
        final long id;
        final MarathonEndpoint endpoint;
        volatile String url;
        volatile long lastActivity;
        volatile boolean connected;
        volatile boolean delivered;
        volatile boolean cancelled;
        volatile ListenableFuture<Void> future;
        int hops;
        boolean sawEvent;

        Stream(long id, MarathonEndpoint endpoint) {
            this.id = id;
            this.endpoint = endpoint;
        }

        String shownUrl() {
            return PacerConfig.masked(URI.create(url));
        }

        void touch() {
            lastActivity = System.nanoTime();
        }

        /** Sends one hop's request; on the loop. */
        void connect(String target) {
            url = target;
            touch();
            // No timeouts of the client's own: the stream lives until it ends, and the watchdog
            // decides when it has been silent too long.
            RequestBuilder request = MarathonClient.get(endpoint, target, Duration.ofMillis(-1))
                    .setHeader(HttpHeaderNames.ACCEPT, EVENT_STREAM);
            StreamHandler handler = new StreamHandler(this);
            try {
                future = client.execute(request, handler);
            } catch (RuntimeException e) {
                handler.finish(Outcome.failed("io", MarathonClient.describe(e)));
            }
        }

        /** Drops the stream; its handler's later callbacks find it stale. */
        void cancel() {
            cancelled = true;
            ListenableFuture<Void> f = future;
            if (f != null && !f.isDone()) {
                f.cancel(true);
            }
        }

        @Override
        public String toString() {
            return "stream#" + id;
        }
    }

    /**
     * Reads one hop of a stream on the HTTP client's I/O thread: splits it into events and hands
     * each to the loop. Nothing heavy happens here.
     */
    private final class StreamHandler implements AsyncHandler<Void>, SseParser.Listener {
        private final Stream stream;
        private final SseParser parser = new SseParser(this);
        private final AtomicBoolean ended = new AtomicBoolean();
        private int status;

        StreamHandler(Stream stream) {
            this.stream = stream;
        }

        @Override
        public State onStatusReceived(HttpResponseStatus responseStatus) {
            if (stream.cancelled) {
                return State.ABORT;
            }
            status = responseStatus.getStatusCode();
            stream.touch();
            return State.CONTINUE;
        }

        @Override
        public State onHeadersReceived(HttpHeaders headers) {
            if (stream.cancelled) {
                return State.ABORT;
            }
            if (status == 200) {
                loop.post(() -> answered(stream));
                return State.CONTINUE;
            }
            if (status == 301 || status == 302 || status == 303 || status == 307 || status == 308) {
                String location = headers.get(HttpHeaderNames.LOCATION);
                finish(location == null || location.isBlank()
                        ? Outcome.failed("redirects", "HTTP " + status + " without a Location")
                        : Outcome.redirect(location));
                return State.ABORT;
            }
            finish(Outcome.failed("http_" + status, "HTTP " + status
                    + (status == 405 ? " (Marathon wants Accept: " + EVENT_STREAM + ")" : "")));
            return State.ABORT;
        }

        @Override
        public State onBodyPartReceived(HttpResponseBodyPart part) {
            if (stream.cancelled) {
                return State.ABORT;
            }
            stream.touch();
            if (part.length() > 0) {
                stream.delivered = true;
                parser.feed(part.getBodyPartBytes());
            }
            return State.CONTINUE;
        }

        @Override
        public void onThrowable(Throwable t) {
            Throwable cause = MarathonClient.unwrap(t);
            if (cause instanceof CancellationException) {
                finish(Outcome.failed("cancelled", "cancelled"));
            } else {
                finish(Outcome.failed(MarathonClient.failureCause(cause), MarathonClient.describe(cause)));
            }
        }

        @Override
        public Void onCompleted() {
            parser.end();
            finish(Outcome.failed("closed", "closed by Marathon"));
            return null;
        }

        @Override
        public void onEvent(String type, String data) {
            loop.post(() -> event(stream, type, data));
        }

        @Override
        public void onOversizedEvent(long bytes) {
            loop.post(() -> oversized(stream, bytes));
        }

        void finish(Outcome outcome) {
            if (ended.compareAndSet(false, true)) {
                loop.post(() -> ended(stream, outcome));
            }
        }
    }
}
