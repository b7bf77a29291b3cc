package io.pacer.proxy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.pacer.core.App;
import io.pacer.core.HttpsPolicy;
import io.pacer.proxy.testing.Cli;
import io.pacer.proxy.testing.Closer;
import io.pacer.proxy.testing.RawHttp;
import io.pacer.proxy.testing.RawResponse;
import io.pacer.proxy.testing.Reply;
import io.pacer.proxy.testing.TestCertificates;
import io.pacer.proxy.testing.TestProxy;
import io.pacer.proxy.testing.TestUpstream;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/** The PACER_REDIRECT_TO_HTTPS and PACER_HSTS labels, as the data plane applies them. */
class HttpsLabelsTest {

    private static final Duration TIMEOUT = Duration.ofSeconds(10);

    @RegisterExtension
    final Closer open = new Closer();

    @TempDir
    Path dir;

    private TestUpstream upstream;
    private App secureShop;
    private App plainBlog;

    @BeforeEach
    void apps() {
        upstream = open.track(TestUpstream.start("u1", req -> Reply.ok("hello " + req.path())));
        secureShop = new App("/shop", List.of("/shop"), TestProxy.app("/shop", upstream).tasks(),
                new HttpsPolicy(true, "max-age=600; includeSubDomains"));
        plainBlog = TestProxy.app("/blog", upstream);
    }

    private TestProxy proxy(boolean tls) throws Exception {
        if (!tls) {
            return open.track(TestProxy.start(TestProxy.table(secureShop, plainBlog)));
        }
        Path certs = Files.createDirectory(dir.resolve("certs"));
        TestCertificates.in(dir.resolve("staging")).pair(certs, "shop", "shop.test", "shop.test");
        return open.track(TestProxy.start(TestProxy.table(secureShop, plainBlog), c -> c
                .tlsListen(new InetSocketAddress("127.0.0.1", 0)).tlsCertificates(certs)));
    }

    @Test
    void plainHttpForAnAppThatAsksForHttpsGets301ToTheTlsPort() throws Exception {
        TestProxy proxy = proxy(true);
        try (RawHttp client = open.track(proxy.connect())) {
            client.send("GET /shop/cart?id=7 HTTP/1.1\r\nHost: shop.test:8080\r\n\r\n");
            RawResponse redirect = client.readResponse(TIMEOUT);
            assertEquals(301, redirect.status());
            assertEquals("https://shop.test:" + proxy.tlsPort() + "/shop/cart?id=7", redirect.header("Location"));
            assertNull(redirect.header("Strict-Transport-Security"), "never over plain HTTP");
            // The connection stays usable, and an app without the label is proxied as before.
            client.send("GET /blog/ HTTP/1.1\r\nHost: shop.test\r\n\r\n");
            RawResponse blog = client.readResponse(TIMEOUT);
            assertEquals(200, blog.status());
            assertNull(blog.header("Strict-Transport-Security"));
        }
        assertEquals(List.of("/blog/"), upstream.requests().stream().map(r -> r.path()).toList());
    }

    @Test
    void behindATrustedBalancerThatTerminatedTlsThereIsNoRedirect() throws Exception {
        TestProxy proxy = open.track(TestProxy.start(TestProxy.table(secureShop, plainBlog),
                c -> c.trustedProxies(List.of("127.0.0.0/8"))));
        try (RawHttp client = open.track(proxy.connect())) {
            client.send("GET /shop/a HTTP/1.1\r\nHost: shop.test\r\nX-Forwarded-Proto: https\r\n\r\n");
            assertEquals(200, client.readResponse(TIMEOUT).status(), "already https at the balancer");
            client.send("GET /shop/b HTTP/1.1\r\nHost: shop.test\r\nX-Forwarded-Proto: http\r\n\r\n");
            assertEquals(301, client.readResponse(TIMEOUT).status());
        }
        // From a peer that is not trusted, the header means nothing.
        TestProxy untrusting = open.track(TestProxy.start(TestProxy.table(secureShop, plainBlog)));
        try (RawHttp client = open.track(untrusting.connect())) {
            client.send("GET /shop/c HTTP/1.1\r\nHost: shop.test\r\nX-Forwarded-Proto: https\r\n\r\n");
            assertEquals(301, client.readResponse(TIMEOUT).status());
        }
    }

    @Test
    void withoutTlsListenTheRedirectIsToPort443() throws Exception {
        TestProxy proxy = proxy(false);
        try (RawHttp client = open.track(proxy.connect())) {
            client.send("HEAD /shop/ HTTP/1.1\r\nHost: [::1]:8080\r\n\r\n");
            RawResponse redirect = client.readResponseToHead(TIMEOUT);
            assertEquals(301, redirect.status());
            assertEquals("https://[::1]/shop/", redirect.header("Location"));
        }
    }

    @Test
    void aHostThatIsNotAHostNameGets400NotARedirect() throws Exception {
        TestProxy proxy = proxy(false);
        for (String host : List.of("evil.example/phish", "a b", "[zz]:1", "")) {
            try (RawHttp client = open.track(proxy.connect())) {
                client.send("GET /shop/ HTTP/1.1\r\nHost: " + host + "\r\n\r\n");
                RawResponse answer = client.readResponse(TIMEOUT);
                assertEquals(400, answer.status(), host);
                assertNull(answer.header("Location"), host);
            }
        }
        assertEquals(0, upstream.requestCount());
    }

    @Test
    void answersOverTlsCarryStrictTransportSecurityOverHttp1AndHttp2() throws Exception {
        Cli.assumeInstalled("curl");
        TestProxy proxy = proxy(true);
        for (String version : List.of("--http1.1", "--http2")) {
            Cli.Result shop = Cli.run(TIMEOUT, "curl", "-sS", version, "-D", "-", "--cacert",
                    dir.resolve("certs/shop.crt").toString(), "--resolve", "shop.test:" + proxy.tlsPort() + ":127.0.0.1",
                    "https://shop.test:" + proxy.tlsPort() + "/shop/x");
            String text = shop.output().toLowerCase();
            assertTrue(text.contains("strict-transport-security: max-age=600; includesubdomains"), version + ": " + shop.output());
            assertTrue(text.contains("hello /shop/x"), shop.output());
            Cli.Result blog = Cli.run(TIMEOUT, "curl", "-sS", version, "-D", "-", "--cacert",
                    dir.resolve("certs/shop.crt").toString(), "--resolve", "shop.test:" + proxy.tlsPort() + ":127.0.0.1",
                    "https://shop.test:" + proxy.tlsPort() + "/blog/");
            assertFalse(blog.output().toLowerCase().contains("strict-transport-security"), blog.output());
        }
    }
}
