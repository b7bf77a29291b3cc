package io.pacer.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** {@code admin_listen}, Nixy's {@code port} and {@code admin_token}: where the admin API listens and what it wants. */
class AdminKeysTest {

    private static final String TOKEN = "0123456789abcdef0123";

    @RegisterExtension
    final ConfigFiles files = new ConfigFiles();

    @Test
    void byDefaultThereIsNoAdminApiAndNoToken() {
        PacerConfig config = PacerConfig.defaults();
        assertEquals(Optional.empty(), config.admin().listen());
        assertEquals(Optional.empty(), config.adminAddress());
        assertEquals(Optional.empty(), config.admin().token());
    }

    @Test
    void adminListenIsAnAddressOfItsOwn() throws Exception {
        PacerConfig config = files.load("listen = \"0.0.0.0:80\"\nadmin_listen = \"127.0.0.1:8000\"\n");
        assertEquals(Optional.of(new InetSocketAddress("127.0.0.1", 8000)), config.adminAddress());
        assertEquals(config.adminAddress(), config.admin().listen());
        assertEquals(new InetSocketAddress("::1", 9000), files.load("admin_listen = \"[::1]:9000\"\n").adminAddress().get());
        assertEquals(new InetSocketAddress(9000), files.load("admin_listen = \":9000\"\n").adminAddress().get());
    }

    @Test
    void nixysPortMeansTheListenHostWithThatPort() throws Exception {
        PacerConfig config = files.load("listen = \"127.0.0.1:8080\"\nport = \"8000\"\n");
        assertEquals(Optional.of(new InetSocketAddress("127.0.0.1", 8000)), config.adminAddress());
        assertEquals(Optional.empty(), config.admin().listen());
        assertEquals(Optional.of(new InetSocketAddress(8000)), files.load("port = 8000\n").adminAddress());
    }

    @Test
    void anEmptyAdminListenMeansNone() throws Exception {
        assertEquals(Optional.empty(), files.load("admin_listen = \"\"\n").adminAddress());
    }

    @Test
    void adminListenAndPortTogetherAreRefused() throws IOException {
        ConfigException e = files.failure("port = 8000\nadmin_listen = \"127.0.0.1:8001\"\n");
        assertEquals("admin_listen", e.key());
        assertTrue(e.getMessage().contains("cannot be used together with port"), e.getMessage());
    }

    @ParameterizedTest
    @ValueSource(strings = {
        "listen = \"0.0.0.0:8080\"\nadmin_listen = \"127.0.0.1:8080\"\n",
        "listen = \"127.0.0.1:8080\"\nadmin_listen = \":8080\"\n",
        "listen = \"127.0.0.1:8080\"\nadmin_listen = \"127.0.0.1:8080\"\n",
        "admin_listen = \"127.0.0.1:8080\"\n"})
    void anAdminAddressOnTheTrafficPortIsRefused(String toml) throws IOException {
        ConfigException e = files.failure(toml);
        assertEquals("admin_listen", e.key());
        assertTrue(e.getMessage().contains("cannot share the traffic port 8080"), e.getMessage());
        assertTrue(e.getMessage().startsWith(files.dir().resolve("pacer.toml") + ": admin_listen: "), e.getMessage());
    }

    @Test
    void nixysPortEqualToTheTrafficPortIsRefusedNamingPort() throws IOException {
        ConfigException e = files.failure("listen = \":8000\"\nport = \"8000\"\n");
        assertEquals("port", e.key());
        assertTrue(e.getMessage().contains("cannot share the traffic port 8000"), e.getMessage());
    }

    @Test
    void theSamePortOnAnotherAddressIsAllowed() throws Exception {
        PacerConfig config = files.load("listen = \"127.0.0.1:8080\"\nadmin_listen = \"127.0.0.2:8080\"\n");
        assertEquals(8080, config.adminAddress().get().getPort());
        // Port 0 is a free port for each: they never meet.
        assertTrue(files.load("listen = \"127.0.0.1:0\"\nadmin_listen = \"127.0.0.1:0\"\n").adminAddress().isPresent());
    }

    @ParameterizedTest
    @ValueSource(strings = {"admin_listen = \"localhost\"\n", "admin_listen = 8000.5\n", "admin_listen = \"1.2.3.4:99999\"\n"})
    void aBadAdminAddressNamesTheKey(String toml) throws IOException {
        ConfigException e = files.failure(toml);
        assertEquals("admin_listen", e.key());
    }

    @Test
    void adminTokenIsRead() throws Exception {
        assertEquals(Optional.of(TOKEN), files.load("admin_token = \"" + TOKEN + "\"\n").admin().token());
        assertEquals(Optional.empty(), files.load("admin_token = \"\"\n").admin().token(), "empty is none");
    }

    @ParameterizedTest
    @ValueSource(strings = {"admin_token = \"short\"\n", "admin_token = \"with a space in it 0123456789\"\n",
        "admin_token = 12345678901234567\n", "admin_token = \"n\u00e9-ascii-0123456789abc\"\n"})
    void aTokenThatIsTooShortOrCannotBeSentIsRefused(String toml) throws IOException {
        ConfigException e = files.failure(toml);
        assertEquals("admin_token", e.key());
        assertFalse(e.getMessage().contains("with a space"), "the token is not repeated: " + e.getMessage());
    }

    @Test
    void theTokenIsMaskedInToString() throws Exception {
        String text = files.load("admin_token = \"" + TOKEN + "\"\n").toString();
        assertFalse(text.contains(TOKEN), text);
        assertTrue(text.contains("admin_token=\"***\""), text);
    }
}
