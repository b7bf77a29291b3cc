package io.pacer.proxy;

import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.IoHandlerFactory;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.ServerChannel;
import io.netty.channel.epoll.Epoll;
import io.netty.channel.epoll.EpollDatagramChannel;
import io.netty.channel.epoll.EpollIoHandler;
import io.netty.channel.epoll.EpollServerSocketChannel;
import io.netty.channel.epoll.EpollSocketChannel;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.DatagramChannel;
import io.netty.channel.socket.SocketChannel;
import io.netty.channel.socket.nio.NioDatagramChannel;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.netty.channel.socket.nio.NioSocketChannel;
import io.netty.channel.unix.Socket;
import io.netty.channel.uring.IoUring;
import io.netty.channel.uring.IoUringDatagramChannel;
import io.netty.channel.uring.IoUringIoHandler;
import io.netty.channel.uring.IoUringServerSocketChannel;
import io.netty.channel.uring.IoUringSocketChannel;
import io.netty.util.concurrent.DefaultThreadFactory;
import java.io.IOException;

/**
 * The I/O transport: by default io_uring on Linux where it runs, else native epoll when its library
 * loads, NIO elsewhere;
 * {@code transport} in {@code pacer.toml} can ask for epoll, io_uring or NIO by name. Every
 * data-plane channel Pacer opens (client, upstream, DNS) uses the same one, so upstream connections
 * can share the client connection's event loop.
 */
public record Transport(String name,
                 IoHandlerFactory ioHandlerFactory,
                 Class<? extends ServerChannel> serverChannel,
                 Class<? extends SocketChannel> socketChannel,
                 Class<? extends DatagramChannel> datagramChannel) {

    /** A transport named in the configuration that cannot run on this machine; the message says why. */
    public static final class UnavailableException extends RuntimeException {
        private static final long serialVersionUID = 1L;

        UnavailableException(String message, Throwable cause) {
            super(message, cause);
        }
    }

    /**
     * {@code transport = "auto"}: io_uring where it runs (it costs about a fifth less CPU per proxied
     * request than epoll), else epoll when it loads, else NIO; {@code -Dpacer.noEpoll} means NIO.
     * {@code -Dpacer.transport=NAME} makes {@code auto} mean that transport instead, so a whole test
     * suite can run on one transport without touching any configuration.
     */
    public static Transport detect() {
        String forced = System.getProperty("pacer.transport", "auto");
        if (!forced.isEmpty() && !forced.equals("auto")) {
            return named(forced);
        }
        if (Boolean.getBoolean("pacer.noEpoll")) {
            return nio();
        }
        if (IoUring.isAvailable()) {
            return ioUring();
        }
        if (Epoll.isAvailable()) {
            return epoll();
        }
        return nio();
    }

    /**
     * The transport {@code transport} names: {@code auto}, {@code epoll}, {@code io_uring} or {@code nio}.
     * Only {@code auto} falls back; a named one is what the operator measures or relies on, so it is
     * that one or an error.
     *
     * @throws UnavailableException when {@code epoll} or {@code io_uring} cannot run here
     * @throws IllegalArgumentException for any other name (the loader accepts none)
     */
    public static Transport named(String name) {
        return switch (name) {
            case "auto" -> detect();
            case "nio" -> nio();
            case "epoll" -> {
                if (!Epoll.isAvailable()) {
                    throw unavailable("epoll", Epoll.unavailabilityCause());
                }
                yield epoll();
            }
            case "io_uring" -> {
                if (!IoUring.isAvailable()) {
                    throw unavailable("io_uring", IoUring.unavailabilityCause());
                }
                yield ioUring();
            }
            default -> throw new IllegalArgumentException("transport: unknown transport \"" + name + "\"");
        };
    }

    private static UnavailableException unavailable(String name, Throwable cause) {
        return new UnavailableException("\"" + name + "\" is not available on this machine ("
                + reason(cause) + "); use \"auto\" (io_uring or epoll when available, else NIO) or \"nio\"", cause);
    }

    /** The innermost message Netty recorded (a missing native library, a kernel refusing the calls). */
    private static String reason(Throwable cause) {
        if (cause == null) {
            return "no reason given";
        }
        Throwable t = cause;
        while (t.getCause() != null && t.getCause() != t) {
            t = t.getCause();
        }
        String message = t.getMessage() != null ? t.getMessage() : cause.getMessage();
        return message != null ? message : cause.getClass().getSimpleName();
    }

    static Transport ioUring() {
        return new Transport("io_uring", IoUringIoHandler.newFactory(), IoUringServerSocketChannel.class,
                IoUringSocketChannel.class, IoUringDatagramChannel.class);
    }

    static Transport epoll() {
        return new Transport("epoll", EpollIoHandler.newFactory(), EpollServerSocketChannel.class,
                EpollSocketChannel.class, EpollDatagramChannel.class);
    }

    static Transport nio() {
        return new Transport("nio", NioIoHandler.newFactory(), NioServerSocketChannel.class,
                NioSocketChannel.class, NioDatagramChannel.class);
    }

    /**
     * Closes {@code ch} so that its peer sees the connection end now, on every transport.
     *
     * <p>On io_uring, closing the descriptor is not enough: every request the ring still holds on
     * the socket keeps it alive, and a close that raced an in-flight write was seen to leave a poll armed
     * on it that Netty 4.2.18 believes cancelled. The socket then stays established with no
     * descriptor, until the peer closes or sends something; a peer that waits for the rest of a
     * request never does. {@code shutdown(2)} acts on the socket itself: the peer gets its FIN at
     * once and the stray poll fires, so the kernel lets go of the socket.
     */
    public static ChannelFuture closeNow(Channel ch) {
        if (ch instanceof IoUringSocketChannel uring && ch.isOpen()) {
            if (!ch.eventLoop().inEventLoop()) {
                // The descriptor is closed on the loop: shut it down there, while it is surely still ours.
                ch.eventLoop().execute(() -> closeNow(ch));
                return ch.closeFuture();
            }
            try {
                new Socket(uring.fd().intValue()).shutdown();
            } catch (IOException e) {
                // Not connected, or already shut down: the close below is all there is to do.
            }
        }
        return ch.close();
    }

    public EventLoopGroup newGroup(int threads, String threadPrefix) {
        return new MultiThreadIoEventLoopGroup(threads, new DefaultThreadFactory(threadPrefix, true), ioHandlerFactory);
    }
}
