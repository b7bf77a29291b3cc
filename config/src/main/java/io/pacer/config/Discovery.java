package io.pacer.config;

import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * Where the apps come from (Marathon, an apps file, or nowhere), which of them are routed and how,
 * and how closely Marathon is followed.
 *
 * @param marathon        {@code marathon}: base URLs of the Marathon masters, in priority order (the first healthy
 *                        one is used), normalized without a trailing slash; user info is kept when the file had it.
 *                        Empty (the default) when routes come from {@code apps_file} or nowhere.
 * @param user            {@code user}: basic-auth user sent on every Marathon call; empty when not set or blank.
 * @param pass            {@code pass}: basic-auth password, used only with {@code user}; empty when not set.
 * @param appsFile        {@code apps_file}: apps read from a file shaped like Marathon's
 *                        {@code /v2/apps?embed=apps.tasks}.
 * @param realm           {@code realm}: when set, only apps whose label {@code NIXY_REALM} equals it are routed.
 * @param routeByHost     {@code route_by = "host"}: apps answer on their Nixy names as virtual hosts, as Nixy's
 *                        default template serves them, instead of at path prefixes (the seed's template,
 *                        {@code "path"}, the default).
 * @param resyncInterval  {@code resync_interval}: a full resync from Marathon this often even without events; zero
 *                        disables. Default 5m.
 * @param streamWatchdog  {@code stream_watchdog}: an event stream silent this long is dropped and reopened.
 *                        Default 15s.
 * @param marathonTimeout {@code marathon_timeout}: time allowed for one Marathon call such as {@code /v2/apps}.
 *                        Default 10s.
 */
public record Discovery(
        List<URI> marathon,
        Optional<String> user,
        Optional<String> pass,
        Optional<Path> appsFile,
        Optional<String> realm,
        boolean routeByHost,
        Duration resyncInterval,
        Duration streamWatchdog,
        Duration marathonTimeout) {

    /** @throws IllegalArgumentException when both {@code marathon} and {@code apps_file} are set */
    public Discovery {
        marathon = List.copyOf(marathon);
        Objects.requireNonNull(user, "user");
        Objects.requireNonNull(pass, "pass");
        Objects.requireNonNull(realm, "realm");
        if (!marathon.isEmpty() && appsFile.isPresent()) {
            throw new IllegalArgumentException("marathon and apps_file cannot both be set");
        }
        Objects.requireNonNull(resyncInterval, "resyncInterval");
        Objects.requireNonNull(streamWatchdog, "streamWatchdog");
        Objects.requireNonNull(marathonTimeout, "marathonTimeout");
    }

    /** This group's {@code pacer.toml} keys and values, for {@link PacerConfig#toString()}; secrets masked. */
    @Override
    public String toString() {
        return "marathon=" + marathon.stream().map(PacerConfig::masked).toList()
                + ", user=" + user.map(Text::quote).orElse("none")
                + ", pass=" + (pass.isEmpty() ? "none" : "\"***\"")
                + ", apps_file=" + appsFile.map(Object::toString).orElse("none")
                + ", realm=" + realm.map(Text::quote).orElse("none")
                + ", route_by=" + (routeByHost ? "host" : "path")
                + ", resync_interval=" + resyncInterval
                + ", stream_watchdog=" + streamWatchdog
                + ", marathon_timeout=" + marathonTimeout;
    }
}
