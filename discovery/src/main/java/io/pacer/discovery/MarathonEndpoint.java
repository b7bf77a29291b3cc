package io.pacer.discovery;

import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.Base64;
import java.util.Locale;
import java.util.concurrent.atomic.LongAdder;

/**
 * One configured Marathon: where it is, the credentials every call to it carries, and its health
 * as the last {@code /ping} saw it. Health is written on the discovery loop and read by status
 * from any thread.
 */
final class MarathonEndpoint {

    /** The base URL without user info or a trailing slash; also how it is shown. */
    final String base;
    /** {@code Authorization} header value, or {@code null} without credentials. */
    final String authorization;
    final LongAdder pingFailures = new LongAdder();
    volatile boolean healthy = true;
    volatile String message = "not checked yet";
    volatile Instant lastChecked;
    /** A ping is in flight (loop only). */
    boolean pinging;

    private MarathonEndpoint(String base, String authorization) {
        this.base = base;
        this.authorization = authorization;
    }

    /** User info in the URL wins over the global credentials, as it would for Nixy's HTTP client. */
    static MarathonEndpoint of(URI url, String user, String pass) {
        String userInfo = url.getUserInfo();
        if (userInfo != null) {
            int colon = userInfo.indexOf(':');
            user = colon < 0 ? userInfo : userInfo.substring(0, colon);
            pass = colon < 0 ? null : userInfo.substring(colon + 1);
        }
        String authorization = user == null || user.isEmpty() ? null
                : "Basic " + Base64.getEncoder().encodeToString(
                        (user + ":" + (pass == null ? "" : pass)).getBytes(StandardCharsets.UTF_8));
        String port = url.getPort() < 0 ? "" : ":" + url.getPort();
        String path = url.getRawPath() == null ? "" : url.getRawPath();
        while (path.endsWith("/")) {
            path = path.substring(0, path.length() - 1);
        }
        String base = url.getScheme().toLowerCase(Locale.ROOT) + "://" + url.getHost() + port + path;
        return new MarathonEndpoint(base, authorization);
    }

    MarathonStatus.EndpointHealth health() {
        return new MarathonStatus.EndpointHealth(base, healthy, message, lastChecked, pingFailures.sum());
    }

    @Override
    public String toString() {
        return base;
    }
}
