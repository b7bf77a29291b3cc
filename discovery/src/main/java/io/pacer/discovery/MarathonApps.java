package io.pacer.discovery;

import com.fasterxml.jackson.core.JacksonException;
import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.List;

/**
 * Reads the bodies of Marathon's {@code GET /v2/apps?embed=apps.tasks} and
 * {@code GET /v2/apps/{id}?embed=app.tasks}.
 *
 * <p>Only the fields routing and the admin API read are looked at (see {@link AppReader}), so an
 * {@code env} secret object or any field a newer Marathon adds cannot break the sync. A body that
 * is not an app list at all is an error (never "zero apps", which would empty the routes); one
 * bad app or task is skipped on its own, with a warning.
 */
public final class MarathonApps {

    private static final JsonFactory JSON = new JsonFactory();
    private static final int EXCERPT_CHARS = 120;

    private MarathonApps() { }

    /**
     * The apps of an {@code {"apps": [...]}} body, in Marathon's order. Apps and tasks that cannot
     * be read (no {@code id}, a field of the wrong type) are left out with a warning. The same
     * reader a live sync feeds chunk by chunk ({@link AppListParser}), given the whole body.
     *
     * @throws MarathonFormatException when the body is empty, not JSON, or not an object with an
     *     {@code apps} array (Marathon's {@code {"message": ...}} error answers included)
     */
    public static List<MarathonApp> parse(byte[] json) throws MarathonFormatException {
        if (json == null || json.length == 0) {
            throw new MarathonFormatException("empty body where Marathon's app list was expected");
        }
        AppListParser parser = new AppListParser();
        parser.feed(json, 0, json.length);
        return parser.finish();
    }

    /**
     * The app of a {@code GET /v2/apps/{id}} body, {@code {"app": {...}}}.
     *
     * @throws MarathonFormatException when the body is not such an object, or the app cannot be read
     */
    public static MarathonApp parseApp(byte[] json) throws MarathonFormatException {
        if (json == null || json.length == 0) {
            throw new MarathonFormatException("empty body where a Marathon app was expected");
        }
        try (JsonParser p = JSON.createParser(json)) {
            if (p.nextToken() != JsonToken.START_OBJECT) {
                throw notAnApp(json);
            }
            boolean saw = false;
            MarathonApp app = null;
            while (p.nextToken() == JsonToken.FIELD_NAME) {
                String field = p.currentName();
                JsonToken v = p.nextToken();
                if ("app".equals(field) && v == JsonToken.START_OBJECT && !saw) {
                    saw = true;
                    app = AppReader.read(p, 0);
                } else {
                    p.skipChildren();
                }
            }
            if (p.nextToken() != null) {
                throw new MarathonFormatException("not valid JSON (text after the app): "
                        + excerpt(new String(json, StandardCharsets.UTF_8)));
            }
            if (!saw) {
                throw notAnApp(json);
            }
            if (app == null) {
                throw new MarathonFormatException("the app cannot be read (see the warning above)");
            }
            return app;
        } catch (JacksonException e) {
            throw new MarathonFormatException("not valid JSON (" + e.getOriginalMessage() + "): "
                    + excerpt(new String(json, StandardCharsets.UTF_8)), e);
        } catch (IOException e) {
            // Reading a byte array does no I/O; Jackson only declares it.
            throw new MarathonFormatException("unreadable body: " + e.getMessage(), e);
        }
    }

    private static MarathonFormatException notAnApp(byte[] json) {
        return new MarathonFormatException("expected a JSON object with an \"app\" object, got "
                + excerpt(new String(json, StandardCharsets.UTF_8)));
    }

    /** The start of a body, on one line, for messages that must say what came instead of apps. */
    static String excerpt(String text) {
        String flat = text.strip().replaceAll("\\s+", " ");
        if (flat.isEmpty()) {
            return "(blank)";
        }
        return flat.length() <= EXCERPT_CHARS ? flat : flat.substring(0, EXCERPT_CHARS) + "...";
    }
}
