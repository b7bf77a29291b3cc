package io.pacer.proxy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.pacer.core.AllowList;
import io.pacer.core.App;
import io.pacer.core.AppOptions;
import io.pacer.core.Task;
import io.pacer.proxy.testing.Closer;
import io.pacer.proxy.testing.RawHttp;
import io.pacer.proxy.testing.RawResponse;
import io.pacer.proxy.testing.RecordedRequest;
import io.pacer.proxy.testing.TestProxy;
import io.pacer.proxy.testing.TestUpstream;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The real client behind another balancer: PROXY protocol v1 and v2 on {@code listen}, and
 * {@code trusted_proxies} whose X-Forwarded-* headers are believed. The access decision
 * ({@code PACER_ALLOW}) and the headers the task gets use that client.
 */
class ClientAddressTest {

    private static final Duration TIMEOUT = Duration.ofSeconds(5);
    private static final String GET = "GET /office/ HTTP/1.1\r\nHost: t\r\n\r\n";

    @RegisterExtension
    final Closer open = new Closer();

    private TestUpstream upstream;

    /** An app that lets in 10.0.0.0/8 and 203.0.113.0/24 only. */
    private App office() {
        upstream = open.track(TestUpstream.echo("office"));
        AppOptions allow = new AppOptions(false, 0, 0, null, null, -1, null,
                AllowList.parse(List.of("10.0.0.0/8", "203.0.113.0/24")), null, null, List.of());
        return new App("/office", List.of("/office/"), List.of(new Task("office.1", "127.0.0.1", upstream.port())),
                List.of(), List.of("/"), allow);
    }

    private static RawResponse send(TestProxy proxy, byte[] bytes) throws Exception {
        try (RawHttp raw = proxy.connect()) {
            return raw.send(bytes).readResponse(TIMEOUT);
        }
    }

    @Test
    void proxyProtocolV1GivesTheClientAddress() throws Exception {
        TestProxy proxy = open.track(TestProxy.start(TestProxy.table(office()), cfg -> cfg.proxyProtocol(true)));
        RawResponse r = send(proxy, ("PROXY TCP4 10.1.2.3 10.0.0.1 51234 80\r\n" + GET)
                .getBytes(StandardCharsets.US_ASCII));
        assertEquals(200, r.status(), r::toString);
        RecordedRequest seen = upstream.takeRequest(TIMEOUT);
        assertEquals("10.1.2.3", seen.header("X-Real-IP"));
        assertEquals("10.1.2.3", seen.header("X-Forwarded-For"));
    }

    @Test
    void proxyProtocolV2GivesTheClientAddress() throws Exception {
        TestProxy proxy = open.track(TestProxy.start(TestProxy.table(office()), cfg -> cfg.proxyProtocol(true)));
        ByteArrayOutputStream v2 = new ByteArrayOutputStream();
        v2.writeBytes(new byte[] {0x0D, 0x0A, 0x0D, 0x0A, 0x00, 0x0D, 0x0A, 0x51, 0x55, 0x49, 0x54, 0x0A});
        v2.writeBytes(new byte[] {0x21, 0x11, 0x00, 0x0C}); // v2 PROXY, TCP over IPv4, 12 address bytes
        v2.writeBytes(new byte[] {(byte) 203, 0, 113, 9, 10, 0, 0, 1, (byte) 0xC8, 0x12, 0x00, 0x50});
        v2.writeBytes(GET.getBytes(StandardCharsets.US_ASCII));
        assertEquals(200, send(proxy, v2.toByteArray()).status());
        assertEquals("203.0.113.9", upstream.takeRequest(TIMEOUT).header("X-Real-IP"));
    }

    @Test
    void aConnectionWithoutTheHeaderIsClosedUnanswered() throws Exception {
        TestProxy proxy = open.track(TestProxy.start(TestProxy.table(office()), cfg -> cfg.proxyProtocol(true)));
        try (RawHttp raw = proxy.connect()) {
            raw.send(GET);
            assertTrue(raw.isClosedByPeer(TIMEOUT));
        }
        assertEquals(0, upstream.requestCount());
    }

    @Test
    void withoutProxyProtocolTheSocketAddressDecides() throws Exception {
        TestProxy proxy = open.track(TestProxy.start(TestProxy.table(office())));
        assertEquals(403, send(proxy, GET.getBytes(StandardCharsets.US_ASCII)).status(), "127.0.0.1 is not allowed");
    }

    @Test
    void trustedProxiesForwardedHeadersAreBelieved() throws Exception {
        TestProxy proxy = open.track(TestProxy.start(TestProxy.table(office()),
                cfg -> cfg.trustedProxies(List.of("127.0.0.0/8", "10.0.0.0/8"))));
        String request = "GET /office/ HTTP/1.1\r\nHost: t\r\nX-Forwarded-For: 198.51.100.1, 203.0.113.9, 10.0.0.2\r\n"
                + "X-Forwarded-Proto: https\r\nX-Forwarded-Host: www.example.org\r\n\r\n";
        assertEquals(200, send(proxy, request.getBytes(StandardCharsets.US_ASCII)).status());
        RecordedRequest seen = upstream.takeRequest(TIMEOUT);
        assertEquals("203.0.113.9", seen.header("X-Real-IP"), "the first untrusted hop from the right");
        assertEquals("198.51.100.1, 203.0.113.9, 10.0.0.2, 127.0.0.1", seen.header("X-Forwarded-For"));
        assertEquals("https", seen.header("X-Forwarded-Proto"));
        assertEquals("www.example.org", seen.header("X-Forwarded-Host"));
    }

    @Test
    void untrustedForwardedHeadersAreOverwritten() throws Exception {
        TestUpstream echo = open.track(TestUpstream.echo("plain"));
        TestProxy proxy = open.track(TestProxy.start(TestProxy.table(TestProxy.app("/plain", echo))));
        String request = "GET /plain/ HTTP/1.1\r\nHost: t\r\nX-Forwarded-For: 10.9.9.9\r\n"
                + "X-Forwarded-Proto: https\r\nX-Forwarded-Host: evil.example\r\n\r\n";
        assertEquals(200, send(proxy, request.getBytes(StandardCharsets.US_ASCII)).status());
        RecordedRequest seen = echo.takeRequest(TIMEOUT);
        assertEquals("127.0.0.1", seen.header("X-Real-IP"));
        assertEquals("http", seen.header("X-Forwarded-Proto"));
        assertEquals("t", seen.header("X-Forwarded-Host"));
        assertEquals("10.9.9.9, 127.0.0.1", seen.header("X-Forwarded-For"));
    }
}
