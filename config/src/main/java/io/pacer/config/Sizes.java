package io.pacer.config;

import java.util.Objects;

/**
 * Byte sizes written the way Nginx writes them: a whole number of bytes, optionally followed by
 * {@code k}, {@code m} or {@code g} (any case) for KiB, MiB or GiB. No fractions, no signs, no
 * spaces, so a value means the same here as in an {@code nginx.conf} it was copied from.
 */
public final class Sizes {

    private static final String EXAMPLES = "use e.g. 512, 8k, 128m, 1g";

    private Sizes() { }

    /**
     * @throws IllegalArgumentException when {@code text} is not a size or does not fit in a long;
     *                                  the message quotes the input and is meant for operators
     */
    public static long parse(String text) {
        Objects.requireNonNull(text, "text");
        int end = text.length();
        int shift = 0;
        if (end > 0) {
            switch (text.charAt(end - 1)) {
                case 'k': case 'K': shift = 10; end--; break;
                case 'm': case 'M': shift = 20; end--; break;
                case 'g': case 'G': shift = 30; end--; break;
                default: break;
            }
        }
        if (end == 0 || !Text.isDigits(text, 0, end)) {
            throw new IllegalArgumentException(Text.quote(text) + " is not a size (" + EXAMPLES + ")");
        }
        long number = Text.parseDigits(text, 0, end);
        if (number < 0 || number > (Long.MAX_VALUE >> shift)) {
            throw new IllegalArgumentException(Text.quote(text) + " is too large");
        }
        return number << shift;
    }

    /** The shortest exact spelling {@link #parse} reads back: 1048576 is {@code 1m}, 1536 is {@code 1536}. */
    static String format(long bytes) {
        if (bytes != 0) {
            if (bytes % (1L << 30) == 0) {
                return (bytes >> 30) + "g";
            }
            if (bytes % (1L << 20) == 0) {
                return (bytes >> 20) + "m";
            }
            if (bytes % (1L << 10) == 0) {
                return (bytes >> 10) + "k";
            }
        }
        return Long.toString(bytes);
    }
}
