package io.pacer.discovery;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.List;

/** The Marathon-shaped bodies under {@code src/test/resources/marathon}. */
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

    static List<MarathonApp> apps(String name) {
        try {
            return MarathonApps.parse(bytes(name));
        } catch (MarathonFormatException e) {
            throw new AssertionError("fixture " + name + " does not parse", e);
        }
    }
}
