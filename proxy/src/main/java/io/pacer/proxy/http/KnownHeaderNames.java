package io.pacer.proxy.http;

import io.netty.util.AsciiString;

/**
 * Header names that most heads carry, as clients and servers spell them, kept once: a decoder
 * that meets one of them byte for byte takes the shared name instead of copying it. The match is
 * exact (case included), so the name forwarded is always the one received.
 */
public final class KnownHeaderNames {

    private static final String[] NAMES = {
        "Host", "host", "Accept", "accept", "Accept-Encoding", "accept-encoding", "Accept-Language",
        "accept-language", "Accept-Ranges", "Age", "Authorization", "Cache-Control", "cache-control",
        "Connection", "connection", "Content-Encoding", "Content-Length", "content-length", "Content-Type",
        "content-type", "Cookie", "cookie", "Date", "ETag", "Expires", "Keep-Alive", "Last-Modified",
        "Location", "Origin", "Pragma", "Referer", "referer", "Server", "Set-Cookie", "Transfer-Encoding",
        "Upgrade", "User-Agent", "user-agent", "Vary", "Via", "X-Forwarded-For", "X-Forwarded-Host",
        "X-Forwarded-Proto", "X-Real-IP", "X-Request-Id", "If-Modified-Since", "If-None-Match",
        "Sec-Fetch-Dest", "Sec-Fetch-Mode", "Sec-Fetch-Site", "Upgrade-Insecure-Requests",
    };

    /** By length, then by first byte order of appearance: a handful of candidates at most. */
    private static final AsciiString[][] BY_LENGTH = new AsciiString[32][];

    static {
        for (String name : NAMES) {
            int n = name.length();
            AsciiString[] same = BY_LENGTH[n] == null ? new AsciiString[0] : BY_LENGTH[n];
            AsciiString[] grown = java.util.Arrays.copyOf(same, same.length + 1);
            grown[same.length] = AsciiString.cached(name);
            BY_LENGTH[n] = grown;
        }
    }

    private KnownHeaderNames() { }

    /** The shared name spelled exactly as {@code bytes[start, start + length)}, or {@code null}. */
    public static AsciiString find(byte[] bytes, int start, int length) {
        if (length >= BY_LENGTH.length) {
            return null;
        }
        AsciiString[] candidates = BY_LENGTH[length];
        if (candidates == null) {
            return null;
        }
        for (AsciiString c : candidates) {
            byte[] a = c.array();
            int off = c.arrayOffset();
            if (a[off] == bytes[start] && java.util.Arrays.equals(a, off, off + length, bytes, start, start + length)) {
                return c;
            }
        }
        return null;
    }
}
