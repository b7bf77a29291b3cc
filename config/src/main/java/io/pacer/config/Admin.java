package io.pacer.config;

import java.net.InetSocketAddress;
import java.util.Objects;
import java.util.Optional;

/**
 * The admin API: where it listens and the token it wants. See {@link PacerConfig#adminAddress()}
 * for the address these settings add up to.
 *
 * @param port   {@code port}: Nixy's admin API port, on the {@code listen} host. 0, the default, means no admin API
 *               unless {@code admin_listen} is set.
 * @param listen {@code admin_listen}: the admin API's own address, when the file sets one.
 * @param token  {@code admin_token}: when set, every admin endpoint but health, readiness and metrics wants
 *               {@code Authorization: Bearer <token>}. Empty (the default) keeps Nixy's open admin API.
 */
public record Admin(int port, Optional<InetSocketAddress> listen, Optional<String> token) {

    public Admin {
        Objects.requireNonNull(listen, "listen");
        Objects.requireNonNull(token, "token");
    }

    /** This group's {@code pacer.toml} keys and values, for {@link PacerConfig#toString()}; the token masked. */
    @Override
    public String toString() {
        return "port=" + port
                + ", admin_listen=" + listen.map(Object::toString).orElse("none")
                + ", admin_token=" + (token.isEmpty() ? "none" : "\"***\"");
    }
}
