package io.pacer.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.extension.AfterEachCallback;
import org.junit.jupiter.api.extension.BeforeEachCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * Config files in a fresh temporary folder for each test: write one, load it, or expect loading it
 * to fail. A failure must name the file it came from; what else it must say is each test's own
 * business. Register it as a field:
 *
 * <pre>{@code @RegisterExtension final ConfigFiles files = new ConfigFiles();}</pre>
 */
final class ConfigFiles implements BeforeEachCallback, AfterEachCallback {

    private Path dir;

    @Override
    public void beforeEach(ExtensionContext context) throws IOException {
        dir = Files.createTempDirectory("pacer-config-test");
    }

    @Override
    public void afterEach(ExtensionContext context) throws IOException {
        List<Path> deepestFirst;
        try (Stream<Path> all = Files.walk(dir)) {
            deepestFirst = all.sorted(Comparator.reverseOrder()).toList();
        }
        for (Path path : deepestFirst) {
            Files.delete(path);
        }
    }

    /** The folder the files go in. */
    Path dir() {
        return dir;
    }

    /** Writes {@code pacer.toml}. */
    Path write(String toml) throws IOException {
        return write("pacer.toml", toml);
    }

    /** Writes {@code name} (a path relative to the folder, whose parent folders are made), in UTF-8. */
    Path write(String name, String toml) throws IOException {
        Path file = dir.resolve(name);
        Files.createDirectories(file.getParent());
        Files.writeString(file, toml, StandardCharsets.UTF_8);
        return file;
    }

    /** Writes {@code pacer.toml} and loads it. */
    PacerConfig load(String toml) throws Exception {
        return ConfigLoader.load(write(toml));
    }

    /** Writes {@code pacer.toml}, expects loading it to fail, and checks that the failure names that file. */
    ConfigException failure(String toml) throws IOException {
        return failure(write(toml));
    }

    /** Expects loading {@code file} to fail, and checks that the failure names that file. */
    static ConfigException failure(Path file) {
        ConfigException e = assertThrows(ConfigException.class, () -> ConfigLoader.load(file));
        assertEquals(file, e.file());
        return e;
    }
}
