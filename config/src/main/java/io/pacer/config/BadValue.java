package io.pacer.config;

/**
 * A key's value is unusable; the message is the problem as the operator reads it. The loader adds
 * the file and the key, turning it into a {@link ConfigException}.
 */
final class BadValue extends Exception {

    private static final long serialVersionUID = 1L;

    BadValue(String problem) {
        // No stack trace: this is a message for an operator, always caught by the loader.
        super(problem, null, false, false);
    }
}
