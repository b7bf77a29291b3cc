package io.pacer.core;

/**
 * What an app asks of HTTPS, from its labels: whether plain-HTTP requests are sent to https with a
 * 301, and the {@code Strict-Transport-Security} value added to its answers over TLS
 * ({@code null}: none).
 */
public record HttpsPolicy(boolean redirectToHttps, String strictTransportSecurity) {

    /** Neither: the default. */
    public static final HttpsPolicy NONE = new HttpsPolicy(false, null);
}
