package io.pacer.core;

/**
 * The outcome of a route lookup that found something. Instances are created when the table is
 * built, one pair per prefix, so a lookup allocates nothing.
 */
public final class RouteMatch {

    /** What the data plane does with the request. */
    public enum Kind {
        /** Proxy the request to the app's tasks. */
        FORWARD,
        /**
         * The path is a prefix without its trailing slash ({@code /app} for {@code /app/}): answer
         * 301 to the prefix, as Nginx does for a {@code location /app/}.
         */
        REDIRECT
    }

    private final Kind kind;
    private final String prefix;
    private final App app;

    RouteMatch(Kind kind, String prefix, App app) {
        this.kind = kind;
        this.prefix = prefix;
        this.app = app;
    }

    public Kind kind() {
        return kind;
    }

    /** The matched prefix, always with its trailing slash ({@code /shop/cart/}). */
    public String prefix() {
        return prefix;
    }

    public App app() {
        return app;
    }

    @Override
    public String toString() {
        return kind + " " + prefix + " -> " + app.id();
    }
}
