package io.pacer.proxy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.pacer.proxy.testing.Await;
import io.pacer.proxy.testing.RawHttp;
import io.pacer.proxy.testing.Reply;
import io.pacer.proxy.testing.TestProxy;
import io.pacer.proxy.testing.TestUpstream;
import java.time.Duration;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Found by FrontDoorFuzzTest. A client that ends its side of the connection (FIN) before its answer
 * is treated as gone, as Nginx treats it ("client prematurely closed connection", 499): the request
 * in flight is cancelled upstream and the connection closes, whatever followed the request. What
 * was decoded after the request at end of input is dropped quietly, not interleaved.
 */
class ClientHalfCloseTest {

    private static final Duration TIMEOUT = Duration.ofSeconds(5);

    @ParameterizedTest(name = "[{index}]")
    @ValueSource(strings = {"", "GARBAGE\r\n\r\n", "GET /app/2 HTTP/1.1\r\nHost: t\r\n\r\n"})
    void aFinBeforeTheAnswerCancelsTheRequestAndClosesTheConnection(String next) throws Exception {
        try (TestUpstream up = TestUpstream.start("up", req -> Reply.ok(req.uri()).delayed(Duration.ofMillis(500)));
             TestProxy proxy = TestProxy.start(TestProxy.table(TestProxy.app("/app", up)));
             RawHttp raw = proxy.connect()) {
            raw.send("POST /app/1 HTTP/1.1\r\nHost: t\r\nContent-Length: 5\r\n\r\nhello" + next);
            Await.until(TIMEOUT, () -> up.requestCount() == 1, "the request reached the upstream");
            raw.shutdownOutput();
            assertTrue(raw.isClosedByPeer(TIMEOUT), "Pacer closes the connection of a client that left");
            Await.until(TIMEOUT, () -> up.openConnections() == 0, "the upstream request was cancelled");
            assertEquals(1, up.requestCount(), "nothing decoded after the FIN reached the upstream");
        }
    }
}
