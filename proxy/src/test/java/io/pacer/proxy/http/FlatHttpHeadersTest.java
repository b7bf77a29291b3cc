package io.pacer.proxy.http;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.DefaultHttpHeadersFactory;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.util.AsciiString;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * {@link FlatHttpHeaders} answers as Netty's default headers do: the same random operations are
 * applied to both and every answer compared, and the bytes written are what Netty's encoder writes.
 */
class FlatHttpHeadersTest {

    private static final String[] NAMES = {"Host", "host", "Connection", "X-Forwarded-For", "x-forwarded-for",
        "Content-Length", "Upgrade", "Keep-Alive", "TE", "Cookie", "X-A", "x-b"};
    private static final String[] VALUES = {"", "a", "close", "keep-alive, Upgrade", "upgrade ,x", "1.2.3.4, 5.6.7.8",
        "Keep-Alive", "chunked", "x=1; y=2", "\u00e9t\u00e9"};

    @Test
    void answersAsNettysHeadersDoUnderRandomOperations() {
        Random random = new Random(42);
        for (int round = 0; round < 2_000; round++) {
            HttpHeaders flat = FlatHttpHeaders.FACTORY.newHeaders();
            HttpHeaders netty = DefaultHttpHeadersFactory.headersFactory().newHeaders();
            for (int op = 0; op < 30; op++) {
                String name = NAMES[random.nextInt(NAMES.length)];
                String value = VALUES[random.nextInt(VALUES.length)];
                CharSequence asked = random.nextBoolean() ? name : AsciiString.of(name);
                String what = round + "/" + op + " " + name + ": " + value;
                switch (random.nextInt(9)) {
                    case 0, 1, 2 -> {
                        flat.add(asked, value);
                        netty.add(asked, value);
                    }
                    case 3 -> {
                        flat.set(asked, value);
                        netty.set(asked, value);
                    }
                    case 4 -> {
                        flat.remove(asked);
                        netty.remove(asked);
                    }
                    case 5 -> assertEquals(netty.get(asked), flat.get(asked), what);
                    case 6 -> assertEquals(netty.getAll(asked), flat.getAll(asked), what);
                    case 7 -> {
                        boolean ignoreCase = random.nextBoolean();
                        assertEquals(netty.containsValue(asked, value.trim(), ignoreCase),
                                flat.containsValue(asked, value.trim(), ignoreCase), what);
                        assertEquals(netty.contains(asked, value, ignoreCase), flat.contains(asked, value, ignoreCase),
                                what);
                    }
                    default -> assertEquals(netty.contains(asked), flat.contains(asked), what);
                }
                assertEquals(netty.size(), flat.size(), what);
                assertEquals(netty.isEmpty(), flat.isEmpty(), what);
                assertEquals(lowered(netty.names()), lowered(flat.names()), what);
            }
            assertEquals(lines(netty), lines(flat), "round " + round);
        }
    }

    private static java.util.Set<String> lowered(java.util.Set<String> names) {
        java.util.Set<String> out = new java.util.TreeSet<>();
        names.forEach(n -> out.add(n.toLowerCase()));
        return out;
    }

    /** Each name's values in order: what a receiver sees (Netty keeps names in first-seen order too). */
    private static List<String> lines(HttpHeaders h) {
        List<String> out = new ArrayList<>();
        for (String name : lowered(h.names())) {
            out.add(name.toLowerCase() + "=" + h.getAll(name));
        }
        return out;
    }

    @Test
    void refusesWhatNettysHeadersRefuse() {
        HttpHeaders flat = FlatHttpHeaders.FACTORY.newHeaders();
        assertThrows(IllegalArgumentException.class, () -> flat.add("Bad Name", "x"));
        assertThrows(IllegalArgumentException.class, () -> flat.add("Bad:Name", "x"));
        assertThrows(IllegalArgumentException.class, () -> flat.add("", "x"));
        assertThrows(IllegalArgumentException.class, () -> flat.add("X", "a\nb"));
        assertThrows(IllegalArgumentException.class, () -> flat.add("X", "a\u0000b"));
        assertThrows(NullPointerException.class, () -> flat.add("X", null));
        HttpHeaders trailers = FlatHttpHeaders.TRAILERS_FACTORY.newHeaders();
        for (String framing : List.of("Content-Length", "transfer-encoding", "Trailer")) {
            assertThrows(IllegalArgumentException.class, () -> trailers.add(framing, "1"), framing);
        }
        trailers.add("X-Checksum", "abc");
        assertEquals("abc", trailers.get("x-checksum"));
        assertTrue(flat.isEmpty());
    }

    @Test
    void setKeepsThePlaceOfTheFirstLine() {
        FlatHttpHeaders h = FlatHttpHeaders.create();
        h.add("A", "1").add("B", "2").add("a", "3").add("C", "4");
        h.set("A", "x");
        assertEquals(3, h.size());
        assertEquals("A", h.nameAt(0).toString());
        assertEquals("x", h.valueAt(0).toString());
        assertEquals("B", h.nameAt(1).toString());
        assertEquals("C", h.nameAt(2).toString());
        assertNull(h.get("D"));
        assertEquals(List.of(), h.getAll("D"));
        h.clear();
        assertTrue(h.isEmpty());
        assertFalse(h.contains("A"));
    }

    @Test
    void writesTheBytesNettysEncoderWrites() {
        FlatHttpHeaders h = FlatHttpHeaders.create();
        h.add(HttpHeaderNames.HOST, "example.com");
        h.add("X-Obs-Text", "caf\u00e9"); // a byte over 0x7F as a decoder reads it (Latin-1)
        h.add(AsciiString.of("Content-Length"), AsciiString.of("12"));
        h.add("X-Long", "v".repeat(1000)); // longer than the first scratch array
        ByteBuf buf = Unpooled.buffer();
        try {
            h.writeTo(buf);
            String written = buf.toString(StandardCharsets.ISO_8859_1);
            assertEquals("host: example.com\r\nX-Obs-Text: caf\u00e9\r\nContent-Length: 12\r\nX-Long: "
                    + "v".repeat(1000) + "\r\n", written);
        } finally {
            buf.release();
        }
    }

    /** The client encoder writes flat headers in bulk, and an answer Pacer makes itself as Netty writes it. */
    @Test
    void theClientEncoderWritesBothKindsOfHeaders() {
        EmbeddedChannel ch = new EmbeddedChannel(new ClientCodec.Encoder(new java.util.ArrayDeque<>()));
        try {
            FlatHttpHeaders flat = FlatHttpHeaders.create();
            flat.add("Server", "up").add(HttpHeaderNames.CONTENT_LENGTH, "0");
            ch.writeOutbound(new DefaultFullHttpResponse(HttpVersion.HTTP_1_1, HttpResponseStatus.OK,
                    Unpooled.EMPTY_BUFFER, flat, FlatHttpHeaders.create()));
            HttpHeaders own = DefaultHttpHeadersFactory.headersFactory().newHeaders()
                    .add("Date", "today").add(HttpHeaderNames.CONTENT_LENGTH, "0");
            ch.writeOutbound(new DefaultFullHttpResponse(HttpVersion.HTTP_1_1, HttpResponseStatus.OK,
                    Unpooled.EMPTY_BUFFER, own, DefaultHttpHeadersFactory.trailersFactory().newHeaders()));
            StringBuilder written = new StringBuilder();
            ByteBuf out;
            while ((out = ch.readOutbound()) != null) {
                written.append(out.toString(StandardCharsets.ISO_8859_1));
                out.release();
            }
            assertEquals("HTTP/1.1 200 OK\r\nServer: up\r\ncontent-length: 0\r\n\r\n"
                    + "HTTP/1.1 200 OK\r\nDate: today\r\ncontent-length: 0\r\n\r\n", written.toString());
        } finally {
            ch.finishAndReleaseAll();
        }
    }

    /** Where Netty's headers throw on a value that does not parse, these answer {@code null} (or the default). */
    @Test
    void readsNumbersAndDatesAsNettysHeadersDo() {
        FlatHttpHeaders h = FlatHttpHeaders.create();
        h.add("N", "12").add("Bad", "x").add("Big", "70000").add("Date", "Sun, 06 Dec 2026 16:00:00 GMT");
        HttpHeaders netty = DefaultHttpHeadersFactory.headersFactory().newHeaders().add(h);
        for (String name : List.of("N", "Bad", "Big", "Date", "Absent")) {
            assertEquals(orNull(() -> netty.getInt(name)), h.getInt(name), name);
            assertEquals(orNull(() -> netty.getShort(name)), h.getShort(name), name);
            assertEquals(orNull(() -> netty.getTimeMillis(name)), h.getTimeMillis(name), name);
        }
        assertEquals(12, h.getInt("n"));
        assertEquals(-1, h.getInt("Bad", -1));
        assertEquals((short) -1, h.getShort("Big", (short) -1));
        assertEquals(1_796_572_800_000L, h.getTimeMillis("date"));
        assertEquals(-1L, h.getTimeMillis("N", -1));
    }

    private static Object orNull(java.util.concurrent.Callable<?> read) {
        try {
            return read.call();
        } catch (Exception e) {
            return null;
        }
    }

    @Test
    void copiesAreIndependent() {
        FlatHttpHeaders h = FlatHttpHeaders.create();
        h.add("A", "1");
        HttpHeaders copy = h.copy();
        copy.add("B", "2");
        h.remove("A");
        assertEquals(2, copy.size());
        assertEquals("1", copy.get("a"));
        assertTrue(h.isEmpty());
        assertEquals(List.of(Map.entry("A", "1"), Map.entry("B", "2")), copy.entries());
    }

    @Test
    void knownNamesAreSharedOnlyWhenSpelledTheSame() {
        byte[] line = "xUser-Agent: curl".getBytes(StandardCharsets.US_ASCII);
        AsciiString found = KnownHeaderNames.find(line, 1, 10);
        assertEquals("User-Agent", found.toString());
        assertSame(found, KnownHeaderNames.find("User-Agent".getBytes(StandardCharsets.US_ASCII), 0, 10));
        assertNull(KnownHeaderNames.find("USER-AGENT".getBytes(StandardCharsets.US_ASCII), 0, 10));
        assertNull(KnownHeaderNames.find("User-Agenx".getBytes(StandardCharsets.US_ASCII), 0, 10));
        assertNull(KnownHeaderNames.find(new byte[40], 0, 40));
    }
}
