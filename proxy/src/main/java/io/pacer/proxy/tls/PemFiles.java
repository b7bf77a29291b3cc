package io.pacer.proxy.tls;

import java.io.ByteArrayInputStream;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.PrivateKey;
import java.security.PublicKey;
import java.security.Signature;
import java.security.cert.CertificateException;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.security.spec.PKCS8EncodedKeySpec;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Reads a certificate chain and its private key from PEM text, and checks that they belong
 * together, so that a wrong or half-copied pair is refused with a reason instead of failing every
 * handshake later.
 *
 * <p>Keys must be unencrypted PKCS#8 ({@code BEGIN PRIVATE KEY}, what {@code openssl req} and
 * {@code openssl genpkey} write); the older {@code BEGIN RSA PRIVATE KEY} and {@code BEGIN EC
 * PRIVATE KEY} forms are refused with the command that converts them.
 */
final class PemFiles {

    private static final Pattern BLOCK = Pattern.compile(
            "-----BEGIN ([A-Z0-9 ]+)-----([A-Za-z0-9+/=\\s]*?)-----END \\1-----");
    private static final byte[] PROBE = "pacer key check".getBytes(java.nio.charset.StandardCharsets.US_ASCII);

    /** A chain, leaf first, and the leaf's private key. */
    record KeyPair(X509Certificate[] chain, PrivateKey key) { }

    /** Why a PEM file or pair was refused; the message is for the operator. */
    static final class BadPemException extends Exception {
        BadPemException(String message) {
            super(message);
        }

        BadPemException(String message, Throwable cause) {
            super(message, cause);
        }
    }

    private PemFiles() { }

    /**
     * @param certificates PEM text holding one or more {@code CERTIFICATE} blocks, leaf first
     * @param key          PEM text holding one {@code PRIVATE KEY} block (may be the same text)
     */
    static KeyPair read(String certificates, String key) throws BadPemException {
        X509Certificate[] chain = chain(certificates);
        PrivateKey privateKey = privateKey(key);
        if (!matches(privateKey, chain[0].getPublicKey())) {
            throw new BadPemException("the private key does not belong to the certificate");
        }
        return new KeyPair(chain, privateKey);
    }

    private static X509Certificate[] chain(String text) throws BadPemException {
        List<X509Certificate> chain = new ArrayList<>();
        CertificateFactory factory;
        try {
            factory = CertificateFactory.getInstance("X.509");
        } catch (CertificateException e) {
            throw new IllegalStateException("no X.509 support in this JVM", e);
        }
        Matcher m = BLOCK.matcher(text);
        while (m.find()) {
            if (m.group(1).equals("CERTIFICATE")) {
                byte[] der = decode(m.group(2), "certificate");
                try {
                    chain.add((X509Certificate) factory.generateCertificate(new ByteArrayInputStream(der)));
                } catch (CertificateException e) {
                    throw new BadPemException("certificate " + (chain.size() + 1) + " is not a valid X.509 certificate: "
                            + e.getMessage(), e);
                }
            }
        }
        if (chain.isEmpty()) {
            throw new BadPemException("no PEM certificate (-----BEGIN CERTIFICATE-----) found");
        }
        return chain.toArray(new X509Certificate[0]);
    }

    private static PrivateKey privateKey(String text) throws BadPemException {
        Matcher m = BLOCK.matcher(text);
        while (m.find()) {
            switch (m.group(1)) {
                case "PRIVATE KEY":
                    return pkcs8(decode(m.group(2), "private key"));
                case "ENCRYPTED PRIVATE KEY":
                    throw new BadPemException("the private key is encrypted; Pacer needs it unencrypted"
                            + " (openssl pkcs8 -topk8 -nocrypt -in KEY -out KEY.new)");
                case "RSA PRIVATE KEY":
                case "EC PRIVATE KEY":
                    throw new BadPemException("the private key is in the old " + m.group(1).split(" ")[0]
                            + " form; convert it to PKCS#8 with: openssl pkcs8 -topk8 -nocrypt -in KEY -out KEY.new");
                default:
                    break; // certificates and parameters may share the file
            }
        }
        throw new BadPemException("no PEM private key (-----BEGIN PRIVATE KEY-----) found");
    }

    private static PrivateKey pkcs8(byte[] der) throws BadPemException {
        PKCS8EncodedKeySpec spec = new PKCS8EncodedKeySpec(der);
        for (String algorithm : new String[] {"RSA", "EC", "Ed25519", "Ed448", "RSASSA-PSS"}) {
            try {
                return KeyFactory.getInstance(algorithm).generatePrivate(spec);
            } catch (GeneralSecurityException e) {
                // not this algorithm: try the next
            }
        }
        throw new BadPemException("the private key is not an RSA, EC or EdDSA key in PKCS#8 form");
    }

    private static byte[] decode(String base64, String what) throws BadPemException {
        try {
            return Base64.getMimeDecoder().decode(base64);
        } catch (IllegalArgumentException e) {
            throw new BadPemException("the " + what + " is not valid base64", e);
        }
    }

    /** Signs a probe with the key and verifies it with the certificate's public key. */
    private static boolean matches(PrivateKey key, PublicKey certificateKey) throws BadPemException {
        String algorithm = switch (key.getAlgorithm()) {
            case "RSA" -> "SHA256withRSA";
            case "EC" -> "SHA256withECDSA";
            case "Ed25519", "EdDSA" -> "Ed25519";
            case "Ed448" -> "Ed448";
            case "RSASSA-PSS" -> "RSASSA-PSS";
            default -> throw new BadPemException("unsupported key algorithm " + key.getAlgorithm());
        };
        if (!key.getAlgorithm().equals(certificateKey.getAlgorithm())
                && !(key.getAlgorithm().startsWith("Ed") && certificateKey.getAlgorithm().startsWith("Ed"))) {
            return false;
        }
        try {
            Signature signer = Signature.getInstance(algorithm);
            if (algorithm.equals("RSASSA-PSS")) {
                signer.setParameter(new java.security.spec.PSSParameterSpec("SHA-256", "MGF1",
                        java.security.spec.MGF1ParameterSpec.SHA256, 32, 1));
            }
            signer.initSign(key);
            signer.update(PROBE);
            byte[] signature = signer.sign();
            Signature verifier = Signature.getInstance(algorithm);
            if (algorithm.equals("RSASSA-PSS")) {
                verifier.setParameter(new java.security.spec.PSSParameterSpec("SHA-256", "MGF1",
                        java.security.spec.MGF1ParameterSpec.SHA256, 32, 1));
            }
            verifier.initVerify(certificateKey);
            verifier.update(PROBE);
            return verifier.verify(signature);
        } catch (GeneralSecurityException e) {
            return false;
        }
    }
}
