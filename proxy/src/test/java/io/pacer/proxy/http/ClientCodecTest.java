package io.pacer.proxy.http;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.netty.buffer.Unpooled;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.handler.codec.http.HttpDecoderConfig;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.util.ReferenceCountUtil;
import io.pacer.proxy.testing.DecodedMessages;
import io.pacer.proxy.testing.RequestMutations;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/**
 * {@link ClientCodec}'s one-pass request heads change nothing a client can see: the same bytes,
 * cut into the same pieces, go through the codec with and without them, and every message is
 * compared (method, target, version, headers, body, end, refusal and its reason). The inputs are
 * the front-door fuzzer's seeds and mutations (another seed: {@code -Dseed=N}), a corpus of
 * smuggling attempts and odd heads, and requests at the size limits.
 */
class ClientCodecTest {

    private static final String BROWSER = "GET /app/page?id=7 HTTP/1.1\r\nHost: shop.example.com\r\n"
            + "User-Agent: Mozilla/5.0 (X11; Linux x86_64) Chrome/120.0\r\nAccept: text/html,*/*;q=0.8\r\n"
            + "Accept-Language: en-US,en;q=0.9\r\nAccept-Encoding: gzip, deflate, br\r\nCookie: session=abc; theme=dark\r\n"
            + "Connection: keep-alive\r\nSec-Fetch-Dest: document\r\nX-Custom:  padded\t \r\nX-Empty:\r\n\r\n";

    private static final String[] CORPUS = {
        BROWSER,
        BROWSER + BROWSER.replace("id=7", "id=8"),
        "GET / HTTP/1.1\r\nHost: 127.0.0.1:8080\r\n\r\n",
        "GET / HTTP/1.0\r\n\r\n",
        "DELETE /x HTTP/1.1\r\nHost: h\r\n\r\n",
        "PATCH /x HTTP/1.1\r\nHost: h\r\nContent-Length: 2\r\n\r\nab",
        "POST /p HTTP/1.1\r\nHost: h\r\nContent-Length: 70000\r\n\r\n" + "x".repeat(70000) + "GET / HTTP/1.1\r\nHost: h\r\n\r\n",
        "POST /p HTTP/1.1\r\nHost: h\r\nContent-Length: 0\r\n\r\n",
        "POST /p HTTP/1.1\r\nHost: h\r\nContent-Length: 10\r\n\r\nshort",
        // Left to the strict path.
        "PURGE /x HTTP/1.1\r\nHost: h\r\n\r\n",
        "CONNECT h:443 HTTP/1.1\r\nHost: h:443\r\n\r\n",
        "get / HTTP/1.1\r\nHost: h\r\n\r\n",
        "\r\nGET / HTTP/1.1\r\nHost: h\r\n\r\n",
        "GET  / HTTP/1.1\r\nHost: h\r\n\r\n",
        "GET / HTTP/1.1 \r\nHost: h\r\n\r\n",
        "GET /\tx HTTP/1.1\r\nHost: h\r\n\r\n",
        "GET / HTTP/2.0\r\nHost: h\r\n\r\n",
        "GET / http/1.1\r\nHost: h\r\n\r\n",
        "GET /caf\u00e9 HTTP/1.1\r\nHost: h\r\n\r\n",
        "GET / HTTP/1.1\r\nHost: h\r\nX-Latin: caf\u00e9\r\n\r\n",
        "GET / HTTP/1.1\nHost: h\n\n",
        "GET / HTTP/1.1\r\nHost: h\rX: y\r\n\r\n",
        "GET / HTTP/1.1\r\nHost: h\r\n folded\r\n\r\n",
        "GET / HTTP/1.1\r\nHost : h\r\n\r\n",
        "GET / HTTP/1.1\r\nNo colon\r\n\r\n",
        "GET / HTTP/1.1\r\nHost: h\u0000\r\n\r\n",
        "GET / HTTP/1.1\r\nHost: h\u007f\r\n\r\n",
        "POST / HTTP/1.1\r\nHost: h\r\nContent-Length: 3\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n",
        "POST / HTTP/1.1\r\nHost: h\r\nTransfer-Encoding: chunked\r\n\r\n3\r\nabc\r\n0\r\nX-T: 1\r\n\r\n",
        "POST / HTTP/1.1\r\nHost: h\r\nTransfer-Encoding: gzip, chunked\r\n\r\n0\r\n\r\n",
        "POST / HTTP/1.1\r\nHost: h\r\nContent-Length: 3\r\nContent-Length: 3\r\n\r\nabc",
        "POST / HTTP/1.1\r\nHost: h\r\nContent-Length: 3\r\nContent-Length: 4\r\n\r\nabcd",
        "POST / HTTP/1.1\r\nHost: h\r\nContent-Length: 3, 3\r\n\r\nabc",
        "POST / HTTP/1.1\r\nHost: h\r\nContent-Length: 03\r\n\r\nabc",
        "POST / HTTP/1.1\r\nHost: h\r\nContent-Length: +3\r\n\r\nabc",
        "POST / HTTP/1.1\r\nHost: h\r\nContent-Length: -1\r\n\r\n",
        "POST / HTTP/1.1\r\nHost: h\r\nContent-Length: 99999999999999999999\r\n\r\n",
        "GET /ws HTTP/1.1\r\nHost: h\r\nUpgrade: WebSocket\r\nConnection: Upgrade\r\nSec-WebSocket-Key1: 4 @1  46546xW%0l 1 5\r\n"
                + "Sec-WebSocket-Key2: 12998 5 Y3 1  .P00\r\n\r\n^n:ds[4U",
        "GET /" + "a".repeat(3000) + " HTTP/1.1\r\nHost: h\r\n\r\n",
        "GET / HTTP/1.1\r\nHost: h\r\nX-Big: " + "b".repeat(5000) + "\r\n\r\n",
        "GET / HTTP/1.1\r\nHost: h\r\n\r\nGARBAGE\r\n\r\n",
        "GET / HTTP/1.1\r\nHost: h\r\n\r\nGET / HTTP/1.1\r\nHo",
        "GET / HTTP/1.1\r\nHost: h\r\n\r\nPOST / HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n2\r\nab\r\n0\r\n\r\n"
                + "GET /again HTTP/1.1\r\nHost: h\r\n\r\n",
    };

    private static final Pattern PLAIN_FIRST_LINE =
            Pattern.compile("(GET|HEAD|POST|PUT|DELETE|OPTIONS|PATCH) [!-~]+ HTTP/1\\.[01]\r\n");

    /** Pacer's default limits, and small ones that the corpus's long heads cross. */
    private static final HttpDecoderConfig[] CONFIGS = {config(8192, 8192), config(2048, 4096), config(4096, 1024)};

    private static HttpDecoderConfig config(int maxInitialLine, int maxHeaders) {
        return new HttpDecoderConfig()
                .setMaxInitialLineLength(maxInitialLine)
                .setMaxHeaderSize(maxHeaders)
                .setMaxChunkSize(65536)
                .setStrictLineParsing(true)
                .setHeadersFactory(FlatHttpHeaders.FACTORY)
                .setTrailersFactory(FlatHttpHeaders.TRAILERS_FACTORY);
    }

    @Test
    void decodesTheCorpusAsTheStrictPathDoes() {
        Random random = new Random(3);
        List<byte[]> inputs = new ArrayList<>(RequestMutations.SEEDS);
        for (String s : CORPUS) {
            inputs.add(RequestMutations.b(s));
        }
        for (HttpDecoderConfig config : CONFIGS) {
            for (byte[] bytes : inputs) {
                assertSameRequests(config, bytes, List.of(bytes.length));
                assertSameRequests(config, bytes, DecodedMessages.everyByte(bytes.length, 300));
                for (int i = 0; i < 10; i++) {
                    assertSameRequests(config, bytes, DecodedMessages.randomCuts(random, bytes.length, 300));
                }
            }
        }
    }

    @Test
    void decodesTheFuzzersMutationsAsTheStrictPathDoes() {
        Random random = new Random(Long.getLong("seed", 5));
        int plainFirstLines = 0;
        for (int n = 0; n < 20_000; n++) {
            byte[] bytes = RequestMutations.mutate(random);
            HttpDecoderConfig config = CONFIGS[random.nextInt(CONFIGS.length)];
            List<Integer> cuts = random.nextInt(3) == 0
                    ? List.of(bytes.length) : DecodedMessages.randomCuts(random, bytes.length, 300);
            assertSameRequests(config, bytes, cuts);
            plainFirstLines += PLAIN_FIRST_LINE.matcher(new String(bytes, StandardCharsets.ISO_8859_1)).lookingAt() ? 1 : 0;
        }
        assertTrue(plainFirstLines > 5_000, "many mutations keep a request line the fast path takes: " + plainFirstLines);
    }

    @Test
    void aRepeatedHeadReusesTheLastHeadsStrings() {
        EmbeddedChannel channel = new EmbeddedChannel(new ClientCodec(CONFIGS[0]));
        channel.writeInbound(Unpooled.copiedBuffer(BROWSER + BROWSER, StandardCharsets.ISO_8859_1));
        List<HttpRequest> heads = new ArrayList<>();
        for (Object msg; (msg = channel.readInbound()) != null; ) {
            if (msg instanceof HttpRequest r) {
                heads.add(r);
            }
            ReferenceCountUtil.release(msg);
        }
        assertEquals(2, heads.size());
        assertSame(heads.get(0).uri(), heads.get(1).uri());
        FlatHttpHeaders a = (FlatHttpHeaders) heads.get(0).headers();
        FlatHttpHeaders b = (FlatHttpHeaders) heads.get(1).headers();
        assertEquals(10, a.size());
        for (int i = 0; i < a.size(); i++) {
            assertSame(a.nameAt(i), b.nameAt(i), "name " + i);
            assertSame(a.valueAt(i), b.valueAt(i), "value " + i);
        }
        channel.finishAndReleaseAll();
    }



    private static void assertSameRequests(HttpDecoderConfig config, byte[] bytes, List<Integer> cuts) {
        String expected = DecodedMessages.of(new EmbeddedChannel(new ClientCodec(config, false)), bytes, cuts);
        String actual = DecodedMessages.of(new EmbeddedChannel(new ClientCodec(config, true)), bytes, cuts);
        assertEquals(expected, actual, () -> "request " + DecodedMessages.escape(bytes) + " cut at " + cuts
                + " with limits "
                + config.getMaxInitialLineLength() + "/" + config.getMaxHeaderSize());
    }





}
