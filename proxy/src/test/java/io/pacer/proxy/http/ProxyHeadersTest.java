package io.pacer.proxy.http;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.netty.handler.codec.http.DefaultHttpHeadersFactory;
import io.netty.handler.codec.http.HttpHeaders;
import java.util.List;
import java.util.TreeSet;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** {@link ProxyHeaders#stripHopByHop} on both kinds of headers the data plane meets. */
class ProxyHeadersTest {

    @ParameterizedTest(name = "flat headers: {0}")
    @ValueSource(booleans = {true, false})
    void removesWhatConnectionNamesButFraming(boolean flat) {
        HttpHeaders h = flat ? FlatHttpHeaders.create() : DefaultHttpHeadersFactory.headersFactory().newHeaders();
        h.add("Connection", "keep-alive, X-One,,\tx-two\t, close, Content-Length, Transfer-Encoding");
        h.add("connection", "Upgrade");
        h.add("X-One", "1").add("X-Two", "2").add("Close", "c").add("X-Kept", "k");
        h.add("Content-Length", "3").add("Keep-Alive", "timeout=5").add("Upgrade", "websocket").add("TE", "trailers");
        h.add("Proxy-Connection", "keep-alive").add("Proxy-Authenticate", "Basic");
        ProxyHeaders.stripHopByHop(h);
        assertEquals(new TreeSet<>(List.of("content-length", "x-kept")), lowered(h));
    }

    /**
     * Several {@code Connection} lines in mixed case, each naming headers before and after it, one
     * naming {@code Connection} itself: every line is read, though removing what one names moves
     * the lines after it.
     */
    @ParameterizedTest(name = "flat headers: {0}")
    @ValueSource(booleans = {true, false})
    void readsEveryConnectionLine(boolean flat) {
        HttpHeaders h = flat ? FlatHttpHeaders.create() : DefaultHttpHeadersFactory.headersFactory().newHeaders();
        h.add("X-Early", "e").add("x-a", "1");
        h.add("CONNECTION", "X-A, connection");
        h.add("X-Kept", "k").add("X-B", "2");
        h.add("connection", "x-b ,X-Early");
        h.add("X-C", "3").add("x-early", "e2");
        h.add("Connection", "x-c");
        h.add("X-Last", "l");
        ProxyHeaders.stripHopByHop(h);
        assertEquals(new TreeSet<>(List.of("x-kept", "x-last")), lowered(h));
        assertEquals("k", h.get("x-kept"));
    }

    private static TreeSet<String> lowered(HttpHeaders h) {
        TreeSet<String> names = new TreeSet<>();
        h.names().forEach(n -> names.add(n.toLowerCase()));
        return names;
    }
}
