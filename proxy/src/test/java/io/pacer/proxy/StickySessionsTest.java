package io.pacer.proxy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;

import io.pacer.config.PacerConfig;
import io.pacer.proxy.testing.Await;
import io.pacer.proxy.testing.Closer;
import io.pacer.proxy.testing.MarathonPayload;
import io.pacer.proxy.testing.RawHttp;
import io.pacer.proxy.testing.RawResponse;
import io.pacer.proxy.testing.SoakMarathon;
import io.pacer.proxy.testing.TestUpstream;
import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/** PACER_STICKY end to end: a cookie pins a client to a task across table swaps until that task leaves. */
class StickySessionsTest {

    private static final Duration TIMEOUT = Duration.ofSeconds(10);

    @RegisterExtension
    final Closer open = new Closer();

    @TempDir
    Path dir;

    private Pacer pacer;

    private RawResponse get(String cookie) throws Exception {
        try (RawHttp raw = RawHttp.connect(pacer.server().localAddress())) {
            return raw.send("GET /web/ HTTP/1.1\r\nHost: t\r\n" + (cookie == null ? "" : "Cookie: theme=dark; "
                    + cookie + "\r\n") + "\r\n").readResponse(TIMEOUT);
        }
    }

    @Test
    void aClientStaysOnItsTaskAcrossSwapsAndMovesWhenTheTaskLeaves() throws Exception {
        TestUpstream a = open.track(TestUpstream.echo("a"));
        TestUpstream b = open.track(TestUpstream.echo("b"));
        TestUpstream c = open.track(TestUpstream.echo("c"));
        SoakMarathon marathon = open.track(new SoakMarathon(0));
        marathon.publishApps(web(a, b));
        pacer = open.track(Pacer.start(PacerConfig.builder()
                .listen(new InetSocketAddress("127.0.0.1", 0))
                .workerThreads(2)
                .marathon(List.of(marathon.uri()))
                .build(), dir.resolve("pacer.toml")));
        Await.until(TIMEOUT, () -> pacer.server().routes().tasks().size() == 2, "two tasks");

        RawResponse first = get(null);
        String setCookie = first.header("Set-Cookie");
        assertNotNull(setCookie, "the first answer pins the client");
        String cookie = setCookie.substring(0, setCookie.indexOf(';'));
        String pinned = first.header(TestUpstream.UPSTREAM_HEADER);
        for (int i = 0; i < 6; i++) {
            RawResponse r = get(cookie);
            assertEquals(pinned, r.header(TestUpstream.UPSTREAM_HEADER));
            assertNull(r.header("Set-Cookie"), "no new cookie while the task serves");
        }

        marathon.publishApps(web(a, b, c)); // a swap: the pinned task stays
        Await.until(TIMEOUT, () -> pacer.server().routes().tasks().size() == 3, "three tasks");
        for (int i = 0; i < 6; i++) {
            assertEquals(pinned, get(cookie).header(TestUpstream.UPSTREAM_HEADER));
        }

        TestUpstream remaining = pinned.equals("a") ? b : a;
        marathon.publishApps(web(remaining, c)); // the pinned task leaves
        Await.until(TIMEOUT, () -> pacer.server().routes().tasks().size() == 2, "pinned task gone");
        RawResponse moved = get(cookie);
        assertEquals(200, moved.status());
        assertNotEquals(pinned, moved.header(TestUpstream.UPSTREAM_HEADER));
        assertNotNull(moved.header("Set-Cookie"), "re-pinned to the task that answered");
    }

    private static String web(TestUpstream... upstreams) {
        return MarathonPayload.apps(MarathonPayload.app("/web", "{\"PACER_STICKY\":\"true\"}", upstreams));
    }
}
