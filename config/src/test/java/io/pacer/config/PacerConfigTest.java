package io.pacer.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.pacer.core.RetryCondition;
import io.pacer.core.RetryPolicy;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.time.Duration;
import java.util.EnumSet;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class PacerConfigTest {

    @Test
    void defaultXproxyIsTheHostNameOrPacer() throws Exception {
        String xproxy = PacerConfig.defaults().listeners().xproxy();
        String hostName = InetAddress.getLocalHost().getHostName();
        assertTrue(xproxy.equals(hostName) || xproxy.equals("pacer"), xproxy);
        assertEquals(null, Text.headerValueProblem(xproxy));
    }

    @Test
    void toBuilderRoundTripsAndChangesOnlyWhatIsSet() {
        PacerConfig base = PacerConfig.builder()
                .listen(new InetSocketAddress("127.0.0.1", 0))
                .xproxy("p")
                .appsFile(Path.of("/tmp/apps.json"))
                .retryPolicy(new RetryPolicy(EnumSet.of(RetryCondition.HTTP_404), true, 2, 5))
                .build();
        assertEquals(base, base.toBuilder().build());
        assertEquals(base.hashCode(), base.toBuilder().build().hashCode());
        PacerConfig changed = base.toBuilder().workerThreads(3).appsFile(null).build();
        assertNotEquals(base, changed);
        assertEquals(3, changed.listeners().workerThreads());
        assertEquals(Optional.empty(), changed.discovery().appsFile());
        assertEquals(base.listeners().listen(), changed.listeners().listen());
        assertEquals(base.upstream().retryPolicy(), changed.upstream().retryPolicy());
    }

    @Test
    void retryPoliciesCompareByValue() {
        PacerConfig a = PacerConfig.builder().xproxy("p").retryPolicy(RetryPolicy.defaults()).build();
        PacerConfig b = PacerConfig.builder().xproxy("p").retryPolicy(RetryPolicy.defaults()).build();
        assertEquals(a, b);
        assertNotEquals(a, b.toBuilder().retryPolicy(new RetryPolicy(RetryPolicy.DEFAULT_CONDITIONS, true, 0, 0)).build());
        assertNotEquals(a, b.toBuilder().retryPolicy(new RetryPolicy(RetryPolicy.DEFAULT_CONDITIONS, false, 1, 0)).build());
        assertNotEquals(a, b.toBuilder().retryPolicy(new RetryPolicy(RetryPolicy.DEFAULT_CONDITIONS, false, 0, 1)).build());
        assertNotEquals(a, b.toBuilder().retryPolicy(new RetryPolicy(EnumSet.noneOf(RetryCondition.class), false, 0, 0)).build());
    }

    @Test
    void builderAllowsLimitsTheLoaderWouldNot() {
        // Tests elsewhere need tiny limits to exercise size checks cheaply.
        PacerConfig config = PacerConfig.builder().maxHeaderSize(64).maxUriSize(16).replayBufferSize(1)
                .connectTimeout(Duration.ZERO).build();
        assertEquals(64, config.limits().maxHeaderSize());
        assertEquals(16, config.limits().maxUriSize());
        assertEquals(Duration.ZERO, config.upstream().connectTimeout());
    }

    @Test
    void builderRejectsWhatCannotWork() {
        PacerConfig.Builder b = PacerConfig.builder();
        assertThrows(NullPointerException.class, () -> b.listen(null));
        assertThrows(NullPointerException.class, () -> b.xproxy(null));
        assertThrows(IllegalArgumentException.class, () -> b.xproxy("a\r\nSet-Cookie: x"));
        assertThrows(IllegalArgumentException.class, () -> b.xproxy(""));
        assertThrows(IllegalArgumentException.class, () -> b.maxBodySize(-1));
        assertThrows(IllegalArgumentException.class, () -> b.maxHeaderSize(0));
        assertThrows(IllegalArgumentException.class, () -> b.maxUriSize(-1));
        assertThrows(IllegalArgumentException.class, () -> b.readTimeout(Duration.ofSeconds(-1)));
        assertThrows(IllegalArgumentException.class, () -> b.sendTimeout(Duration.ofDays(200_000)));
        assertThrows(NullPointerException.class, () -> b.keepaliveTimeout(null));
        assertThrows(IllegalArgumentException.class, () -> b.upstreamKeepalive(-1));
        assertThrows(NullPointerException.class, () -> b.retryPolicy(null));
        assertThrows(IllegalArgumentException.class, () -> b.replayBufferSize(-1));
        assertThrows(IllegalArgumentException.class, () -> b.workerThreads(-1));
        assertThrows(IllegalArgumentException.class, () -> b.maxConnections(-1));
        assertThrows(IllegalArgumentException.class, () -> b.balance("random"));
        assertEquals(PacerConfig.defaults(), b.build());
    }

    @Test
    void toStringUsesTomlKeyNames() {
        String text = PacerConfig.builder().xproxy("p").build().toString();
        assertTrue(text.contains("max_body_size=128m"), text);
        assertTrue(text.contains("xproxy=\"p\""), text);
        assertTrue(text.contains("apps_file=none"), text);
        assertFalse(text.contains("maxBodySize"), text);
    }
}
