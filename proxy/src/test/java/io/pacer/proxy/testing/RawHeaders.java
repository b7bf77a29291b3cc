package io.pacer.proxy.testing;

import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Header fields exactly as received: in order, duplicates kept, names looked up case-insensitively.
 * Values are trimmed of surrounding whitespace; nothing else is interpreted.
 */
public final class RawHeaders {

    private static final RawHeaders EMPTY = new RawHeaders(List.of());

    private final List<Map.Entry<String, String>> fields;

    private RawHeaders(List<Map.Entry<String, String>> fields) {
        this.fields = List.copyOf(fields);
    }

    public static RawHeaders empty() {
        return EMPTY;
    }

    /** From name/value pairs: {@code RawHeaders.of("Host", "x", "Accept", "*}{@code /*")}. */
    public static RawHeaders of(String... namesAndValues) {
        if (namesAndValues.length % 2 != 0) {
            throw new IllegalArgumentException("names and values must come in pairs");
        }
        List<Map.Entry<String, String>> fields = new ArrayList<>();
        for (int i = 0; i < namesAndValues.length; i += 2) {
            fields.add(Map.entry(namesAndValues[i], namesAndValues[i + 1]));
        }
        return new RawHeaders(fields);
    }

    static RawHeaders of(List<Map.Entry<String, String>> fields) {
        return fields.isEmpty() ? EMPTY : new RawHeaders(fields);
    }

    /** The first value of {@code name}, or null. */
    public String get(String name) {
        for (Map.Entry<String, String> f : fields) {
            if (f.getKey().equalsIgnoreCase(name)) {
                return f.getValue();
            }
        }
        return null;
    }

    /** Every value of {@code name}, in order (one per header line; values are not split on commas). */
    public List<String> getAll(String name) {
        List<String> out = new ArrayList<>();
        for (Map.Entry<String, String> f : fields) {
            if (f.getKey().equalsIgnoreCase(name)) {
                out.add(f.getValue());
            }
        }
        return out;
    }

    public boolean contains(String name) {
        return get(name) != null;
    }

    /**
     * Whether some line of {@code name} lists {@code token} among its comma-separated values,
     * ignoring case ({@code Connection: keep-alive, Upgrade} contains {@code upgrade}).
     */
    public boolean containsToken(String name, String token) {
        for (String value : getAll(name)) {
            for (String part : value.split(",")) {
                if (part.trim().equalsIgnoreCase(token)) {
                    return true;
                }
            }
        }
        return false;
    }

    /** The names, in first-seen order, as spelled the first time. */
    public Set<String> names() {
        Set<String> lower = new LinkedHashSet<>();
        Set<String> out = new LinkedHashSet<>();
        for (Map.Entry<String, String> f : fields) {
            if (lower.add(f.getKey().toLowerCase(java.util.Locale.ROOT))) {
                out.add(f.getKey());
            }
        }
        return out;
    }

    /** Every field line, in order. */
    public List<Map.Entry<String, String>> entries() {
        return fields;
    }

    public int size() {
        return fields.size();
    }

    public boolean isEmpty() {
        return fields.isEmpty();
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof RawHeaders other && fields.equals(other.fields);
    }

    @Override
    public int hashCode() {
        return fields.hashCode();
    }

    @Override
    public String toString() {
        StringBuilder s = new StringBuilder();
        for (Map.Entry<String, String> f : fields) {
            s.append(f.getKey()).append(": ").append(f.getValue()).append("\\r\\n");
        }
        return s.toString();
    }
}
