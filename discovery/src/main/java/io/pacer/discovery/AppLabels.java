package io.pacer.discovery;

import io.pacer.config.Durations;
import io.pacer.config.NextUpstream;
import io.pacer.config.Sizes;
import io.pacer.core.AllowList;
import io.pacer.core.AppOptions;
import io.pacer.core.Balance;
import io.pacer.core.RetryPolicy;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.regex.Pattern;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Reads an app's per-app options from its Marathon labels ({@code PACER_*}), the way marathon-lb
 * and Traefik let one app differ from the rest. A label whose value cannot be read is reported on
 * the app (and logged once per app, label and value): an option then falls back to its
 * {@code pacer.toml} value, while a label that restricts access ({@value #ALLOW}, {@value #AUTH})
 * closes the app instead, so a typo never opens it.
 */
public final class AppLabels {

    public static final String STRIP_PREFIX = "PACER_STRIP_PREFIX";
    public static final String CONNECT_TIMEOUT = "PACER_CONNECT_TIMEOUT";
    public static final String READ_TIMEOUT = "PACER_READ_TIMEOUT";
    public static final String NEXT_UPSTREAM = "PACER_NEXT_UPSTREAM";
    public static final String BALANCE = "PACER_BALANCE";
    public static final String MAX_BODY_SIZE = "PACER_MAX_BODY_SIZE";
    public static final String STICKY = "PACER_STICKY";
    public static final String ALLOW = "PACER_ALLOW";
    public static final String AUTH = "PACER_AUTH";

    /** The cookie {@value #STICKY}{@code =true} uses. */
    public static final String DEFAULT_STICKY_COOKIE = "pacer_task";

    private static final Logger log = LoggerFactory.getLogger(AppLabels.class);
    private static final Pattern WORDS = Pattern.compile("[,\\s]+");
    /** htpasswd's bcrypt form: {@code $2y$10$} then 53 characters of bcrypt's base64. */
    private static final Pattern BCRYPT = Pattern.compile("\\$2[aby]\\$\\d\\d\\$[./A-Za-z0-9]{53}");
    private static final Pattern COOKIE_NAME = Pattern.compile("[A-Za-z0-9!#$%&'*+.^_`|~-]{1,64}");
    private static final Set<String> WARNED = ConcurrentHashMap.newKeySet();
    private static final int MAX_WARNED = 10_000;

    private AppLabels() { }

    /** The options {@code app}'s labels set; {@link AppOptions#DEFAULTS} for an app without any. */
    public static AppOptions options(MarathonApp app) {
        Map<String, String> labels = app.labels();
        if (labels.isEmpty() || labels.keySet().stream().noneMatch(k -> k.startsWith("PACER_"))) {
            return AppOptions.DEFAULTS;
        }
        List<String> problems = new ArrayList<>();
        Problems p = new Problems(app, problems);
        boolean strip = p.flag(STRIP_PREFIX);
        long connectMillis = p.duration(CONNECT_TIMEOUT) / 1_000_000;
        long readNanos = p.duration(READ_TIMEOUT);
        RetryPolicy retry = null;
        String next = labels.get(NEXT_UPSTREAM);
        if (next != null) {
            try {
                retry = NextUpstream.retryPolicy(words(next), RetryPolicy.defaults());
            } catch (IllegalArgumentException e) {
                p.bad(NEXT_UPSTREAM, next, e.getMessage());
            }
        }
        Balance balance = null;
        String b = labels.get(BALANCE);
        if (b != null) {
            try {
                balance = Balance.ofConfigName(b.trim().toLowerCase(Locale.ROOT));
            } catch (IllegalArgumentException e) {
                p.bad(BALANCE, b, "is not one of " + Balance.configNames());
            }
        }
        long maxBody = -1;
        String size = labels.get(MAX_BODY_SIZE);
        if (size != null) {
            try {
                maxBody = Sizes.parse(size.trim());
            } catch (IllegalArgumentException e) {
                p.bad(MAX_BODY_SIZE, size, e.getMessage());
            }
        }
        String sticky = sticky(labels.get(STICKY), p);
        String closed = null;
        AllowList allow = null;
        String allowed = labels.get(ALLOW);
        if (allowed != null) {
            try {
                allow = AllowList.parse(words(allowed));
            } catch (IllegalArgumentException e) {
                p.bad(ALLOW, allowed, e.getMessage() + "; the app takes no request until it is fixed");
                closed = ALLOW + " cannot be read";
            }
        }
        Map<String, String> users = null;
        String auth = labels.get(AUTH);
        if (auth != null) {
            users = users(auth, p);
            if (users == null) {
                closed = AUTH + " cannot be read";
            }
        }
        AppOptions options = new AppOptions(strip, connectMillis, readNanos, retry, balance, maxBody, sticky, allow,
                users, closed, problems);
        return options.isDefault() ? AppOptions.DEFAULTS : options;
    }

    private static String sticky(String value, Problems p) {
        if (value == null) {
            return null;
        }
        String v = value.trim();
        switch (v.toLowerCase(Locale.ROOT)) {
            case "true", "on", "yes" -> {
                return DEFAULT_STICKY_COOKIE;
            }
            case "false", "off", "no", "" -> {
                return null;
            }
            default -> {
                if (COOKIE_NAME.matcher(v).matches()) {
                    return v;
                }
                p.bad(STICKY, value, "is neither true/false nor a cookie name");
                return null;
            }
        }
    }

    /** {@code user:$2y$...} entries, as htpasswd -B writes them; {@code null} when one is not. */
    private static Map<String, String> users(String value, Problems p) {
        Map<String, String> users = new LinkedHashMap<>();
        for (String entry : words(value)) {
            int colon = entry.indexOf(':');
            String hash = colon < 0 ? "" : entry.substring(colon + 1);
            if (colon <= 0 || !BCRYPT.matcher(hash).matches()) {
                // The value is a secret: name the entry's user only.
                p.bad(AUTH, colon <= 0 ? "(entry without user)" : entry.substring(0, colon) + ":...",
                        "is not user:bcrypt-hash as htpasswd -B writes it; the app takes no request until it is fixed");
                return null;
            }
            users.put(entry.substring(0, colon), hash);
        }
        if (users.isEmpty()) {
            p.bad(AUTH, value, "lists no user; the app takes no request until it is fixed");
            return null;
        }
        return users;
    }

    private static List<String> words(String value) {
        List<String> out = new ArrayList<>();
        for (String w : WORDS.split(value.trim())) {
            if (!w.isEmpty()) {
                out.add(w);
            }
        }
        return out;
    }

    /** Collects what is wrong with an app's labels, and logs each problem once. */
    private record Problems(MarathonApp app, List<String> list) {
        void bad(String label, String value, String why) {
            String problem = label + "=\"" + value + "\": " + why;
            list.add(problem);
            if (WARNED.size() > MAX_WARNED) {
                WARNED.clear();
            }
            if (WARNED.add(app.id() + " " + problem)) {
                log.warn("App {}: label {}", app.id(), problem);
            }
        }

        boolean flag(String label) {
            String v = app.labels().get(label);
            if (v == null) {
                return false;
            }
            switch (v.trim().toLowerCase(Locale.ROOT)) {
                case "true", "on", "yes", "1":
                    return true;
                case "false", "off", "no", "0", "":
                    return false;
                default:
                    bad(label, v, "is not true or false");
                    return false;
            }
        }

        /** Nanoseconds, or 0 for unset or unreadable. */
        long duration(String label) {
            String v = app.labels().get(label);
            if (v == null) {
                return 0;
            }
            try {
                Duration d = Durations.parse(v.trim());
                if (d.isZero() || d.isNegative()) {
                    bad(label, v, "must be more than 0");
                    return 0;
                }
                return d.toNanos();
            } catch (IllegalArgumentException | ArithmeticException e) {
                bad(label, v, e.getMessage());
                return 0;
            }
        }
    }
}
