package io.pacer.discovery;

/**
 * How Marathon's apps become routes.
 *
 * @param realm when non-null, only apps whose label {@code NIXY_REALM} equals it are routed; a
 *     blank realm means none, as an empty {@code realm} does in {@code nixy.toml}
 */
public record RouteOptions(String realm) {

    public RouteOptions {
        if (realm != null && realm.isBlank()) {
            realm = null;
        }
    }

    /** Every app, whatever its realm. */
    public static RouteOptions defaults() {
        return new RouteOptions(null);
    }
}
