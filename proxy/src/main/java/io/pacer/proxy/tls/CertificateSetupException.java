package io.pacer.proxy.tls;

/**
 * The certificates of {@code tls_certificates} cannot be served at startup: a configuration
 * problem, reported against {@link #key()} like any bad value (exit status 2).
 */
public final class CertificateSetupException extends RuntimeException {

    private final String key;

    public CertificateSetupException(String key, String problem, Throwable cause) {
        super(key + ": " + problem, cause);
        this.key = key;
    }

    /** The configuration key at fault: {@code tls_certificates} or {@code tls_default_certificate}. */
    public String key() {
        return key;
    }

    /** What is wrong, without the key. */
    public String problem() {
        return getMessage().substring(key.length() + 2);
    }
}
