package io.pacer.proxy.http;

import io.netty.handler.codec.DateFormatter;
import io.netty.util.AsciiString;
import java.util.Date;

/**
 * The {@code Date} header value for answers Pacer makes itself, formatted at most once a second.
 * Racy by design: two threads may format the same second twice, which is harmless.
 */
final class HttpDate {

    private static volatile Cached cached = new Cached(0, AsciiString.EMPTY_STRING);

    private HttpDate() { }

    static AsciiString now() {
        long second = System.currentTimeMillis() / 1000;
        Cached c = cached;
        if (c.second != second) {
            c = new Cached(second, AsciiString.cached(DateFormatter.format(new Date(second * 1000))));
            cached = c;
        }
        return c.value;
    }

    private record Cached(long second, AsciiString value) { }
}
