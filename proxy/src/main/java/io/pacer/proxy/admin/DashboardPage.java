package io.pacer.proxy.admin;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.Map;

/**
 * The dashboard's files, shipped in the jar under {@code io/pacer/proxy/admin/ui/}: plain HTML, CSS and
 * JavaScript, no build step. Each answer forbids scripts and styles from anywhere but this page's
 * own files, so an app id or label that slipped into the page could not run.
 */
final class DashboardPage {

    private static final Map<String, String> TYPES = Map.of(
            "/ui/", "text/html; charset=utf-8",
            "/ui/app.js", "text/javascript; charset=utf-8",
            "/ui/style.css", "text/css; charset=utf-8");

    private static final Map<String, String> HEADERS = Map.of(
            "Content-Security-Policy", "default-src 'self'; img-src 'self' data:; frame-ancestors 'none'",
            "X-Content-Type-Options", "nosniff",
            "Cache-Control", "no-cache");

    private DashboardPage() { }

    static AdminApi.Answer answer(String path) {
        if (path.equals("/ui")) {
            return new AdminApi.Answer(301, "text/plain; charset=utf-8", "see /ui/\n", Map.of("Location", "/ui/"));
        }
        String type = TYPES.get(path);
        if (type == null) {
            return AdminApi.Answer.text(404, "404 page not found\n");
        }
        String file = path.equals("/ui/") ? "index.html" : path.substring("/ui/".length());
        return new AdminApi.Answer(200, type, read(file), HEADERS);
    }

    private static String read(String file) {
        try (InputStream in = DashboardPage.class.getResourceAsStream("ui/" + file)) {
            if (in == null) {
                throw new IllegalStateException("the jar lacks ui/" + file);
            }
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
