package io.pacer.config;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.UnknownHostException;

/**
 * The {@code listen} key: {@code host:port}, {@code :port}, {@code [::1]:port} or a bare port, as
 * in Nginx's {@code listen}. An empty host or {@code *} means every IPv4 interface. Host names are
 * resolved once, at load time, so a typo fails the start instead of the first bind.
 */
final class ListenAddress {

    private static final String FORMS = "use \"host:port\", \":port\" or \"[::1]:port\"";

    private ListenAddress() { }

    static InetSocketAddress parse(String text) throws BadValue {
        if (!text.isEmpty() && Text.isDigits(text, 0, text.length())) {
            return new InetSocketAddress(port(text, text));
        }
        String host;
        String port;
        if (text.startsWith("[")) {
            int close = text.indexOf(']');
            if (close < 0 || close + 1 >= text.length() || text.charAt(close + 1) != ':') {
                throw new BadValue(Text.quote(text) + " is not an address (" + FORMS + ")");
            }
            host = text.substring(1, close);
            if (host.indexOf(':') < 0) {
                throw new BadValue(Text.quote(text) + ": only IPv6 addresses go in brackets");
            }
            port = text.substring(close + 2);
        } else {
            int colon = text.lastIndexOf(':');
            if (colon < 0) {
                throw new BadValue(Text.quote(text) + " has no port (" + FORMS + ")");
            }
            host = text.substring(0, colon);
            if (host.indexOf(':') >= 0) {
                throw new BadValue(Text.quote(text) + ": put an IPv6 address in brackets, as in \"[::1]:8080\"");
            }
            port = text.substring(colon + 1);
        }
        int number = port(text, port);
        if (host.isEmpty() || host.equals("*")) {
            return new InetSocketAddress(number);
        }
        return new InetSocketAddress(resolve(text, host), number);
    }

    private static int port(String text, String port) throws BadValue {
        if (port.isEmpty() || port.length() > 5 || !Text.isDigits(port, 0, port.length())) {
            throw new BadValue(Text.quote(text) + " has no valid port (" + FORMS + ")");
        }
        int number = Integer.parseInt(port);
        if (number > 65535) {
            throw new BadValue(Text.quote(text) + ": port " + number + " is outside 0-65535");
        }
        return number;
    }

    private static InetAddress resolve(String text, String host) throws BadValue {
        if (host.indexOf(':') < 0 && !isHostName(host)) {
            throw new BadValue(Text.quote(text) + ": " + Text.quote(host) + " is not a host name or IP address");
        }
        try {
            return InetAddress.getByName(host);
        } catch (UnknownHostException e) {
            throw new BadValue(Text.quote(text) + ": " + (host.indexOf(':') >= 0
                    ? Text.quote(host) + " is not an IPv6 address"
                    : "cannot resolve " + Text.quote(host)));
        }
    }

    /** Letters, digits, dots and hyphens: enough to refuse what a resolver would only choke on. */
    private static boolean isHostName(String host) {
        for (int i = 0; i < host.length(); i++) {
            char c = host.charAt(i);
            boolean ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9')
                    || c == '.' || c == '-';
            if (!ok) {
                return false;
            }
        }
        return true;
    }
}
