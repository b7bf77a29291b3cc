package io.pacer.proxy.testing;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * Self-signed certificates made at test time with the {@code openssl} CLI (EC P-256, PKCS#8
 * keys, two days), written into a {@code tls_certificates} directory the way an operator would:
 * each file is made elsewhere and moved in whole, so a watcher never sees half a file.
 */
public final class TestCertificates {

    private final Path staging;

    private TestCertificates(Path staging) {
        this.staging = staging;
    }

    /** Skips the test when openssl is missing; {@code staging} holds files before they are moved in. */
    public static TestCertificates in(Path staging) throws IOException {
        Cli.assumeInstalled("openssl");
        Files.createDirectories(staging);
        return new TestCertificates(staging);
    }

    /**
     * Writes {@code dir/NAME.crt} and {@code dir/NAME.key} for a certificate with subject CN
     * {@code cn} and the DNS names {@code dnsNames} in its subjectAltName (none: no extension).
     * Returns the certificate file.
     */
    public Path pair(Path dir, String name, String cn, String... dnsNames) throws IOException {
        Path crt = staging.resolve(name + ".crt");
        Path key = staging.resolve(name + ".key");
        make(crt, key, cn, dnsNames);
        Files.move(key, dir.resolve(name + ".key"), StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        Files.move(crt, dir.resolve(name + ".crt"), StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        return dir.resolve(name + ".crt");
    }

    /** Writes {@code dir/NAME.pem} holding the certificate, then its key. */
    public Path pem(Path dir, String name, String cn, String... dnsNames) throws IOException {
        Path crt = staging.resolve(name + ".crt");
        Path key = staging.resolve(name + ".key");
        make(crt, key, cn, dnsNames);
        Path pem = staging.resolve(name + ".pem");
        Files.writeString(pem, Files.readString(crt) + Files.readString(key));
        Files.move(pem, dir.resolve(name + ".pem"), StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        return dir.resolve(name + ".pem");
    }

    private static void make(Path crt, Path key, String cn, String... dnsNames) {
        List<String> command = new ArrayList<>(List.of("openssl", "req", "-x509", "-newkey", "ec",
                "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes", "-days", "2",
                "-keyout", key.toString(), "-out", crt.toString(), "-subj", "/CN=" + cn));
        if (dnsNames.length > 0) {
            command.add("-addext");
            command.add("subjectAltName=DNS:" + String.join(",DNS:", dnsNames));
        }
        Cli.Result result = Cli.run(Duration.ofSeconds(30), command);
        if (!result.ok()) {
            throw new AssertionError("openssl req failed: " + result.output());
        }
    }
}
