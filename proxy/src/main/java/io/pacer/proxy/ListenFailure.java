package io.pacer.proxy;

import java.net.InetSocketAddress;
import java.util.Locale;

/**
 * A socket Pacer could not listen on, said the way an operator fixes it: the configuration key,
 * the address and the reason, as in {@code listen 0.0.0.0:8080: address already in use}.
 */
final class ListenFailure extends Exception {

    private static final long serialVersionUID = 1L;

    private ListenFailure(String message, Throwable cause) {
        super(message, cause);
    }

    /**
     * @param key     the key that set the address ({@code listen}, {@code admin_listen} or {@code port})
     * @param address what was asked for
     * @param cause   what the bind threw (Java's BindException or Netty's native error)
     */
    static ListenFailure of(String key, InetSocketAddress address, Throwable cause) {
        return new ListenFailure(key + " " + SocketAddresses.show(address) + ": " + reason(address, cause), cause);
    }

    private static String reason(InetSocketAddress address, Throwable cause) {
        for (Throwable t = cause; t != null; t = t.getCause()) {
            String message = t.getMessage() == null ? "" : t.getMessage().toLowerCase(Locale.ROOT);
            if (message.contains("address already in use")) {
                return "address already in use";
            }
            if (message.contains("permission denied") || message.contains("access denied")) {
                return address.getPort() < 1024
                        ? "permission denied (ports below 1024 need root or CAP_NET_BIND_SERVICE)"
                        : "permission denied";
            }
            if (message.contains("cannot assign requested address")) {
                return "no interface of this machine has that address";
            }
        }
        return String.valueOf(cause.getMessage());
    }
}
