package io.pacer.core;

import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.ArrayList;
import java.util.List;

/**
 * Client networks an app accepts requests from ({@code PACER_ALLOW}), as CIDR blocks
 * ({@code 10.0.0.0/8}, {@code 2001:db8::/32}) or single addresses. An IPv4 client reached over an
 * IPv6 socket ({@code ::ffff:10.1.2.3}) is matched as the IPv4 address it is.
 */
public final class AllowList {

    private final List<byte[]> networks;
    private final int[] prefixLengths;
    private final List<String> shown;

    private AllowList(List<byte[]> networks, int[] prefixLengths, List<String> shown) {
        this.networks = networks;
        this.prefixLengths = prefixLengths;
        this.shown = shown;
    }

    /**
     * @param blocks CIDR blocks or addresses, each an IP literal (no host name is ever resolved)
     * @throws IllegalArgumentException naming the first block that is not one
     */
    public static AllowList parse(List<String> blocks) {
        if (blocks.isEmpty()) {
            throw new IllegalArgumentException("lists no network");
        }
        List<byte[]> networks = new ArrayList<>();
        int[] lengths = new int[blocks.size()];
        for (int i = 0; i < blocks.size(); i++) {
            String block = blocks.get(i).trim();
            int slash = block.indexOf('/');
            byte[] address = literal(slash < 0 ? block : block.substring(0, slash), block);
            int bits = address.length * 8;
            int length = bits;
            if (slash >= 0) {
                try {
                    length = Integer.parseInt(block.substring(slash + 1));
                } catch (NumberFormatException e) {
                    length = -1;
                }
                if (length < 0 || length > bits) {
                    throw new IllegalArgumentException("'" + block + "' has no valid prefix length (0-" + bits + ")");
                }
            }
            networks.add(address);
            lengths[i] = length;
        }
        return new AllowList(networks, lengths, List.copyOf(blocks));
    }

    /** Whether {@code client} is in one of the networks; {@code null} (no address known) is not. */
    public boolean allows(InetAddress client) {
        if (client == null) {
            return false;
        }
        byte[] address = unmapped(client.getAddress());
        for (int i = 0; i < networks.size(); i++) {
            if (matches(networks.get(i), prefixLengths[i], address)) {
                return true;
            }
        }
        return false;
    }

    private static boolean matches(byte[] network, int length, byte[] address) {
        if (network.length != address.length) {
            return false;
        }
        int full = length / 8;
        for (int i = 0; i < full; i++) {
            if (network[i] != address[i]) {
                return false;
            }
        }
        int rest = length % 8;
        if (rest == 0) {
            return true;
        }
        int mask = 0xFF << (8 - rest) & 0xFF;
        return (network[full] & mask) == (address[full] & mask);
    }

    /** {@code ::ffff:a.b.c.d} as the four bytes of {@code a.b.c.d}. */
    private static byte[] unmapped(byte[] address) {
        if (address.length == 16) {
            for (int i = 0; i < 10; i++) {
                if (address[i] != 0) {
                    return address;
                }
            }
            if (address[10] == (byte) 0xFF && address[11] == (byte) 0xFF) {
                return new byte[] {address[12], address[13], address[14], address[15]};
            }
        }
        return address;
    }

    /** {@code text} as an IP address when it is an IP literal, else {@code null}; never a DNS lookup. */
    public static InetAddress address(String text) {
        try {
            byte[] bytes = literal(text.trim(), text);
            return InetAddress.getByAddress(bytes);
        } catch (IllegalArgumentException | UnknownHostException e) {
            return null;
        }
    }

    private static byte[] literal(String text, String block) {
        boolean literal = !text.isEmpty();
        for (int i = 0; i < text.length() && literal; i++) {
            char c = text.charAt(i);
            literal = c == '.' || c == ':' || Character.digit(c, 16) >= 0;
        }
        if (literal && (text.indexOf(':') >= 0 || text.chars().filter(c -> c == '.').count() == 3)) {
            try {
                return unmapped(InetAddress.getByName(text).getAddress()); // a literal: no lookup
            } catch (UnknownHostException e) {
                // not an address after all
            }
        }
        throw new IllegalArgumentException("'" + block + "' is not an IP address or CIDR block");
    }

    @Override
    public String toString() {
        return String.join(",", shown);
    }
}
