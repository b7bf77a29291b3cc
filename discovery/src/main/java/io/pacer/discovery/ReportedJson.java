package io.pacer.discovery;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.Arrays;

/**
 * The parts of an app kept only to be shown ({@code env}, {@code portDefinitions},
 * {@code healthChecks}, {@code container}), held as one compact JSON object in UTF-8 bytes and
 * read back into nodes only when the admin API asks. At 10,000 apps a Jackson tree per app cost
 * 37 MB of heap; the same JSON as bytes is a fraction of that, and routing never reads it.
 */
final class ReportedJson {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final byte[] EMPTY = {'{', '}'};
    static final ReportedJson NONE = new ReportedJson(EMPTY);

    private final byte[] bytes;

    private ReportedJson(byte[] bytes) {
        this.bytes = bytes;
    }

    /** {@code fields} as sent; an empty object keeps nothing. */
    static ReportedJson of(ObjectNode fields) {
        if (fields == null || fields.isEmpty()) {
            return NONE;
        }
        try {
            return new ReportedJson(JSON.writeValueAsBytes(fields));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** {@code bytes}: one JSON object, as {@link AppReader} wrote it. */
    static ReportedJson ofBytes(byte[] bytes) {
        return new ReportedJson(bytes);
    }

    /** A fresh tree of what was kept; callers may not rely on sharing it. */
    ObjectNode read() {
        try {
            JsonNode node = JSON.readTree(bytes);
            return node instanceof ObjectNode o ? o : JSON.createObjectNode();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    int size() {
        return bytes.length;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof ReportedJson r && Arrays.equals(bytes, r.bytes);
    }

    @Override
    public int hashCode() {
        return Arrays.hashCode(bytes);
    }

    @Override
    public String toString() {
        return new String(bytes, java.nio.charset.StandardCharsets.UTF_8);
    }
}
