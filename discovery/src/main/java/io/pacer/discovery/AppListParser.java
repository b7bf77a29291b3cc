package io.pacer.discovery;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.core.async.ByteArrayFeeder;
import com.fasterxml.jackson.databind.util.TokenBuffer;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * Reads {@code {"apps": [...]}} as it arrives, chunk by chunk, with Jackson's non-blocking parser:
 * each app's tokens are gathered until its closing brace, then read by {@link AppReader} into a
 * {@link MarathonApp} and dropped. So the body is never held whole, nor any tree of it: only the
 * tokens of the app being read (a few KB) and the compact model built so far.
 *
 * <p>The rules are {@link MarathonApps#parse}'s: a body that is not an app list at all (empty, not
 * JSON, an error answer, cut short, trailing text) fails; one app that cannot be read is skipped
 * with a warning. Fields other than {@code apps} are skipped, except {@code message}, kept to say
 * what Marathon answered instead.
 *
 * <p>Not thread-safe: one body, fed from one thread at a time (the HTTP client's I/O thread).
 */
final class AppListParser {

    private static final JsonFactory FACTORY = new JsonFactory();
    /** The body's first bytes are kept to quote in an error. */
    private static final int HEAD_BYTES = 200;

    private enum State { BEFORE_ROOT, ROOT, ROOT_VALUE, APPS, AFTER_ROOT }

    private final JsonParser parser;
    private final ByteArrayFeeder feeder;
    private final List<MarathonApp> apps = new ArrayList<>();
    private final byte[] head = new byte[HEAD_BYTES];
    private int headLength;
    private long bytes;
    private State state = State.BEFORE_ROOT;
    private String field;
    private String message;
    private boolean sawApps;
    private int skipDepth;
    private TokenBuffer app;
    private int appDepth;
    private int index;
    private MarathonFormatException problem;

    AppListParser() {
        try {
            parser = FACTORY.createNonBlockingByteArrayParser();
        } catch (IOException e) {
            throw new IllegalStateException("Jackson has no non-blocking parser", e);
        }
        feeder = (ByteArrayFeeder) parser.getNonBlockingInputFeeder();
    }

    /** Reads one more chunk; after a problem, chunks are ignored (see {@link #failed()}). */
    void feed(byte[] chunk, int offset, int length) {
        if (problem != null || length == 0) {
            return;
        }
        if (headLength < HEAD_BYTES) {
            int n = Math.min(HEAD_BYTES - headLength, length);
            System.arraycopy(chunk, offset, head, headLength, n);
            headLength += n;
        }
        bytes += length;
        try {
            feeder.feedInput(chunk, offset, offset + length);
            drain();
        } catch (JsonProcessingException e) {
            notJson(e);
        } catch (IOException e) {
            problem = new MarathonFormatException("unreadable body: " + e.getMessage(), e);
        }
    }

    /** Whether the body is already known to be no app list. */
    boolean failed() {
        return problem != null;
    }

    long bytes() {
        return bytes;
    }

    /**
     * The apps, once the whole body was fed.
     *
     * @throws MarathonFormatException when it was not an app list
     */
    List<MarathonApp> finish() throws MarathonFormatException {
        if (problem == null) {
            try {
                feeder.endOfInput();
                drain();
            } catch (JsonProcessingException e) {
                notJson(e);
            } catch (IOException e) {
                problem = new MarathonFormatException("unreadable body: " + e.getMessage(), e);
            }
        }
        if (problem != null) {
            throw problem;
        }
        if (state == State.BEFORE_ROOT) {
            throw new MarathonFormatException(bytes == 0 ? "empty body where Marathon's app list was expected"
                    : "blank body where Marathon's app list was expected");
        }
        if (state != State.AFTER_ROOT) {
            throw new MarathonFormatException("not valid JSON (the body ends in the middle): " + head());
        }
        if (!sawApps) {
            if (message != null) {
                throw new MarathonFormatException("Marathon answered an error instead of apps: "
                        + MarathonApps.excerpt(message));
            }
            throw new MarathonFormatException("expected a JSON object with an \"apps\" array, got " + head());
        }
        List<MarathonApp> out = List.copyOf(apps);
        // The handler holding this parser may outlive the sync (see AppListDownload.Apps).
        apps.clear();
        return out;
    }

    private void drain() throws IOException {
        JsonToken t;
        while (problem == null && (t = parser.nextToken()) != null && t != JsonToken.NOT_AVAILABLE) {
            token(t);
        }
    }

    private void token(JsonToken t) throws IOException {
        if (app != null) {
            app.copyCurrentEvent(parser);
            if (t.isStructStart()) {
                appDepth++;
            } else if (t.isStructEnd() && --appDepth == 0) {
                TokenBuffer done = app;
                app = null;
                MarathonApp parsed;
                try (JsonParser p = done.asParser()) {
                    p.nextToken();
                    parsed = AppReader.read(p, index++);
                }
                if (parsed != null) {
                    apps.add(parsed);
                }
            }
            return;
        }
        if (skipDepth > 0) {
            if (t.isStructStart()) {
                skipDepth++;
            } else if (t.isStructEnd()) {
                skipDepth--;
            }
            return;
        }
        switch (state) {
            case BEFORE_ROOT:
                if (t != JsonToken.START_OBJECT) {
                    fail("expected a JSON object with an \"apps\" array, got " + head());
                    return;
                }
                state = State.ROOT;
                return;
            case ROOT:
                if (t == JsonToken.FIELD_NAME) {
                    field = parser.currentName();
                    state = State.ROOT_VALUE;
                } else {
                    state = State.AFTER_ROOT;
                }
                return;
            case ROOT_VALUE:
                state = State.ROOT;
                if ("apps".equals(field) && !sawApps) {
                    if (t != JsonToken.START_ARRAY) {
                        fail("expected a JSON object with an \"apps\" array, got " + head());
                        return;
                    }
                    state = State.APPS;
                } else if ("message".equals(field) && t == JsonToken.VALUE_STRING) {
                    message = parser.getText();
                } else if (t.isStructStart()) {
                    skipDepth = 1;
                }
                return;
            case APPS:
                if (t == JsonToken.END_ARRAY) {
                    sawApps = true;
                    state = State.ROOT;
                } else if (t == JsonToken.START_OBJECT) {
                    app = new TokenBuffer(parser, null);
                    app.copyCurrentEvent(parser);
                    appDepth = 1;
                } else {
                    AppReader.notAnObject(index++);
                    if (t.isStructStart()) {
                        skipDepth = 1;
                    }
                }
                return;
            case AFTER_ROOT:
            default:
                fail("not valid JSON (text after the app list): " + head());
        }
    }

    private void fail(String message) {
        problem = new MarathonFormatException(message);
    }

    private void notJson(JsonProcessingException e) {
        String where = e.getLocation() == null ? ""
                : " at line " + e.getLocation().getLineNr() + ", column " + e.getLocation().getColumnNr();
        problem = new MarathonFormatException("not valid JSON (" + e.getOriginalMessage() + where + "): " + head(), e);
    }

    private String head() {
        String text = new String(Arrays.copyOf(head, headLength), StandardCharsets.UTF_8);
        String flat = text.strip().replaceAll("\\s+", " ");
        if (flat.isEmpty()) {
            return "(blank)";
        }
        return MarathonApps.excerpt(flat) + (bytes > headLength ? "..." : "");
    }
}
