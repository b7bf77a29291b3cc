package io.pacer.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Config files in a test's temporary folder: write one, load it, or expect loading it to fail.
 * A failure must name the file it came from; what else it must say is each test's own business.
 */
final class ConfigFiles {

    private final Path dir;

    ConfigFiles(Path dir) {
        this.dir = dir;
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
