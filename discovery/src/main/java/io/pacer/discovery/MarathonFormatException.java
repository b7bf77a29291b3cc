package io.pacer.discovery;

/**
 * A body that is not Marathon's app list: an error answer, an HTML page from a proxy in front of
 * Marathon, a truncated or empty body. Checked, because treating such a body as "zero apps" would
 * empty the routing table, which is exactly Nixy's failure mode.
 */
public final class MarathonFormatException extends Exception {

    public MarathonFormatException(String message) {
        super(message);
    }

    public MarathonFormatException(String message, Throwable cause) {
        super(message, cause);
    }
}
