package io.pacer.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** tls_listen, tls_certificates, tls_default_certificate and the HTTP/2 keys. */
class TlsKeysTest {

    @RegisterExtension
    final ConfigFiles files = new ConfigFiles();

    @Test
    void defaultsHaveNoTlsAndNoCleartextHttp2() throws Exception {
        PacerConfig config = files.load("");
        assertTrue(config.listeners().tlsListen().isEmpty());
        assertTrue(config.listeners().tlsCertificates().isEmpty());
        assertTrue(config.listeners().tlsDefaultCertificate().isEmpty());
        assertFalse(config.listeners().http2Cleartext());
        assertEquals(128, config.listeners().http2MaxConcurrentStreams());
    }

    @Test
    void readsEveryTlsKeyWithTheDirectoryRelativeToTheFile() throws Exception {
        Files.createDirectory(files.dir().resolve("certs"));
        PacerConfig config = files.load("""
                tls_listen = "127.0.0.1:8443"
                tls_certificates = "certs"
                tls_default_certificate = "shop"
                http2_cleartext = true
                http2_max_concurrent_streams = 50
                """);
        assertEquals(8443, config.listeners().tlsListen().orElseThrow().getPort());
        assertEquals(files.dir().resolve("certs"), config.listeners().tlsCertificates().orElseThrow());
        assertEquals("shop", config.listeners().tlsDefaultCertificate().orElseThrow());
        assertTrue(config.listeners().http2Cleartext());
        assertEquals(50, config.listeners().http2MaxConcurrentStreams());
    }

    @Test
    void tlsListenWithoutCertificatesNamesTheMissingKey() throws IOException {
        ConfigException e = files.failure("tls_listen = \"127.0.0.1:8443\"\n");
        assertEquals("tls_listen", e.key());
        assertTrue(e.getMessage().contains("needs tls_certificates as well"), e.getMessage());
    }

    @Test
    void certificatesWithoutTlsListenNamesTheMissingKey() throws IOException {
        Files.createDirectory(files.dir().resolve("certs"));
        ConfigException e = files.failure("tls_certificates = \"certs\"\n");
        assertEquals("tls_certificates", e.key());
        assertTrue(e.getMessage().contains("needs tls_listen as well"), e.getMessage());
    }

    @Test
    void certificatesMustBeAnExistingDirectory() throws IOException {
        ConfigException missing = files.failure("tls_listen = \":8443\"\ntls_certificates = \"nowhere\"\n");
        assertEquals("tls_certificates", missing.key());
        assertTrue(missing.getMessage().contains("does not exist"), missing.getMessage());
        Files.writeString(files.dir().resolve("a.pem"), "x");
        ConfigException file = files.failure("tls_listen = \":8443\"\ntls_certificates = \"a.pem\"\n");
        assertTrue(file.getMessage().contains("is not a directory"), file.getMessage());
    }

    @Test
    void defaultCertificateIsANameNotAPath() throws IOException {
        ConfigException e = files.failure("tls_default_certificate = \"certs/shop.crt\"\n");
        assertEquals("tls_default_certificate", e.key());
        assertTrue(e.getMessage().contains("is not a certificate name"), e.getMessage());
    }

    @Test
    void streamLimitHasARange() throws IOException {
        ConfigException e = files.failure("http2_max_concurrent_streams = 0\n");
        assertEquals("http2_max_concurrent_streams", e.key());
    }
}
