package io.pacer.proxy;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.Set;

/**
 * The admin API's lock: with {@code admin_token} set, every endpoint but health, readiness and
 * metrics (which load balancers and Prometheus call without secrets) wants
 * {@code Authorization: Bearer <token>}. Without a token everything stays open, as in Nixy.
 */
final class AdminAuth {

    /** Paths answered without a token: what health checkers and scrapers call. */
    static final Set<String> OPEN_PATHS = Set.of("/v1/health", "/v1/ready", "/v1/metrics", "/metrics");

    private static final String BEARER = "Bearer ";

    private final byte[] token;

    /** @param token the token wanted, or {@code null} for an open admin API */
    AdminAuth(String token) {
        this.token = token == null ? null : token.getBytes(StandardCharsets.UTF_8);
    }

    boolean locked() {
        return token != null;
    }

    /**
     * {@code null} when the request may go on, else the answer to send instead.
     *
     * @param authorization the request's {@code Authorization} header, or {@code null}
     */
    AdminApi.Answer check(String path, String authorization) {
        if (token == null || OPEN_PATHS.contains(path)) {
            return null;
        }
        if (authorization == null || !authorization.regionMatches(true, 0, BEARER, 0, BEARER.length())) {
            return AdminApi.Answer.unauthorized("Bearer realm=\"pacer\"",
                    "this admin API wants Authorization: Bearer <admin_token>\n");
        }
        byte[] given = authorization.substring(BEARER.length()).strip().getBytes(StandardCharsets.UTF_8);
        // Constant time: how much of a guess matched must not show in how long the answer takes.
        if (!MessageDigest.isEqual(token, given)) {
            return AdminApi.Answer.unauthorized("Bearer realm=\"pacer\", error=\"invalid_token\"",
                    "wrong admin token\n");
        }
        return null;
    }
}
