package io.pacer.proxy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.netty.channel.epoll.Epoll;
import io.netty.channel.epoll.EpollServerSocketChannel;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.netty.channel.socket.nio.NioSocketChannel;
import io.netty.channel.uring.IoUring;
import io.netty.channel.uring.IoUringDatagramChannel;
import io.netty.channel.uring.IoUringServerSocketChannel;
import io.netty.channel.uring.IoUringSocketChannel;
import io.pacer.config.ConfigException;
import io.pacer.config.PacerConfig;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** {@code transport}: what each name gives, and a named transport that cannot run here as a configuration error. */
class TransportTest {

    @TempDir
    Path dir;

    @Test
    void autoIsIoUringWhereItRunsElseEpollWhenItLoadsElseNio() {
        String forced = System.getProperty("pacer.transport", "auto");
        String expected = !forced.isEmpty() && !forced.equals("auto") ? forced
                : Boolean.getBoolean("pacer.noEpoll") ? "nio"
                : IoUring.isAvailable() ? "io_uring"
                : Epoll.isAvailable() ? "epoll" : "nio";
        assertEquals(expected, Transport.named("auto").name());
        assertEquals(expected, Transport.detect().name());
        assertEquals(expected, Transport.named(PacerConfig.defaults().listeners().transport()).name(),
                "the default is auto");
    }

    @Test
    void nioRunsEverywhere() {
        Transport nio = Transport.named("nio");
        assertEquals("nio", nio.name());
        assertEquals(NioServerSocketChannel.class, nio.serverChannel());
        assertEquals(NioSocketChannel.class, nio.socketChannel());
    }

    @Test
    void epollByNameWhereItLoads() {
        Assumptions.assumeTrue(Epoll.isAvailable(), () -> "epoll is not available here: " + Epoll.unavailabilityCause());
        Transport epoll = Transport.named("epoll");
        assertEquals("epoll", epoll.name());
        assertEquals(EpollServerSocketChannel.class, epoll.serverChannel());
    }

    @Test
    void ioUringByNameWhereItRuns() {
        Assumptions.assumeTrue(IoUring.isAvailable(),
                () -> "io_uring is not available here, test skipped: " + IoUring.unavailabilityCause());
        Transport uring = Transport.named("io_uring");
        assertEquals("io_uring", uring.name());
        assertEquals(IoUringServerSocketChannel.class, uring.serverChannel());
        assertEquals(IoUringSocketChannel.class, uring.socketChannel());
        assertEquals(IoUringDatagramChannel.class, uring.datagramChannel());
    }

    @Test
    void ioUringWhereItCannotRunIsAConfigurationErrorInProcess() {
        Assumptions.assumeFalse(IoUring.isAvailable(), "io_uring runs here: the separate-JVM test covers the error");
        PacerConfig config = PacerConfig.builder().transport("io_uring").build();
        ConfigException e = assertThrows(ConfigException.class,
                () -> Pacer.start(config, dir.resolve("pacer.toml")));
        assertEquals("transport", e.key());
        assertTrue(e.problem().startsWith("\"io_uring\" is not available on this machine ("), e::problem);
    }

    @Test
    void unknownNamesAreRefused() {
        assertThrows(IllegalArgumentException.class, () -> Transport.named("kqueue"));
    }

    /**
     * With Netty's native transports switched off ({@code -Dio.netty.transport.noNative=true}), a
     * separate JVM stands for a machine where neither native transport loads: a named one fails
     * {@code --check} and startup with exit status 2, the key and the reason; {@code auto} and
     * {@code nio} are fine.
     */
    @ParameterizedTest
    @ValueSource(strings = {"io_uring", "epoll"})
    void namedNativeTransportThatCannotLoadStopsStartupWithStatus2(String name) throws Exception {
        Path toml = Files.writeString(dir.resolve("pacer.toml"),
                "listen = \"127.0.0.1:0\"\ntransport = \"" + name + "\"\n", StandardCharsets.UTF_8);
        for (String mode : List.of("--check", "start")) {
            Result r = pacer(toml, mode.equals("--check"));
            assertEquals(2, r.status, r.output);
            assertTrue(r.output.contains("pacer: configuration error: " + toml + ": transport: \"" + name
                    + "\" is not available on this machine ("), r.output);
            assertTrue(r.output.contains("use \"auto\""), r.output);
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"auto", "nio"})
    void autoAndNioPassTheCheckWithoutNativeTransports(String name) throws Exception {
        Path toml = Files.writeString(dir.resolve("pacer.toml"),
                "listen = \"127.0.0.1:0\"\ntransport = \"" + name + "\"\n", StandardCharsets.UTF_8);
        Result r = pacer(toml, true);
        assertEquals(0, r.status, r.output);
        assertTrue(r.output.contains("is valid"), r.output);
    }

    private record Result(int status, String output) { }

    private Result pacer(Path toml, boolean check) throws IOException, InterruptedException {
        Path log = dir.resolve("pacer-" + System.nanoTime() + ".log");
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        List<String> command = new ArrayList<>(List.of(java, "-Xmx64m", "-XX:TieredStopAtLevel=1",
                "-Dio.netty.transport.noNative=true",
                "-cp", System.getProperty("java.class.path"), "io.pacer.proxy.Main", "-f", toml.toString()));
        if (check) {
            command.add("--check");
        }
        Process p = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(log.toFile()).start();
        if (!p.waitFor(60, TimeUnit.SECONDS)) {
            p.destroyForcibly().waitFor();
            throw new AssertionError("pacer did not exit:\n" + Files.readString(log));
        }
        return new Result(p.exitValue(), Files.readString(log));
    }
}
