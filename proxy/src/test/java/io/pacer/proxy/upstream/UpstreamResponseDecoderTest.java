package io.pacer.proxy.upstream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.netty.buffer.Unpooled;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.handler.codec.http.HttpDecoderConfig;
import io.netty.handler.codec.http.HttpMessage;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.HttpResponseDecoder;
import io.netty.util.ReferenceCountUtil;
import io.pacer.proxy.http.FlatHttpHeaders;
import io.pacer.proxy.testing.DecodedMessages;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * {@link UpstreamResponseDecoder} frames every response exactly as Netty's {@code HttpResponseDecoder}
 * does: the same bytes, cut into the same pieces, go through both, and what each emits (heads,
 * body bytes, end markers, failures, raw bytes after a protocol switch) is compared. The corpus holds
 * the answers tasks give, the answers the fast path leaves to Netty's decoder, sequences that
 * cross between the two, and thousands of random mutations of them.
 */
class UpstreamResponseDecoderTest {

    private static final String OK = "HTTP/1.1 200 OK\r\nServer: nginx/1.22.1\r\nDate: Sun, 06 Dec 2026 17:00:00 GMT\r\n"
            + "Content-Type: text/html\r\nContent-Length: 5\r\nConnection: keep-alive\r\n\r\nhello";

    private static final String[] CORPUS = {
        OK,
        "HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n",
        "HTTP/1.0 200 OK\r\nContent-Length: 3\r\n\r\nabc",
        "HTTP/1.1 404 Not Found\r\ncontent-length: 2\r\nX-Empty:\r\nX-Spaces:   padded \t \r\n\r\nno",
        "HTTP/1.1 200 Fine Thanks\r\nContent-Length: 1\r\n\r\n!",
        "HTTP/1.1 299 Whatever\r\nContent-Length: 1\r\n\r\n!",
        "HTTP/1.1 599 Custom Reason\r\nContent-Length: 1\r\n\r\n!",
        "HTTP/1.1 204 No Content\r\nServer: x\r\n\r\n",
        "HTTP/1.1 304 Not Modified\r\nContent-Length: 10\r\n\r\n",
        "HTTP/1.1 204 No Content\r\nTransfer-Encoding: chunked\r\n\r\n",
        "HTTP/1.1 200 OK\r\nContent-Length: 70000\r\n\r\n" + "x".repeat(70000),
        "HTTP/1.1 200 OK\r\nSet-Cookie: a=1\r\nSet-Cookie: b=2\r\nContent-Length: 2\r\n\r\nok",
        // Left to Netty's decoder.
        "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nhello\r\n0\r\nX-Trailer: t\r\n\r\n",
        "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\nContent-Length: 5\r\n\r\n3\r\nabc\r\n0\r\n\r\n",
        "HTTP/1.1 200 OK\r\nServer: close-delimited\r\n\r\nuntil the end",
        "HTTP/1.0 200 OK\r\n\r\nold style",
        "HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok",
        "HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n\r\n\u0081\u0002hi",
        "HTTP/1.1 200 OK\r\nContent-Length: 007\r\n\r\n1234567",
        "HTTP/1.1 200 OK\r\nContent-Length: 5, 5\r\n\r\nhello",
        "HTTP/1.1 200 OK\r\nContent-Length: 5\r\nContent-Length: 5\r\n\r\nhello",
        "HTTP/1.1 200 OK\r\nContent-Length: 5\r\nContent-Length: 6\r\n\r\nhello!",
        "HTTP/1.1 200 OK\r\nContent-Length: -1\r\n\r\n",
        "HTTP/1.1 200 OK\r\nContent-Length: +5\r\n\r\nhello",
        "HTTP/1.1 200 OK\r\nContent-Length: 5x\r\n\r\nhello",
        "HTTP/1.1 200 OK\r\nContent-Length: 99999999999999999999\r\n\r\n",
        "HTTP/1.1 200 OK\r\nX-Folded: a\r\n b\r\nContent-Length: 0\r\n\r\n",
        "HTTP/1.1 200 OK\r\nX-Bare-LF: a\nContent-Length: 0\r\n\r\n",
        "HTTP/1.1 200 OK\nContent-Length: 0\n\n",
        "HTTP/1.1 200 OK\r\nX-Bare-CR: a\rb\r\nContent-Length: 0\r\n\r\n",
        "HTTP/1.1 200 OK\r\nX-Space-Before-Colon : a\r\nContent-Length: 0\r\n\r\n",
        "HTTP/1.1 200 OK\r\nNo colon here\r\nContent-Length: 0\r\n\r\n",
        "HTTP/1.1 200 OK\r\nX-Ctl: a\u0001b\r\nContent-Length: 0\r\n\r\n",
        "HTTP/1.1 200 OK\r\nX-Del: a\u007fb\r\nContent-Length: 0\r\n\r\n",
        "HTTP/1.1 200 OK\r\nX-Nul: a\u0000b\r\nContent-Length: 0\r\n\r\n",
        "HTTP/1.1 200 OK\r\nX-Latin: caf\u00e9\r\nContent-Length: 0\r\n\r\n",
        "HTTP/1.1 200 OK\r\nX-Tab:\ta\tb\t\r\nContent-Length: 0\r\n\r\n",
        "HTTP/1.1 200\r\nContent-Length: 0\r\n\r\n",
        "HTTP/1.1 200 \r\nContent-Length: 0\r\n\r\n",
        "HTTP/1.1 200  OK\r\nContent-Length: 0\r\n\r\n",
        "HTTP/1.1  200 OK\r\nContent-Length: 0\r\n\r\n",
        "HTTP/1.1 200 OK \r\nContent-Length: 0\r\n\r\n",
        "HTTP/2.0 200 OK\r\nContent-Length: 0\r\n\r\n",
        "http/1.1 200 OK\r\nContent-Length: 0\r\n\r\n",
        "HTTP/1.1 2000 OK\r\nContent-Length: 0\r\n\r\n",
        "HTTP/1.1 20 OK\r\nContent-Length: 0\r\n\r\n",
        "HTTP/1.1 abc OK\r\nContent-Length: 0\r\n\r\n",
        "\r\n\r\nHTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n",
        "HTTP/1.1 200 OK\r\nX-Long: " + "v".repeat(9000) + "\r\nContent-Length: 0\r\n\r\n",
        "HTTP/1.1 200 OK\r\nX-Too-Long: " + "v".repeat(70000) + "\r\nContent-Length: 0\r\n\r\n",
        "HTTP/1.1 200 OK\r\nContent-Length: 10\r\n\r\nshort",
        "HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nokHTTP/1.1 200 OK\r\nContent",
        "HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nokgarbage that is no response\r\n\r\n",
        "garbage\r\n\r\n",
        "HTTP/1.1 200 OK\r\nContent-Len",
        // A connection that goes back and forth between the two decoders.
        OK + "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n2\r\nab\r\n0\r\n\r\n" + OK
                + "HTTP/1.1 100 Continue\r\n\r\n" + OK + "HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n",
    };

    private static final HttpDecoderConfig CONFIG = new HttpDecoderConfig()
            .setMaxInitialLineLength(8192)
            .setMaxHeaderSize(65536)
            .setMaxChunkSize(65536)
            .setHeadersFactory(FlatHttpHeaders.FACTORY)
            .setTrailersFactory(FlatHttpHeaders.TRAILERS_FACTORY);

    @Test
    void framesTheCorpusAsNettysDecoderDoes() {
        Random random = new Random(7);
        for (String response : CORPUS) {
            byte[] bytes = response.getBytes(StandardCharsets.ISO_8859_1);
            for (boolean head : new boolean[] {false, true}) {
                assertSameFraming(bytes, List.of(bytes.length), head, response);
                assertSameFraming(bytes, DecodedMessages.everyByte(bytes.length, 300), head, response);
                for (int i = 0; i < 20; i++) {
                    assertSameFraming(bytes, DecodedMessages.randomCuts(random, bytes.length, 300), head, response);
                }
            }
        }
    }

    @Test
    void framesRandomMutationsAsNettysDecoderDoes() {
        Random random = new Random(Long.getLong("seed", 11));
        byte[] alphabet = " \t\r\n:,;0123456789-aAzZ\u0000\u007f\u00ff/.HTP".getBytes(StandardCharsets.ISO_8859_1);
        int fastPathCases = 0;
        for (int n = 0; n < 20_000; n++) {
            byte[] seed = CORPUS[random.nextInt(CORPUS.length)].getBytes(StandardCharsets.ISO_8859_1);
            byte[] bytes = mutate(random, seed, alphabet);
            boolean head = random.nextInt(8) == 0;
            String description = new String(bytes, StandardCharsets.ISO_8859_1);
            assertSameFraming(bytes, DecodedMessages.randomCuts(random, bytes.length, 300), head, description);
            fastPathCases += description.startsWith("HTTP/1.1 200 OK\r\n") ? 1 : 0;
        }
        assertTrue(fastPathCases > 1000, "the mutations keep many heads the fast path takes: " + fastPathCases);
    }

    @Test
    void aRepeatedHeadReusesTheLastHeadsStringsAndAChangedValueIsNew() {
        EmbeddedChannel channel = new EmbeddedChannel(new UpstreamResponseDecoder(CONFIG));
        String second = OK.replace("17:00:00", "17:00:01");
        channel.writeInbound(Unpooled.copiedBuffer(OK + OK + second, StandardCharsets.ISO_8859_1));
        List<HttpResponse> heads = new ArrayList<>();
        for (Object msg; (msg = channel.readInbound()) != null; ) {
            if (msg instanceof HttpResponse r) {
                heads.add(r);
            }
            ReferenceCountUtil.release(msg);
        }
        assertEquals(3, heads.size());
        FlatHttpHeaders a = (FlatHttpHeaders) heads.get(0).headers();
        FlatHttpHeaders b = (FlatHttpHeaders) heads.get(1).headers();
        FlatHttpHeaders c = (FlatHttpHeaders) heads.get(2).headers();
        for (int i = 0; i < a.size(); i++) {
            assertSame(a.valueAt(i), b.valueAt(i), "value " + i);
        }
        assertSame(heads.get(0).status(), heads.get(2).status());
        assertEquals("Sun, 06 Dec 2026 17:00:01 GMT", c.get("Date"));
        assertNotSame(a.valueAt(1), c.valueAt(1));
        assertSame(a.valueAt(0), c.valueAt(0));
        assertFalse(channel.finish());
    }

    @Test
    void bytesPastTheAnnouncedLengthAreLeftOver() {
        UpstreamResponseDecoder decoder = new UpstreamResponseDecoder(CONFIG);
        EmbeddedChannel channel = new EmbeddedChannel(decoder);
        channel.writeInbound(Unpooled.copiedBuffer("HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nokHTTP/1.1 2",
                StandardCharsets.ISO_8859_1));
        assertTrue(decoder.hasLeftoverBytes());
        channel.finishAndReleaseAll();
    }



    private static byte[] mutate(Random random, byte[] seed, byte[] alphabet) {
        List<Byte> out = new ArrayList<>(seed.length + 8);
        for (byte b : seed) {
            out.add(b);
        }
        int edits = 1 + random.nextInt(3);
        for (int e = 0; e < edits && !out.isEmpty(); e++) {
            int at = random.nextInt(Math.min(out.size(), 120));
            byte with = alphabet[random.nextInt(alphabet.length)];
            switch (random.nextInt(3)) {
                case 0 -> out.set(at, with);
                case 1 -> out.add(at, with);
                default -> out.remove(at);
            }
        }
        byte[] bytes = new byte[out.size()];
        for (int i = 0; i < bytes.length; i++) {
            bytes[i] = out.get(i);
        }
        return bytes;
    }

    /** Feeds both decoders the same pieces, then a close, and compares what they emit. */
    private static void assertSameFraming(byte[] bytes, List<Integer> cuts, boolean head, String response) {
        UpstreamResponseDecoder pacer = new UpstreamResponseDecoder(CONFIG);
        pacer.expectResponseTo(head);
        String expected = DecodedMessages.of(new EmbeddedChannel(new ReferenceDecoder(head)), bytes, cuts);
        String actual = DecodedMessages.of(new EmbeddedChannel(pacer), bytes, cuts);
        assertEquals(expected, actual, () -> (head ? "HEAD " : "") + "response "
                + DecodedMessages.escape(response.getBytes(StandardCharsets.ISO_8859_1)) + " cut at " + cuts);
    }






    /** Netty's decoder, told about HEAD requests as Pacer's is. */
    private static final class ReferenceDecoder extends HttpResponseDecoder {
        private final boolean head;

        ReferenceDecoder(boolean head) {
            super(CONFIG);
            this.head = head;
        }

        @Override
        protected boolean isContentAlwaysEmpty(HttpMessage msg) {
            return head || super.isContentAlwaysEmpty(msg);
        }
    }
}
