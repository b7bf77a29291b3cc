package io.pacer.proxy.tls;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.pacer.proxy.Main;
import io.pacer.proxy.testing.Await;
import io.pacer.proxy.testing.Cli;
import io.pacer.proxy.testing.Closer;
import io.pacer.proxy.testing.RecordedRequest;
import io.pacer.proxy.testing.Reply;
import io.pacer.proxy.testing.TestCertificates;
import io.pacer.proxy.testing.TestProxy;
import io.pacer.proxy.testing.TestUpstream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code tls_listen} with real clients: curl over HTTP/1.1, openssl s_client for the certificate
 * chosen by SNI, certificates changed while Pacer runs.
 */
class TlsListenerTest {

    private static final Duration CLI = Duration.ofSeconds(20);
    private static final Pattern SUBJECT = Pattern.compile("(?m)^subject=.*?CN\\s?=\\s?([^,\\s/]+)");

    @RegisterExtension
    final Closer open = new Closer();

    @TempDir
    Path dir;

    private Path certs;
    private TestCertificates make;
    private TestUpstream upstream;

    @BeforeEach
    void certificates() throws IOException {
        certs = Files.createDirectory(dir.resolve("certs"));
        make = TestCertificates.in(dir.resolve("staging"));
        make.pair(certs, "a", "a.test", "a.test", "www.a.test");
        make.pem(certs, "wild", "wild.test", "*.wild.test");
        upstream = open.track(TestUpstream.start("u1", req -> Reply.ok("hello " + req.path())));
    }

    private TestProxy proxy(String defaultCertificate) {
        return open.track(TestProxy.start(TestProxy.table(TestProxy.app("/app", upstream)), c -> c
                .tlsListen(new InetSocketAddress("127.0.0.1", 0))
                .tlsCertificates(certs)
                .tlsDefaultCertificate(defaultCertificate)));
    }

    /** The CN of the certificate a handshake naming {@code sni} gets ({@code null}: no SNI). */
    private static String servedCn(TestProxy proxy, String sni) {
        List<String> command = new ArrayList<>(List.of("openssl", "s_client", "-connect", "127.0.0.1:" + proxy.tlsPort()));
        if (sni == null) {
            command.add("-noservername");
        } else {
            command.add("-servername");
            command.add(sni);
        }
        Cli.Result result = Cli.run(CLI, command);
        Matcher m = SUBJECT.matcher(result.output());
        if (!m.find()) {
            throw new AssertionError("no certificate subject in s_client's output: " + result.output());
        }
        return m.group(1);
    }

    private Cli.Result curl(TestProxy proxy, String host, String path, String... more) {
        List<String> command = new ArrayList<>(List.of("curl", "-sS", "--max-time", "15",
                "--cacert", certs.resolve("a.crt").toString(),
                "--resolve", host + ":" + proxy.tlsPort() + ":127.0.0.1"));
        command.addAll(List.of(more));
        command.add("https://" + host + ":" + proxy.tlsPort() + path);
        return Cli.run(CLI, command);
    }

    @Test
    void curlOverTlsReachesTheTaskWithXForwardedProtoHttps() throws Exception {
        Cli.assumeInstalled("curl");
        TestProxy proxy = proxy(null);
        Cli.Result result = curl(proxy, "a.test", "/app/x", "--http1.1", "-w", "\n%{http_code} %{http_version}");
        assertTrue(result.ok(), result.output());
        assertEquals("hello /app/x\n200 1.1", result.output());
        RecordedRequest seen = upstream.takeRequest(Duration.ofSeconds(5));
        assertEquals("https", seen.header("X-Forwarded-Proto"));
        assertEquals("a.test:" + proxy.tlsPort(), seen.header("Host"));
        assertEquals("HTTP/1.1", seen.version().text());
        // The plain listener still says http.
        Cli.Result plain = Cli.run(CLI, "curl", "-sS", "--http1.1", "http://127.0.0.1:" + proxy.port() + "/app/y");
        assertEquals("hello /app/y", plain.output());
        assertEquals("http", upstream.takeRequest(Duration.ofSeconds(5)).header("X-Forwarded-Proto"));
    }

    @Test
    void webSocketsTunnelThroughTls() throws Exception {
        TestUpstream ws = open.track(TestUpstream.webSocketEcho("ws"));
        make.pair(certs, "local", "localhost", "localhost");
        TestProxy proxy = open.track(TestProxy.start(TestProxy.table(TestProxy.app("/chat", ws)), c -> c
                .tlsListen(new InetSocketAddress("127.0.0.1", 0))
                .tlsCertificates(certs)
                .tlsDefaultCertificate("local")));
        java.security.KeyStore trusted = java.security.KeyStore.getInstance("PKCS12");
        trusted.load(null, null);
        try (InputStream in = Files.newInputStream(certs.resolve("local.crt"))) {
            trusted.setCertificateEntry("local", java.security.cert.CertificateFactory.getInstance("X.509")
                    .generateCertificate(in));
        }
        javax.net.ssl.TrustManagerFactory trust = javax.net.ssl.TrustManagerFactory.getInstance(
                javax.net.ssl.TrustManagerFactory.getDefaultAlgorithm());
        trust.init(trusted);
        javax.net.ssl.SSLContext tls = javax.net.ssl.SSLContext.getInstance("TLS");
        tls.init(null, trust.getTrustManagers(), null);
        java.net.http.HttpClient client = java.net.http.HttpClient.newBuilder().sslContext(tls).build();
        io.pacer.proxy.testing.WebSocketMessages messages = new io.pacer.proxy.testing.WebSocketMessages(Duration.ofSeconds(10));
        java.net.http.WebSocket socket = client.newWebSocketBuilder()
                .buildAsync(java.net.URI.create("wss://localhost:" + proxy.tlsPort() + "/chat/room"), messages)
                .get(10, java.util.concurrent.TimeUnit.SECONDS);
        socket.sendText("hello over tls", true).get(10, java.util.concurrent.TimeUnit.SECONDS);
        assertEquals("hello over tls", messages.next());
        byte[] big = new byte[1 << 20];
        new java.util.Random(1).nextBytes(big);
        socket.sendBinary(java.nio.ByteBuffer.wrap(big), true).get(10, java.util.concurrent.TimeUnit.SECONDS);
        Object echoed = messages.next();
        assertTrue(echoed instanceof byte[] bytes && java.util.Arrays.equals(big, bytes), "1 MB echoed byte for byte");
        socket.sendClose(java.net.http.WebSocket.NORMAL_CLOSURE, "bye").get(10, java.util.concurrent.TimeUnit.SECONDS);
        assertEquals("close:1000", messages.next());
        assertEquals("https", ws.takeRequest(Duration.ofSeconds(5)).header("X-Forwarded-Proto"));
    }

    @Test
    void aProxyProtocolHeaderBeforeTheHandshakeNamesTheClient() throws Exception {
        TestProxy proxy = open.track(TestProxy.start(TestProxy.table(TestProxy.app("/app", upstream)), c -> c
                .tlsListen(new InetSocketAddress("127.0.0.1", 0)).tlsCertificates(certs).proxyProtocol(true)));
        java.security.KeyStore trusted = java.security.KeyStore.getInstance("PKCS12");
        trusted.load(null, null);
        try (InputStream in = Files.newInputStream(certs.resolve("a.crt"))) {
            trusted.setCertificateEntry("a", java.security.cert.CertificateFactory.getInstance("X.509").generateCertificate(in));
        }
        javax.net.ssl.TrustManagerFactory trust = javax.net.ssl.TrustManagerFactory.getInstance(
                javax.net.ssl.TrustManagerFactory.getDefaultAlgorithm());
        trust.init(trusted);
        javax.net.ssl.SSLContext context = javax.net.ssl.SSLContext.getInstance("TLS");
        context.init(null, trust.getTrustManagers(), null);
        try (Socket plain = new Socket("127.0.0.1", proxy.tlsPort())) {
            plain.getOutputStream().write("PROXY TCP4 198.51.100.9 127.0.0.1 4444 443\r\n".getBytes(StandardCharsets.US_ASCII));
            javax.net.ssl.SSLSocket tls = (javax.net.ssl.SSLSocket) context.getSocketFactory()
                    .createSocket(plain, "a.test", proxy.tlsPort(), true);
            javax.net.ssl.SSLParameters parameters = tls.getSSLParameters();
            parameters.setServerNames(List.of(new javax.net.ssl.SNIHostName("a.test")));
            tls.setSSLParameters(parameters);
            tls.setSoTimeout(5000);
            tls.getOutputStream().write("GET /app/p HTTP/1.1\r\nHost: a.test\r\nConnection: close\r\n\r\n"
                    .getBytes(StandardCharsets.US_ASCII));
            String answer = new String(tls.getInputStream().readAllBytes(), StandardCharsets.ISO_8859_1);
            assertTrue(answer.startsWith("HTTP/1.1 200") && answer.endsWith("hello /app/p"), answer);
        }
        RecordedRequest seen = upstream.takeRequest(Duration.ofSeconds(5));
        assertEquals("198.51.100.9", seen.header("X-Real-IP"));
        assertEquals("https", seen.header("X-Forwarded-Proto"));
    }

    @Test
    void sniChoosesByExactAndWildcardNames() {
        Cli.assumeInstalled("openssl");
        TestProxy proxy = proxy("wild");
        assertEquals("a.test", servedCn(proxy, "a.test"));
        assertEquals("a.test", servedCn(proxy, "WWW.A.TEST"));
        assertEquals("wild.test", servedCn(proxy, "x.wild.test"));
        // A wildcard covers one label only; unknown names and clients without SNI get the default.
        assertEquals("wild.test", servedCn(proxy, "x.y.a.test"));
        assertEquals("wild.test", servedCn(proxy, "unknown.example"));
        assertEquals("wild.test", servedCn(proxy, null));
    }

    @Test
    void withoutADefaultTheFirstByNameServesClientsWithoutSni() {
        TestProxy proxy = proxy(null);
        assertEquals("a.test", servedCn(proxy, null));
        CertificateStore store = proxy.server().certificates();
        assertEquals(List.of("a", "wild"), List.copyOf(store.certificates().keySet()));
        assertEquals("wild", store.select("b.wild.test").name());
        assertEquals("a", store.select("wild.test").name()); // *.wild.test does not cover wild.test
    }

    @Test
    void aReplacedCertificateIsServedOnTheNextHandshake() throws Exception {
        TestProxy proxy = proxy(null);
        assertEquals("a.test", servedCn(proxy, "a.test"));
        make.pair(certs, "a", "renewed.a.test", "a.test");
        Await.until(Duration.ofSeconds(10), () -> "renewed.a.test".equals(servedCn(proxy, "a.test")),
                "the renewed certificate served for a.test");
        // A new file adds names; a removed one takes them away.
        make.pair(certs, "b", "b.test", "b.test");
        Await.until(Duration.ofSeconds(10), () -> "b.test".equals(servedCn(proxy, "b.test")), "b.test served");
        Files.delete(certs.resolve("wild.pem"));
        Await.until(Duration.ofSeconds(10), () -> "renewed.a.test".equals(servedCn(proxy, "x.wild.test")),
                "x.wild.test falls back to the default once wild.pem is gone");
    }

    @Test
    void aBadFileIsSkippedAndTheLastGoodVersionStays() throws Exception {
        TestProxy proxy = proxy(null);
        CertificateStore store = proxy.server().certificates();
        ServerCertificate before = store.certificates().get("a");
        // A garbage certificate for a, a key that belongs to another certificate, a crt without key.
        Files.writeString(certs.resolve("a.crt.tmp"), "not a certificate");
        Files.move(certs.resolve("a.crt.tmp"), certs.resolve("a.crt"), java.nio.file.StandardCopyOption.REPLACE_EXISTING);
        Path other = Files.createDirectory(dir.resolve("other"));
        make.pair(other, "c", "c.test", "c.test");
        Files.copy(other.resolve("c.crt"), certs.resolve("mismatch.crt"));
        Files.copy(certs.resolve("wild.pem"), certs.resolve("mismatch.key"));
        Files.copy(other.resolve("c.crt"), certs.resolve("lonely.crt"));
        Files.writeString(certs.resolve("trigger.pem"), "garbage");
        make.pair(certs, "d", "d.test", "d.test"); // proof that the reload after the bad files happened
        Await.until(Duration.ofSeconds(10), () -> store.certificates().containsKey("d"), "d loaded");
        assertTrue(store.certificates().get("a") == before, "a kept its last good version");
        assertFalse(store.certificates().containsKey("mismatch"));
        assertFalse(store.certificates().containsKey("lonely"));
        assertFalse(store.certificates().containsKey("trigger"));
        assertEquals("a.test", servedCn(proxy, "a.test"));
        assertEquals("d.test", servedCn(proxy, "d.test"));
    }

    @Test
    void oldProtocolsAndWeakCiphersAreRefused() {
        TestProxy proxy = proxy(null);
        String target = "127.0.0.1:" + proxy.tlsPort();
        assertTrue(Cli.run(CLI, "openssl", "s_client", "-connect", target, "-tls1_2").ok());
        assertTrue(Cli.run(CLI, "openssl", "s_client", "-connect", target, "-tls1_3").ok());
        Cli.Result tls11 = Cli.run(CLI, "openssl", "s_client", "-connect", target, "-tls1_1", "-cipher", "ALL:@SECLEVEL=0");
        assertFalse(tls11.ok(), tls11.output());
        for (String weak : List.of("AES128-SHA", "ECDHE-RSA-AES128-SHA", "AES256-GCM-SHA384", "ECDHE-ECDSA-AES128-SHA256")) {
            Cli.Result result = Cli.run(CLI, "openssl", "s_client", "-connect", target, "-tls1_2", "-cipher", weak);
            assertFalse(result.ok(), weak + " accepted: " + result.output());
        }
    }

    @Test
    void sessionsAreResumed() throws Exception {
        TestProxy proxy = proxy(null);
        String target = "127.0.0.1:" + proxy.tlsPort();
        Path session = dir.resolve("session");
        // A whole request and answer, so that TLS 1.3's tickets, sent after the handshake, arrive.
        byte[] request = "GET /app/ HTTP/1.1\r\nHost: a.test\r\nConnection: close\r\n\r\n".getBytes(StandardCharsets.US_ASCII);
        for (String version : List.of("-tls1_2", "-tls1_3")) {
            Cli.Result first = Cli.run(CLI, request, List.of("openssl", "s_client", "-connect", target, version,
                    "-servername", "a.test", "-ign_eof", "-sess_out", session.toString()));
            assertTrue(first.ok() && first.output().contains("hello /app/"), first.output());
            Cli.Result second = Cli.run(CLI, request, List.of("openssl", "s_client", "-connect", target, version,
                    "-servername", "a.test", "-ign_eof", "-sess_in", session.toString()));
            assertTrue(second.output().contains("Reused,"), version + ": " + second.output());
        }
    }

    @Test
    void plainHttpOnTheTlsPortIsDroppedAndTheListenerCarriesOn() throws Exception {
        TestProxy proxy = proxy(null);
        try (Socket socket = new Socket("127.0.0.1", proxy.tlsPort())) {
            socket.setSoTimeout(5000);
            OutputStream out = socket.getOutputStream();
            out.write("GET /app/ HTTP/1.1\r\nHost: a.test\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
            out.flush();
            InputStream in = socket.getInputStream();
            byte[] rest = in.readAllBytes(); // ends when Pacer closes
            assertFalse(new String(rest, StandardCharsets.ISO_8859_1).contains("hello"));
        }
        assertEquals("a.test", servedCn(proxy, "a.test"));
    }

    @Test
    void startingWithoutAUsableCertificateFailsWithTheReason() throws Exception {
        Path empty = Files.createDirectory(dir.resolve("empty"));
        Files.writeString(empty.resolve("x.pem"), "garbage");
        CertificateSetupException e = org.junit.jupiter.api.Assertions.assertThrows(CertificateSetupException.class,
                () -> TestProxy.start(TestProxy.table(), c -> c.tlsListen(new InetSocketAddress("127.0.0.1", 0))
                        .tlsCertificates(empty)));
        assertTrue(e.getMessage().contains("no usable certificate in " + empty), e.getMessage());
        CertificateSetupException missingDefault = org.junit.jupiter.api.Assertions.assertThrows(CertificateSetupException.class,
                () -> TestProxy.start(TestProxy.table(), c -> c.tlsListen(new InetSocketAddress("127.0.0.1", 0))
                        .tlsCertificates(certs).tlsDefaultCertificate("nope")));
        assertTrue(missingDefault.getMessage().contains("tls_default_certificate: no usable certificate named nope"),
                missingDefault.getMessage());
    }

    @Test
    void checkReadsTheCertificates() throws Exception {
        Path toml = Files.writeString(dir.resolve("pacer.toml"),
                "tls_listen = \"127.0.0.1:0\"\ntls_certificates = \"certs\"\ntls_default_certificate = \"a\"\n");
        assertEquals(0, check(toml).status(), check(toml).output());
        Path broken = Files.createDirectory(dir.resolve("broken"));
        Files.writeString(broken.resolve("x.pem"), "garbage");
        Path bad = Files.writeString(dir.resolve("bad.toml"),
                "tls_listen = \"127.0.0.1:0\"\ntls_certificates = \"broken\"\n");
        Cli.Result failed = check(bad);
        assertEquals(2, failed.status(), failed.output());
        assertTrue(failed.output().contains(bad + ": tls_certificates: no usable certificate in " + broken),
                failed.output());
    }

    /** {@code pacer --check -f toml}: its exit status and what it wrote on stderr. */
    private static Cli.Result check(Path toml) {
        java.io.ByteArrayOutputStream err = new java.io.ByteArrayOutputStream();
        int status;
        try (java.io.PrintStream o = new java.io.PrintStream(new java.io.ByteArrayOutputStream(), true, StandardCharsets.UTF_8);
             java.io.PrintStream e = new java.io.PrintStream(err, true, StandardCharsets.UTF_8)) {
            status = Main.run(new String[] {"--check", "-f", toml.toString()}, o, e);
        }
        return new Cli.Result(status, err.toString(StandardCharsets.UTF_8));
    }

    @Test
    void aTlsListenAddressInUseExitsOneNamingTlsListen() throws Exception {
        try (java.net.ServerSocket taken = new java.net.ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
            Path toml = Files.writeString(dir.resolve("pacer.toml"), "listen = \"127.0.0.1:0\"\nworker_threads = 1\n"
                    + "tls_listen = \"127.0.0.1:" + taken.getLocalPort() + "\"\ntls_certificates = \"certs\"\n");
            java.io.ByteArrayOutputStream err = new java.io.ByteArrayOutputStream();
            int status;
            try (java.io.PrintStream o = new java.io.PrintStream(new java.io.ByteArrayOutputStream(), true, StandardCharsets.UTF_8);
                 java.io.PrintStream e = new java.io.PrintStream(err, true, StandardCharsets.UTF_8)) {
                status = Main.run(new String[] {"-f", toml.toString()}, o, e);
            }
            String message = err.toString(StandardCharsets.UTF_8).strip();
            assertEquals(1, status, message);
            assertEquals("pacer: cannot start: tls_listen 127.0.0.1:" + taken.getLocalPort() + ": address already in use",
                    message);
        }
    }

    @Test
    void pacerExitsTwoNamingTheKeyWhenNoCertificateIsUsable() throws Exception {
        Path empty = Files.createDirectory(dir.resolve("empty"));
        Files.writeString(empty.resolve("x.crt"), "garbage");
        Path toml = Files.writeString(dir.resolve("pacer.toml"),
                "listen = \"127.0.0.1:0\"\ntls_listen = \"127.0.0.1:0\"\ntls_certificates = \"empty\"\n");
        java.io.ByteArrayOutputStream err = new java.io.ByteArrayOutputStream();
        int status;
        try (java.io.PrintStream o = new java.io.PrintStream(new java.io.ByteArrayOutputStream(), true, StandardCharsets.UTF_8);
             java.io.PrintStream e = new java.io.PrintStream(err, true, StandardCharsets.UTF_8)) {
            status = Main.run(new String[] {"-f", toml.toString()}, o, e);
        }
        String message = err.toString(StandardCharsets.UTF_8);
        assertEquals(2, status, message);
        assertTrue(message.contains(toml + ": tls_certificates: no usable certificate in " + empty), message);
    }
}
