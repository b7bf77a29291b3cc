package io.pacer.proxy.http;

import io.netty.handler.codec.http.HttpHeaders;
import io.pacer.core.AllowList;
import java.net.InetAddress;
import java.util.List;

/**
 * The client behind trusted proxies ({@code trusted_proxies}), as Nginx's {@code real_ip} module
 * with {@code real_ip_recursive on} finds it: walking {@code X-Forwarded-For} from the right, the
 * first address that is not itself a trusted proxy. Entries that are not IP literals stop the walk
 * (nothing is ever resolved); an empty or unusable header leaves the peer as the client.
 */
final class ForwardedClient {

    static final String X_FORWARDED_FOR = "X-Forwarded-For";

    private ForwardedClient() { }

    static InetAddress of(HttpHeaders headers, InetAddress peer, AllowList trusted) {
        List<String> lines = headers.getAll(X_FORWARDED_FOR);
        InetAddress client = peer;
        for (int l = lines.size() - 1; l >= 0; l--) {
            String line = lines.get(l);
            int end = line.length();
            while (end > 0) {
                int comma = line.lastIndexOf(',', end - 1);
                String entry = line.substring(comma + 1, end).trim();
                end = comma < 0 ? 0 : comma;
                if (entry.isEmpty()) {
                    continue;
                }
                InetAddress hop = AllowList.address(entry);
                if (hop == null) {
                    return client;
                }
                client = hop;
                if (!trusted.allows(hop)) {
                    return hop;
                }
            }
        }
        return client;
    }
}
