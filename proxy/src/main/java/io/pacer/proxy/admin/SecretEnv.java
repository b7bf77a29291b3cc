package io.pacer.proxy.admin;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.regex.Pattern;

/**
 * Masks the values of an app's {@code env} that look secret before {@code /v1/config} shows them:
 * Nixy showed every value to whoever could reach its port. A name holding one of {@link #MARKERS}
 * has its value replaced by {@code ***}; any other value has the password of a URL in it
 * ({@code postgres://app:pw@db/x}) masked. Marathon's secret references ({@code {"secret": "name"}})
 * name a secret without holding it and are shown as they are.
 */
final class SecretEnv {

    static final String MASK = "***";

    /** Parts of a variable name that say its value is a credential; matched in upper case. */
    static final List<String> MARKERS = List.of("PASS", "PWD", "SECRET", "TOKEN", "KEY", "CREDENTIAL", "AUTH",
            "PRIVATE", "SIGNATURE", "SALT", "COOKIE", "SESSION", "DSN");

    private static final Pattern URL_PASSWORD = Pattern.compile("(://[^/@:\\s]*):[^/@\\s]*@");

    private SecretEnv() { }

    static boolean looksSecret(String name) {
        String upper = name.toUpperCase(Locale.ROOT);
        for (String marker : MARKERS) {
            if (upper.contains(marker)) {
                return true;
            }
        }
        return false;
    }

    /** A copy of {@code env} (values as Marathon sent them: text or JSON nodes) that is safe to show. */
    static Map<String, Object> mask(Map<?, ?> env) {
        Map<String, Object> out = new LinkedHashMap<>();
        env.forEach((name, value) -> out.put(String.valueOf(name), maskValue(String.valueOf(name), value)));
        return out;
    }

    private static Object maskValue(String name, Object value) {
        String text = value instanceof JsonNode node ? (node.isTextual() ? node.textValue() : null)
                : value instanceof CharSequence chars ? chars.toString() : null;
        if (text == null) {
            return value; // a secret reference, or a value that is no string
        }
        if (looksSecret(name)) {
            return MASK;
        }
        return URL_PASSWORD.matcher(text).replaceAll("$1:" + MASK + "@");
    }
}
