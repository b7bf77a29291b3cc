package io.pacer.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** {@code transport}: which I/O the data plane runs on. Whether it can run here is the proxy's to find out. */
class TransportKeyTest {

    @RegisterExtension
    final ConfigFiles files = new ConfigFiles();

    @Test
    void defaultIsAuto() throws Exception {
        for (PacerConfig config : List.of(PacerConfig.defaults(), files.load(""))) {
            assertEquals("auto", config.listeners().transport());
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"auto", "epoll", "io_uring", "nio"})
    void readsEveryValue(String value) throws Exception {
        PacerConfig config = files.load("transport = \"" + value + "\"\n");
        assertEquals(value, config.listeners().transport());
        assertTrue(config.toString().contains("transport=" + value), config::toString);
    }

    @Test
    void takesPartInEqualityAndCopies() throws Exception {
        PacerConfig uring = PacerConfig.builder().transport("io_uring").build();
        assertEquals("io_uring", uring.toBuilder().build().listeners().transport());
        assertEquals(uring, uring.toBuilder().build());
        assertEquals(uring.hashCode(), uring.toBuilder().build().hashCode());
        assertNotEquals(PacerConfig.defaults(), uring);
    }

    @ParameterizedTest
    @ValueSource(strings = {"\"iouring\"", "\"io-uring\"", "\"EPOLL\"", "\"\"", "\"kqueue\"", "1", "true"})
    void refusesAnythingElseNamingTheKey(String value) throws Exception {
        ConfigException e = files.failure("transport = " + value + "\n");
        assertEquals("transport", e.key());
        assertTrue(e.getMessage().contains(": transport: "), e::getMessage);
        if (value.startsWith("\"")) {
            assertTrue(e.problem().contains("accepted: auto, epoll, io_uring, nio"), e::problem);
        }
    }

    @Test
    void builderRefusesUnknownNames() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> PacerConfig.builder().transport("uring"));
        assertTrue(e.getMessage().startsWith("transport: "), e::getMessage);
        assertThrows(NullPointerException.class, () -> PacerConfig.builder().transport(null));
    }
}
