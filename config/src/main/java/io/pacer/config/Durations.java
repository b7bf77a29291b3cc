package io.pacer.config;

import java.time.Duration;
import java.util.Objects;

/**
 * Durations written the way Nginx writes them: {@code 500ms}, {@code 30s}, {@code 2m}, {@code 1h},
 * {@code 1d}, or several of these from the largest unit down ({@code 1h30m}, {@code 1m 30s}). A bare
 * whole number is seconds, as in Nginx's {@code proxy_read_timeout 120;}. Units are lower case
 * because Nginx reads {@code M} as months.
 *
 * <p>Results never exceed {@link Long#MAX_VALUE} nanoseconds (about 292 years), so callers can use
 * {@link Duration#toNanos()} without overflow.
 */
public final class Durations {

    private static final String EXAMPLES = "use e.g. 500ms, 30s, 2m, 1h";
    private static final long MAX_MILLIS = Long.MAX_VALUE / 1_000_000;

    /** Units from the largest down, in milliseconds; the order a compound duration must follow. */
    private static final String[] UNITS = {"d", "h", "m", "s", "ms"};
    private static final long[] UNIT_MILLIS = {86_400_000L, 3_600_000L, 60_000L, 1_000L, 1L};

    private Durations() { }

    /**
     * @throws IllegalArgumentException when {@code text} is not a duration or exceeds about 292
     *                                  years; the message quotes the input and is meant for operators
     */
    public static Duration parse(String text) {
        Objects.requireNonNull(text, "text");
        int length = text.length();
        if (length > 0 && Text.isDigits(text, 0, length)) {
            return times(Text.quote(text), Text.parseDigits(text, 0, length), 1_000L);
        }
        long total = 0;
        int smallestAllowed = 0;
        int pos = 0;
        do {
            int digitsEnd = pos;
            while (digitsEnd < length && isDigit(text.charAt(digitsEnd))) {
                digitsEnd++;
            }
            int unitEnd = digitsEnd;
            while (unitEnd < length && text.charAt(unitEnd) >= 'a' && text.charAt(unitEnd) <= 'z') {
                unitEnd++;
            }
            int unit = unitIndex(text.substring(digitsEnd, unitEnd), smallestAllowed);
            if (digitsEnd == pos || unit < 0) {
                throw new IllegalArgumentException(Text.quote(text) + " is not a duration (" + EXAMPLES + ")");
            }
            long millis = times(Text.quote(text), Text.parseDigits(text, pos, digitsEnd), UNIT_MILLIS[unit]).toMillis();
            if (millis > MAX_MILLIS - total) {
                throw tooLarge(Text.quote(text));
            }
            total += millis;
            smallestAllowed = unit + 1;
            pos = unitEnd;
            if (pos < length && text.charAt(pos) == ' ') {
                while (++pos < length && text.charAt(pos) == ' ') {
                    // Nginx separates parts with any number of spaces.
                }
                if (pos == length) {
                    throw new IllegalArgumentException(Text.quote(text) + " is not a duration (" + EXAMPLES + ")");
                }
            }
        } while (pos < length);
        return Duration.ofMillis(total);
    }

    /**
     * {@code duration} as the configuration writes it, largest unit first: {@code 30s}, {@code 5m},
     * {@code 1m30s}, {@code 250ms}, {@code 0s}. What {@link #parse} reads back; used in log lines
     * so that they speak the file's language rather than {@code PT30S}.
     */
    public static String format(Duration duration) {
        long millis = Objects.requireNonNull(duration, "duration").toMillis();
        if (millis == 0) {
            return "0s";
        }
        StringBuilder b = new StringBuilder();
        if (millis < 0) {
            b.append('-');
            millis = -millis;
        }
        for (int i = 0; i < UNITS.length; i++) {
            long count = millis / UNIT_MILLIS[i];
            if (count > 0) {
                b.append(count).append(UNITS[i]);
                millis -= count * UNIT_MILLIS[i];
            }
        }
        return b.toString();
    }

    /** A TOML integer, which means seconds, checked against the same limit as {@link #parse}. */
    static Duration ofSeconds(long seconds) {
        if (seconds < 0) {
            throw new IllegalArgumentException(seconds + " is negative");
        }
        return times(Long.toString(seconds), seconds, 1_000L);
    }

    private static boolean isDigit(char c) {
        return c >= '0' && c <= '9';
    }

    /** Index of {@code unit} in {@link #UNITS} from {@code from} on, or -1: each unit once, largest first. */
    private static int unitIndex(String unit, int from) {
        for (int i = from; i < UNITS.length; i++) {
            if (UNITS[i].equals(unit)) {
                return i;
            }
        }
        return -1;
    }

    /** {@code count} units; a negative count is {@link Text#parseDigits}'s overflow signal. */
    private static Duration times(String shown, long count, long unitMillis) {
        if (count < 0 || count > MAX_MILLIS / unitMillis) {
            throw tooLarge(shown);
        }
        return Duration.ofMillis(count * unitMillis);
    }

    private static IllegalArgumentException tooLarge(String shown) {
        return new IllegalArgumentException(shown + " is too large (the limit is about 292 years)");
    }
}
