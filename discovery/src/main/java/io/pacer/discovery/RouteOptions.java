package io.pacer.discovery;

/**
 * How Marathon's apps become routes.
 *
 * @param realm  when non-null, only apps whose label {@code NIXY_REALM} equals it are routed; a
 *     blank realm means none, as an empty {@code realm} does in {@code nixy.toml}
 * @param byHost {@code route_by = "host"}: apps are served at their Nixy names as virtual hosts
 *     ({@code NAME} and {@code NAME.*}, as Nixy's default template), not at path prefixes
 */
public record RouteOptions(String realm, boolean byHost) {

    public RouteOptions {
        if (realm != null && realm.isBlank()) {
            realm = null;
        }
    }

    /** Path routing (the seed's template) for the apps of {@code realm}. */
    public RouteOptions(String realm) {
        this(realm, false);
    }

    /** Every app, whatever its realm, by path. */
    public static RouteOptions defaults() {
        return new RouteOptions(null, false);
    }
}
