package io.pacer.proxy;

/**
 * The certificates of {@code tls_certificates} cannot be served at startup: a configuration
 * problem, reported against {@link #key()} like any bad value (exit status 2).
 */
final class CertificateSetupException extends RuntimeException {

    private final String key;

    CertificateSetupException(String key, String problem, Throwable cause) {
        super(key + ": " + problem, cause);
        this.key = key;
    }

    /** The configuration key at fault: {@code tls_certificates} or {@code tls_default_certificate}. */
    String key() {
        return key;
    }

    /** What is wrong, without the key. */
    String problem() {
        return getMessage().substring(key.length() + 2);
    }
}
