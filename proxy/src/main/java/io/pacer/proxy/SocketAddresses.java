package io.pacer.proxy;

import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.InetSocketAddress;

/** Socket addresses written as {@code pacer.toml} writes them: {@code 0.0.0.0:8080}, {@code [::1]:8000}. */
final class SocketAddresses {

    private SocketAddresses() { }

    static String show(InetAddress host, int port) {
        return show(new InetSocketAddress(host, port));
    }

    static String show(InetSocketAddress address) {
        if (address.getAddress() == null) {
            return address.getHostString() + ":" + address.getPort();
        }
        String host = address.getAddress().getHostAddress();
        int zone = host.indexOf('%');
        if (zone >= 0) {
            host = host.substring(0, zone);
        }
        if (address.getAddress() instanceof Inet6Address) {
            host = "::".equals(host) || "0:0:0:0:0:0:0:0".equals(host) ? "::" : host;
            return "[" + host + "]:" + address.getPort();
        }
        return host + ":" + address.getPort();
    }
}
