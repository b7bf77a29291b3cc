package io.pacer.config;

import com.fasterxml.jackson.databind.JsonNode;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.InvalidPathException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * One key's TOML value, read as the type the key needs. Each reader either returns a value that
 * is fine to put in the config or throws a {@link BadValue} saying what was expected and found.
 */
final class Value {

    private static final String DURATION = "a duration such as \"30s\" or a whole number of seconds";
    private static final String SIZE = "a size such as \"128m\" or a whole number of bytes";
    private static final String FLAG = "true, false, \"on\" or \"off\"";

    private final JsonNode node;
    private final Path baseDir;

    /** @param baseDir what relative paths are resolved against: the config file's directory */
    Value(JsonNode node, Path baseDir) {
        this.node = node;
        this.baseDir = baseDir;
    }

    String string() throws BadValue {
        if (!node.isTextual()) {
            throw wrongType("a string");
        }
        return node.textValue();
    }

    String headerValue() throws BadValue {
        String value = string();
        String problem = Text.headerValueProblem(value);
        if (problem != null) {
            throw new BadValue(problem);
        }
        return value;
    }

    /** A secret sent as {@code Authorization: Bearer <token>}: visible ASCII, no spaces, 16 characters or more. */
    String token() throws BadValue {
        String value = string();
        if (value.isEmpty()) {
            return value; // none, as when the key is absent
        }
        for (int i = 0; i < value.length(); i++) {
            char c = value.charAt(i);
            if (c <= ' ' || c >= 0x7f) {
                throw new BadValue("only visible ASCII characters, no spaces (it is sent as a bearer token)");
            }
        }
        if (value.length() < 16) {
            throw new BadValue("too short (" + value.length() + " characters): use 16 or more, e.g. the output of"
                    + " openssl rand -hex 24");
        }
        return value;
    }

    /** One of {@code accepted}, spelled exactly. */
    String oneOf(List<String> accepted) throws BadValue {
        String value = string();
        if (!accepted.contains(value)) {
            throw new BadValue(Text.quote(value) + " is not supported; accepted: " + String.join(", ", accepted));
        }
        return value;
    }

    /** One of {@code accepted}, which are lower case, in any case; returned lower case. */
    String oneOfIgnoringCase(List<String> accepted) throws BadValue {
        String value = string();
        String lower = value.toLowerCase(Locale.ROOT);
        if (!accepted.contains(lower)) {
            throw new BadValue(Text.quote(value) + " is not supported; accepted: " + String.join(", ", accepted));
        }
        return lower;
    }

    /**
     * A switch: a TOML boolean, or as Nginx writes it, the string {@code "on"} or {@code "off"};
     * the strings {@code "true"} and {@code "false"} too. Strings in any case.
     */
    boolean flag() throws BadValue {
        if (node.isBoolean()) {
            return node.booleanValue();
        }
        if (!node.isTextual()) {
            throw wrongType(FLAG);
        }
        switch (node.textValue().toLowerCase(Locale.ROOT)) {
            case "on":
            case "true":
                return true;
            case "off":
            case "false":
                return false;
            default:
                throw new BadValue(Text.quote(node.textValue()) + " is not a switch; accepted: true, false, \"on\", \"off\"");
        }
    }

    InetSocketAddress address() throws BadValue {
        if (node.isIntegralNumber()) {
            return ListenAddress.parse(node.asText());
        }
        if (!node.isTextual()) {
            throw wrongType("an address such as \"0.0.0.0:8080\"");
        }
        return ListenAddress.parse(node.textValue());
    }

    /** As {@link #address()}, where the empty string means none ({@code null}). */
    InetSocketAddress optionalAddress() throws BadValue {
        return isEmptyString() ? null : address();
    }

    /** A file that exists and can be read now; relative paths start from the config file's directory. */
    Path readableFile() throws BadValue {
        String text = string();
        Path path = existingPath(text);
        if (!Files.isRegularFile(path)) {
            throw new BadValue(shown(text, path) + " is not a regular file");
        }
        if (!Files.isReadable(path)) {
            throw new BadValue(shown(text, path) + " is not readable");
        }
        return path;
    }

    /** Whether the value is the string {@code ""}. */
    boolean isEmptyString() {
        return node.isTextual() && node.textValue().isEmpty();
    }

    /** A directory that exists and can be listed now; relative paths start from the config file's directory. */
    Path readableDirectory() throws BadValue {
        String text = string();
        Path path = existingPath(text);
        if (!Files.isDirectory(path)) {
            throw new BadValue(shown(text, path) + " is not a directory");
        }
        if (!Files.isReadable(path) || !Files.isExecutable(path)) {
            throw new BadValue(shown(text, path) + " is not readable");
        }
        return path;
    }

    /** {@code text} resolved against the config file's directory; it must name something that exists. */
    private Path existingPath(String text) throws BadValue {
        if (text.isEmpty()) {
            throw new BadValue("must not be empty");
        }
        Path path;
        try {
            path = baseDir.resolve(text).normalize();
        } catch (InvalidPathException e) {
            throw new BadValue(Text.quote(text) + " is not a valid path: " + e.getReason());
        }
        if (!Files.exists(path)) {
            throw new BadValue(shown(text, path) + " does not exist");
        }
        return path;
    }

    /** The path as written, and as resolved when that differs. */
    private static String shown(String text, Path path) {
        return Text.quote(text) + (path.toString().equals(text) ? "" : " (" + path + ")");
    }

    /** A certificate's NAME: a file name without its .crt, .key or .pem ending, so no slash; empty means none. */
    String certificateName() throws BadValue {
        String name = string();
        if (name.contains("/") || name.contains("\\") || name.startsWith(".")) {
            throw new BadValue(Text.quote(name) + " is not a certificate name: write NAME of NAME.crt or NAME.pem");
        }
        return name;
    }

    /** A whole number in {@code [min, max]}, written as a TOML integer or a string of digits. */
    int integer(int min, int max) throws BadValue {
        String shown;
        long value;
        if (node.isIntegralNumber()) {
            shown = node.asText();
            if (!node.canConvertToLong() || node.longValue() > max) {
                throw new BadValue(shown + " is too large: must be at most " + max);
            }
            value = node.longValue();
        } else if (node.isTextual()) {
            String text = node.textValue();
            shown = Text.quote(text);
            if (text.isEmpty() || !Text.isDigits(text, 0, text.length())) {
                throw new BadValue(shown + " is not a whole number");
            }
            value = Text.parseDigits(text, 0, text.length());
            if (value < 0 || value > max) {
                throw new BadValue(shown + " is too large: must be at most " + max);
            }
        } else {
            throw wrongType("a whole number");
        }
        if (value < min) {
            throw new BadValue(shown + " is too small: must be at least " + min);
        }
        return (int) value;
    }

    /** A byte count in {@code [min, max]}: a TOML integer of bytes or a string such as {@code "64k"}. */
    long size(long min, long max) throws BadValue {
        String shown;
        long bytes;
        if (node.isIntegralNumber()) {
            shown = node.asText();
            if (!node.canConvertToLong()) {
                throw new BadValue(shown + " is too large");
            }
            bytes = node.longValue();
            if (bytes < 0) {
                throw new BadValue(shown + " is negative");
            }
        } else if (node.isTextual()) {
            shown = Text.quote(node.textValue());
            try {
                bytes = Sizes.parse(node.textValue());
            } catch (IllegalArgumentException e) {
                throw new BadValue(e.getMessage());
            }
        } else {
            throw wrongType(SIZE);
        }
        if (bytes < min || bytes > max) {
            throw new BadValue(shown + " is out of range: "
                    + (max == Long.MAX_VALUE ? "must be at least " + Sizes.format(min)
                    : "must be between " + Sizes.format(min) + " and " + Sizes.format(max)));
        }
        return bytes;
    }

    /** {@link #size} for keys whose limit fits an int. */
    int intSize(int min, int max) throws BadValue {
        return (int) size(min, max);
    }

    Duration duration() throws BadValue {
        if (node.isIntegralNumber()) {
            if (!node.canConvertToLong()) {
                throw new BadValue(node.asText() + " is too large");
            }
            try {
                return Durations.ofSeconds(node.longValue());
            } catch (IllegalArgumentException e) {
                throw new BadValue(e.getMessage());
            }
        }
        if (node.isFloatingPointNumber()) {
            throw new BadValue(node.asText() + " is not a whole number of seconds; write fractions"
                    + " in milliseconds, e.g. \"1500ms\"");
        }
        if (!node.isTextual()) {
            throw wrongType(DURATION);
        }
        try {
            return Durations.parse(node.textValue());
        } catch (IllegalArgumentException e) {
            throw new BadValue(e.getMessage());
        }
    }

    /** A duration where zero would leave the proxy waiting forever or failing at once. */
    Duration positiveDuration() throws BadValue {
        Duration value = duration();
        if (value.isZero()) {
            throw new BadValue("must be greater than 0");
        }
        return value;
    }

    /** An array of strings, or one string of space-separated words as Nginx writes it. */
    List<String> words() throws BadValue {
        List<String> words = new ArrayList<>();
        if (node.isTextual()) {
            for (String word : node.textValue().trim().split("\\s+")) {
                if (!word.isEmpty()) {
                    words.add(word);
                }
            }
            return words;
        }
        if (!node.isArray()) {
            throw wrongType("an array of strings");
        }
        for (int i = 0; i < node.size(); i++) {
            JsonNode element = node.get(i);
            if (!element.isTextual()) {
                throw new BadValue("element " + (i + 1) + " must be a string, not " + describe(element));
            }
            words.add(element.textValue());
        }
        return words;
    }

    /**
     * Base URLs of HTTP servers, in the order given: an array of strings as {@code nixy.toml}
     * writes it, or one string of space-separated URLs. Each must be {@code http} or
     * {@code https} with a host, and no query or fragment; scheme and host are lower-cased and a
     * trailing slash is dropped, so {@code base + "/v2/apps"} is always well formed. An empty
     * array means none. User info ({@code http://user:pass@host}) is kept, as Nixy sends it.
     */
    List<URI> urls() throws BadValue {
        List<String> texts;
        if (node.isArray()) {
            texts = new ArrayList<>();
            for (int i = 0; i < node.size(); i++) {
                JsonNode element = node.get(i);
                if (!element.isTextual()) {
                    throw new BadValue("element " + (i + 1) + " must be a string, not " + describe(element));
                }
                texts.add(element.textValue());
            }
        } else if (node.isTextual()) {
            texts = words();
        } else {
            throw wrongType("an array of URLs such as [\"http://master-1:8080\"]");
        }
        List<URI> urls = new ArrayList<>(texts.size());
        for (String text : texts) {
            URI url = url(text);
            if (urls.contains(url)) {
                throw new BadValue(Text.quote(text) + " is listed twice");
            }
            urls.add(url);
        }
        return urls;
    }

    private static URI url(String text) throws BadValue {
        String shown = Text.quote(text);
        URI uri;
        try {
            uri = new URI(text.strip());
        } catch (URISyntaxException e) {
            throw new BadValue(shown + " is not a URL: " + e.getReason());
        }
        String scheme = uri.getScheme() == null ? null : uri.getScheme().toLowerCase(Locale.ROOT);
        if (!"http".equals(scheme) && !"https".equals(scheme)) {
            throw new BadValue(shown + " is not an http:// or https:// URL");
        }
        if (uri.getHost() == null) {
            throw new BadValue(shown + " has no host (write e.g. \"http://master-1:8080\")");
        }
        if (uri.getRawQuery() != null || uri.getRawFragment() != null) {
            throw new BadValue(shown + " must not have a query or a fragment");
        }
        String path = uri.getRawPath() == null ? "" : uri.getRawPath();
        while (path.endsWith("/")) {
            path = path.substring(0, path.length() - 1);
        }
        String userInfo = uri.getRawUserInfo() == null ? "" : uri.getRawUserInfo() + "@";
        String port = uri.getPort() < 0 ? "" : ":" + uri.getPort();
        return URI.create(scheme + "://" + userInfo + uri.getHost().toLowerCase(Locale.ROOT) + port + path);
    }

    private BadValue wrongType(String expected) {
        return new BadValue("must be " + expected + ", not " + describe(node));
    }

    /** The TOML type of {@code value}, as an operator would name it. */
    private static String describe(JsonNode value) {
        if (value.isTextual()) {
            return "a string";
        }
        if (value.isIntegralNumber()) {
            return "an integer";
        }
        if (value.isNumber()) {
            return "a float";
        }
        if (value.isBoolean()) {
            return "a boolean";
        }
        if (value.isArray()) {
            return "an array";
        }
        if (value.isObject()) {
            return "a table";
        }
        // TomlReadFeature.PARSE_JAVA_TIME turns dates and times into POJO nodes.
        return "a date or time";
    }
}
