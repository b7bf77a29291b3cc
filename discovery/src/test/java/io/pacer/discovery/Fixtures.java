package io.pacer.discovery;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.URISyntaxException;
import java.net.URL;
import java.nio.file.Path;
import java.util.List;

/**
 * The Marathon-shaped bodies under {@code src/test/resources/marathon}, and Marathon's own
 * documentation examples under {@code marathon/docs} ({@code SOURCES.txt} there says where each
 * one comes from).
 */
final class Fixtures {

    private Fixtures() { }

    static byte[] bytes(String name) {
        try (InputStream in = Fixtures.class.getResourceAsStream("/marathon/" + name)) {
            if (in == null) {
                throw new IllegalArgumentException("no fixture " + name);
            }
            return in.readAllBytes();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** A file or directory of Marathon's documentation examples, as a path on disk. */
    static Path docs(String name) {
        URL url = Fixtures.class.getResource("/marathon/docs/" + name);
        if (url == null) {
            throw new IllegalArgumentException("no Marathon documentation example " + name);
        }
        try {
            return Path.of(url.toURI());
        } catch (URISyntaxException e) {
            throw new IllegalStateException(e);
        }
    }

    static List<MarathonApp> apps(String name) {
        try {
            return MarathonApps.parse(bytes(name));
        } catch (MarathonFormatException e) {
            throw new AssertionError("fixture " + name + " does not parse", e);
        }
    }
}
