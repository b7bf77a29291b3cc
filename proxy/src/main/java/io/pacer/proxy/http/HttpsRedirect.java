package io.pacer.proxy.http;

import java.util.Locale;

/**
 * Where a plain-HTTP request for an app labelled {@code PACER_REDIRECT_TO_HTTPS} is sent: the
 * same host and path over https, on {@code tls_listen}'s port unless that is 443 (no
 * {@code tls_listen}: 443, for a TLS terminator in front of Pacer).
 */
final class HttpsRedirect {

    private HttpsRedirect() { }

    /**
     * {@code https://host[:port]uri}, with the host taken from the request's {@code Host} header
     * (its port dropped); {@code null} when the header is missing or is not a host name, an IPv4
     * address or a bracketed IPv6 address, so that no client-chosen text lands in a Location.
     */
    static String location(String hostHeader, String uri, int httpsPort) {
        if (hostHeader == null) {
            return null;
        }
        String host = hostHeader.trim().toLowerCase(Locale.ROOT);
        if (host.startsWith("[")) {
            int end = host.indexOf(']');
            if (end < 0 || !host.substring(1, end).chars().allMatch(c -> Character.digit(c, 16) >= 0 || c == ':' || c == '.')) {
                return null;
            }
            host = host.substring(0, end + 1);
        } else {
            int colon = host.indexOf(':');
            if (colon >= 0) {
                host = host.substring(0, colon);
            }
            if (host.isEmpty() || host.length() > 253
                    || !host.chars().allMatch(c -> (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' || c == '.')) {
                return null;
            }
        }
        return "https://" + host + (httpsPort == 443 ? "" : ":" + httpsPort) + uri;
    }
}
