package io.pacer.proxy;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.Properties;

/**
 * Which Pacer this is: version, git commit and build date, written into {@code build.properties}
 * by the build (see the proxy module's pom), as Nixy's {@code GET /} reports them. A build from a
 * tree without git says {@code unknown} for the commit rather than failing.
 */
public record BuildInfo(String version, String commit, String date) {

    public static final BuildInfo CURRENT = load();

    private static BuildInfo load() {
        Properties p = new Properties();
        try (InputStream in = BuildInfo.class.getResourceAsStream("build.properties")) {
            if (in != null) {
                p.load(in);
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return new BuildInfo(value(p, "version", "dev"), value(p, "commit", "unknown"), value(p, "date", "unknown"));
    }

    /** The property, or {@code fallback} when absent, blank or left unexpanded by the build. */
    private static String value(Properties p, String key, String fallback) {
        String v = p.getProperty(key, "").strip();
        return v.isEmpty() || v.contains("${") ? fallback : v;
    }
}
