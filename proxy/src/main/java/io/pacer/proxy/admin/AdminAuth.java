package io.pacer.proxy.admin;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;

/**
 * The admin API's lock: with {@code admin_token} set, every endpoint but health, readiness and
 * metrics (which load balancers and Prometheus call without secrets) wants
 * {@code Authorization: Bearer <token>}. Without a token everything stays open, as in Nixy.
 */
final class AdminAuth {

    /** Paths answered without a token: what health checkers and scrapers call. */
    static final Set<String> OPEN_PATHS = Set.of("/v1/health", "/v1/ready", "/v1/metrics", "/metrics");

    /**
     * The cookie the dashboard keeps the token in, after {@code /ui/?token=...}. It is HttpOnly (no
     * script reads it), SameSite=Strict (no other site's page sends it), and accepted only on the
     * dashboard's own paths: it cannot POST {@code /v1/reload} or read {@code /v1/config}.
     */
    static final String COOKIE = "pacer_admin_token";

    private static final String BEARER = "Bearer ";

    private final byte[] token;
    /** The cookie holds a digest of the token, not the token: any character may be in a token. */
    private final byte[] cookieValue;

    /** @param token the token wanted, or {@code null} for an open admin API */
    AdminAuth(String token) {
        this.token = token == null ? null : token.getBytes(StandardCharsets.UTF_8);
        this.cookieValue = token == null ? null : digest(token).getBytes(StandardCharsets.US_ASCII);
    }

    private static String digest(String token) {
        try {
            byte[] hash = MessageDigest.getInstance("SHA-256")
                    .digest(("pacer dashboard " + token).getBytes(StandardCharsets.UTF_8));
            return HexFormat.of().formatHex(hash);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every Java has SHA-256", e);
        }
    }

    /**
     * {@code null} when the request may go on, else the answer to send instead.
     *
     * @param authorization the request's {@code Authorization} header, or {@code null}
     */
    AdminApi.Answer check(String path, String authorization) {
        return check(path, authorization, null);
    }

    /**
     * As {@link #check(String, String)}, where {@code cookie} (the value of {@link #COOKIE}, or
     * {@code null}) also opens the dashboard's paths.
     */
    AdminApi.Answer check(String path, String authorization, String cookie) {
        if (token == null || OPEN_PATHS.contains(path)) {
            return null;
        }
        if (cookie != null && authorization == null && isDashboardPath(path)) {
            if (MessageDigest.isEqual(cookieValue, cookie.getBytes(StandardCharsets.UTF_8))) {
                return null;
            }
            return AdminApi.Answer.unauthorized("Bearer realm=\"pacer\", error=\"invalid_token\"",
                    "the dashboard's token is no longer right: open /ui/?token=<admin_token> again\n");
        }
        if (authorization == null && isDashboardPath(path)) {
            return AdminApi.Answer.unauthorized("Bearer realm=\"pacer\"",
                    "open /ui/?token=<admin_token> once: the page keeps the token in a cookie\n");
        }
        if (authorization == null || !authorization.regionMatches(true, 0, BEARER, 0, BEARER.length())) {
            return AdminApi.Answer.unauthorized("Bearer realm=\"pacer\"",
                    "this admin API wants Authorization: Bearer <admin_token>\n");
        }
        if (!matches(authorization.substring(BEARER.length()).strip())) {
            return AdminApi.Answer.unauthorized("Bearer realm=\"pacer\", error=\"invalid_token\"",
                    "wrong admin token\n");
        }
        return null;
    }

    /**
     * The answer to {@code /ui/?token=...}: the right token is kept in {@link #COOKIE} and the
     * browser sent on to {@code /ui/}, so that the token leaves the address bar and the history.
     */
    AdminApi.Answer login(String given) {
        if (token != null && !matches(given)) {
            return AdminApi.Answer.unauthorized("Bearer realm=\"pacer\", error=\"invalid_token\"",
                    "wrong admin token\n");
        }
        Map<String, String> headers = new LinkedHashMap<>();
        headers.put("Location", "/ui/");
        headers.put("Cache-Control", "no-store");
        if (token != null) {
            headers.put("Set-Cookie", COOKIE + "=" + new String(cookieValue, StandardCharsets.US_ASCII)
                    + "; Path=/; HttpOnly; SameSite=Strict");
        }
        return new AdminApi.Answer(303, "text/plain; charset=utf-8", "see /ui/\n", headers);
    }

    static boolean isDashboardPath(String path) {
        return path.equals("/ui") || path.startsWith("/ui/") || path.equals("/v1/dashboard")
                || path.equals("/v1/dashboard/events");
    }

    /** Constant time: how much of a guess matched must not show in how long the answer takes. */
    private boolean matches(String given) {
        return MessageDigest.isEqual(token, given.getBytes(StandardCharsets.UTF_8));
    }
}
