package io.pacer.config;

import java.nio.file.Path;
import java.util.Objects;

/**
 * {@code pacer.toml} cannot be used. The message reads {@code <file>: <key>: <problem>}, or
 * {@code <file>: <problem>} when the file as a whole is at fault (missing, not TOML), so one log
 * line tells the operator where to look and what to change.
 */
public final class ConfigException extends Exception {

    private static final long serialVersionUID = 1L;

    /** Transient because {@link Path} is not serializable; nobody ships these across JVMs. */
    private final transient Path file;
    private final String key;
    private final String problem;

    /**
     * @param file    the configuration file, as the operator named it
     * @param key     the offending top-level key, or {@code ""} for the whole file
     * @param problem what is wrong, phrased for an operator
     */
    public ConfigException(Path file, String key, String problem) {
        this(file, key, problem, null);
    }

    public ConfigException(Path file, String key, String problem, Throwable cause) {
        super(message(file, key, problem), cause);
        this.file = Objects.requireNonNull(file, "file");
        this.key = Objects.requireNonNull(key, "key");
        this.problem = Objects.requireNonNull(problem, "problem");
    }

    private static String message(Path file, String key, String problem) {
        return key.isEmpty() ? file + ": " + problem : file + ": " + key + ": " + problem;
    }

    public Path file() {
        return file;
    }

    /** The top-level key at fault, or {@code ""} when the problem is with the whole file. */
    public String key() {
        return key;
    }

    public String problem() {
        return problem;
    }
}
