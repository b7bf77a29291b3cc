package io.pacer.proxy;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.pacer.proxy.testing.RawHttp;
import io.pacer.proxy.testing.RawResponse;
import io.pacer.proxy.testing.Reply;
import io.pacer.proxy.testing.TestProxy;
import io.pacer.proxy.testing.TestUpstream;
import java.time.Duration;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Found by FrontDoorFuzzTest: a client that sends a whole request and then half-closes its side
 * (FIN after the request, as {@code printf ... | nc} does) still gets its answer, as from Nginx,
 * whatever follows the request before the FIN.
 */
class ClientHalfCloseTest {

    private static final Duration TIMEOUT = Duration.ofSeconds(5);

    @ParameterizedTest(name = "[{index}]")
    @ValueSource(strings = {"", "GARBAGE\r\n\r\n", "GET /app/2 HTTP/1.1\r\nHost: t\r\n\r\n"})
    void requestFollowedByAFinIsStillAnswered(String next) throws Exception {
        try (TestUpstream up = TestUpstream.start("up", req -> Reply.ok(req.uri()).delayed(Duration.ofMillis(200)));
             TestProxy proxy = TestProxy.start(TestProxy.table(TestProxy.app("/app", up)));
             RawHttp raw = proxy.connect()) {
            raw.send("POST /app/1 HTTP/1.1\r\nHost: t\r\nContent-Length: 5\r\n\r\nhello" + next);
            raw.shutdownOutput();
            RawResponse first = raw.readResponse(TIMEOUT);
            assertEquals(200, first.status(), first::toString);
            assertEquals("/app/1", first.bodyText());
        }
    }
}
