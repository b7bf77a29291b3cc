package io.pacer.config;

import com.fasterxml.jackson.core.JacksonException;
import com.fasterxml.jackson.core.JsonLocation;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.dataformat.toml.TomlMapper;
import com.fasterxml.jackson.dataformat.toml.TomlReadFeature;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.file.AccessDeniedException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.time.DateTimeException;
import java.util.Map;

/**
 * Reads {@code pacer.toml}. The TOML is read as a tree and each key is checked by hand (see
 * {@link Keys}) rather than bound to a class, so that every error names the key at fault and says
 * what would be accepted. Loading stops at the first problem, in file order.
 */
public final class ConfigLoader {

    // Dates and times become their own node type instead of strings, so `xproxy = 1979-05-27`
    // is reported as a date rather than silently taken as the text "1979-05-27".
    private static final TomlMapper TOML = TomlMapper.builder().enable(TomlReadFeature.PARSE_JAVA_TIME).build();

    private ConfigLoader() { }

    /**
     * Nixy's Nginx-only keys ({@code nginx_config}, {@code nginx_cmd}, {@code [statsd]}, ...) are
     * accepted and ignored, each with a warning in {@link PacerConfig#warnings()}, so that a
     * {@code nixy.toml} starts Pacer unchanged.
     *
     * @param file the configuration; relative {@code apps_file} paths start from its directory
     * @throws ConfigException when the file cannot be read, is not TOML, or holds an unknown key or
     *                         a bad value; the message names the file and the key
     */
    public static PacerConfig load(Path file) throws ConfigException {
        JsonNode root = parse(file, read(file));
        Path baseDir = file.toAbsolutePath().getParent();
        Draft draft = new Draft();
        for (Map.Entry<String, JsonNode> entry : root.properties()) {
            String key = entry.getKey();
            Keys.Setter setter = Keys.setter(key);
            if (setter == null && Keys.isIgnoredNixyKey(key)) {
                draft.warn(file + ": " + key + ": " + Keys.ignored(key));
                continue;
            }
            if (setter == null) {
                throw new ConfigException(file, key, Keys.unknown(key));
            }
            try {
                setter.apply(draft, new Value(entry.getValue(), baseDir));
            } catch (BadValue e) {
                throw new ConfigException(file, key, e.getMessage());
            }
        }
        if (draft.config.hasMarathonAndAppsFile()) {
            throw new ConfigException(file, "marathon", "cannot be used together with apps_file: Pacer takes"
                    + " its apps either from Marathon or from a file, so remove one of marathon and apps_file");
        }
        if (draft.config.hasHalfOfTls()) {
            String key = draft.config.hasTlsListen() ? "tls_listen" : "tls_certificates";
            throw new ConfigException(file, key, "needs " + (key.equals("tls_listen") ? "tls_certificates" : "tls_listen")
                    + " as well: TLS clients are served on tls_listen with the certificates of tls_certificates");
        }
        if (draft.config.hasAdminListenAndPort()) {
            throw new ConfigException(file, "admin_listen", "cannot be used together with port: port is Nixy's way"
                    + " of placing the admin API on the listen host, admin_listen gives its full address; keep one");
        }
        if (draft.config.adminClashesWithListen()) {
            String key = root.has("admin_listen") ? "admin_listen" : "port";
            throw new ConfigException(file, key, "the admin API cannot share the traffic port "
                    + draft.config.listenAddress().getPort() + " (listen); give it a port of its own");
        }
        return draft.build();
    }

    private static String read(Path file) throws ConfigException {
        if (Files.isDirectory(file)) {
            throw new ConfigException(file, "", "is a directory, not a configuration file");
        }
        byte[] bytes;
        try {
            bytes = Files.readAllBytes(file);
        } catch (NoSuchFileException e) {
            throw new ConfigException(file, "", "file not found", e);
        } catch (AccessDeniedException e) {
            throw new ConfigException(file, "", "permission denied", e);
        } catch (IOException e) {
            throw new ConfigException(file, "", "cannot read: " + e, e);
        }
        try {
            // TOML is UTF-8 by definition; a strict decoder reports bad bytes instead of replacing them.
            return StandardCharsets.UTF_8.newDecoder()
                    .onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT)
                    .decode(ByteBuffer.wrap(bytes))
                    .toString();
        } catch (CharacterCodingException e) {
            throw new ConfigException(file, "", "is not valid UTF-8", e);
        }
    }

    private static JsonNode parse(Path file, String text) throws ConfigException {
        try {
            return TOML.readTree(text);
        } catch (JacksonException e) {
            JsonLocation at = e.getLocation();
            String where = at == null ? "" : " at line " + at.getLineNr() + ", column " + at.getColumnNr();
            throw new ConfigException(file, "", "invalid TOML" + where + ": " + e.getOriginalMessage(), e);
        } catch (DateTimeException e) {
            // The TOML parser checks dates such as 1979-13-45 outside its own error reporting.
            throw new ConfigException(file, "", "invalid TOML: " + e.getMessage(), e);
        }
    }
}
