package io.pacer.proxy.testing;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.Unpooled;
import io.netty.handler.codec.http2.DefaultHttp2Headers;
import io.netty.handler.codec.http2.DefaultHttp2HeadersDecoder;
import io.netty.handler.codec.http2.DefaultHttp2HeadersEncoder;
import io.netty.handler.codec.http2.Http2Exception;
import io.netty.handler.codec.http2.Http2Headers;
import java.io.BufferedOutputStream;
import java.io.DataInputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketException;
import java.net.SocketTimeoutException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.function.Predicate;

/**
 * An HTTP/2 client over a plain socket (prior knowledge, h2c) that writes exactly the frames a
 * test asks for, abusive ones included, and reads the server's frames one by one. Header blocks
 * are HPACK-coded with Netty's coder; everything else is written by hand.
 */
public final class RawHttp2 implements AutoCloseable {

    public static final int DATA = 0;
    public static final int HEADERS = 1;
    public static final int RST_STREAM = 3;
    public static final int SETTINGS = 4;
    public static final int PING = 6;
    public static final int GOAWAY = 7;
    public static final int WINDOW_UPDATE = 8;
    public static final int CONTINUATION = 9;

    public static final int END_STREAM = 0x1;
    public static final int ACK = 0x1;
    public static final int END_HEADERS = 0x4;

    /** A frame from the server. */
    public record Frame(int type, int flags, int streamId, byte[] payload) {
        public boolean endStream() {
            return (flags & END_STREAM) != 0;
        }

        /** GOAWAY's error code. */
        public int goAwayError() {
            return ByteBuffer.wrap(payload, 4, 4).getInt();
        }

        /** GOAWAY's debug data, as text. */
        public String goAwayDebug() {
            return new String(payload, 8, payload.length - 8, StandardCharsets.UTF_8);
        }

        /** RST_STREAM's error code. */
        public int resetError() {
            return ByteBuffer.wrap(payload).getInt();
        }

        @Override
        public String toString() {
            return "frame type " + type + " flags " + flags + " stream " + streamId + " (" + payload.length + " bytes)";
        }
    }

    private final Socket socket;
    private final DataInputStream in;
    private final OutputStream out;
    private final DefaultHttp2HeadersEncoder encoder = new DefaultHttp2HeadersEncoder();
    private final DefaultHttp2HeadersDecoder decoder = new DefaultHttp2HeadersDecoder(false);

    private RawHttp2(Socket socket) throws IOException {
        this.socket = socket;
        this.in = new DataInputStream(socket.getInputStream());
        this.out = new BufferedOutputStream(socket.getOutputStream(), 64 * 1024);
    }

    /**
     * HTTP/2 on a socket the test already connected (and maybe wrote to, e.g. a PROXY header):
     * sends the preface and empty SETTINGS.
     */
    public static RawHttp2 over(Socket socket) throws IOException {
        socket.setSoTimeout(10_000);
        RawHttp2 client = new RawHttp2(socket);
        client.out.write("PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
        client.frame(SETTINGS, 0, 0, new byte[0]);
        client.flush();
        return client;
    }

    /** Connects, sends the preface and empty SETTINGS. */
    public static RawHttp2 connect(InetSocketAddress address) throws IOException {
        return connect(address, 0);
    }

    /** As {@link #connect(InetSocketAddress)}, with a receive buffer of {@code receiveBuffer} bytes (0: the default). */
    public static RawHttp2 connect(InetSocketAddress address, int receiveBuffer) throws IOException {
        Socket socket = new Socket();
        if (receiveBuffer > 0) {
            socket.setReceiveBufferSize(receiveBuffer);
        }
        socket.connect(address, 5000);
        socket.setSoTimeout(10_000);
        socket.setTcpNoDelay(true);
        RawHttp2 client = new RawHttp2(socket);
        client.out.write("PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
        client.frame(SETTINGS, 0, 0, new byte[0]);
        client.flush();
        return client;
    }

    /** Writes a frame (not flushed); safe to call while another thread reads and acknowledges SETTINGS. */
    public synchronized void frame(int type, int flags, int streamId, byte[] payload) throws IOException {
        int length = payload.length;
        out.write(new byte[] {(byte) (length >>> 16), (byte) (length >>> 8), (byte) length, (byte) type, (byte) flags,
                (byte) (streamId >>> 24), (byte) (streamId >>> 16), (byte) (streamId >>> 8), (byte) streamId});
        out.write(payload);
    }

    public synchronized void flush() throws IOException {
        out.flush();
    }

    /** The HPACK block of a request's headers. */
    public byte[] headerBlock(String method, String path, String authority, String... extra) throws Http2Exception {
        Http2Headers headers = new DefaultHttp2Headers().method(method).path(path).scheme("http").authority(authority);
        for (int i = 0; i + 1 < extra.length; i += 2) {
            headers.add(extra[i], extra[i + 1]);
        }
        ByteBuf buf = Unpooled.buffer();
        try {
            encoder.encodeHeaders(0, headers, buf);
            return ByteBufUtil.getBytes(buf);
        } finally {
            buf.release();
        }
    }

    /** A HEADERS frame opening {@code streamId}, flushed. */
    public void request(int streamId, String method, String path, boolean endStream) throws IOException {
        try {
            frame(HEADERS, END_HEADERS | (endStream ? END_STREAM : 0), streamId, headerBlock(method, path, "test"));
        } catch (Http2Exception e) {
            throw new IOException(e);
        }
        flush();
    }

    public void data(int streamId, byte[] data, boolean endStream) throws IOException {
        frame(DATA, endStream ? END_STREAM : 0, streamId, data);
        flush();
    }

    public void reset(int streamId, int errorCode) throws IOException {
        frame(RST_STREAM, 0, streamId, ByteBuffer.allocate(4).putInt(errorCode).array());
        flush();
    }

    public void windowUpdate(int streamId, int increment) throws IOException {
        frame(WINDOW_UPDATE, 0, streamId, ByteBuffer.allocate(4).putInt(increment).array());
        flush();
    }

    /** The next frame; acknowledges the server's SETTINGS on the way. {@code null} at end of input. */
    public Frame read() throws IOException {
        while (true) {
            byte[] head = new byte[9];
            try {
                in.readFully(head);
            } catch (EOFException e) {
                return null;
            }
            int length = ((head[0] & 0xFF) << 16) | ((head[1] & 0xFF) << 8) | (head[2] & 0xFF);
            byte[] payload = new byte[length];
            in.readFully(payload);
            Frame frame = new Frame(head[3] & 0xFF, head[4] & 0xFF, ByteBuffer.wrap(head, 5, 4).getInt() & 0x7FFFFFFF, payload);
            if (frame.type() == SETTINGS && (frame.flags() & ACK) == 0) {
                frame(SETTINGS, ACK, 0, new byte[0]);
                flush();
            }
            return frame;
        }
    }

    /** Reads until a frame matching {@code wanted}; fails at end of input or after {@code timeout}. */
    public Frame readUntil(Duration timeout, Predicate<Frame> wanted, String description) throws IOException {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (System.nanoTime() < deadline) {
            Frame frame = read();
            if (frame == null) {
                throw new AssertionError("connection closed before " + description);
            }
            if (wanted.test(frame)) {
                return frame;
            }
        }
        throw new AssertionError("no " + description + " within " + timeout);
    }

    /** Decodes a HEADERS frame's block (no CONTINUATION, no padding or priority). */
    public Http2Headers decode(Frame headers) throws Http2Exception {
        ByteBuf buf = Unpooled.wrappedBuffer(headers.payload());
        try {
            return decoder.decodeHeaders(headers.streamId(), buf);
        } finally {
            buf.release();
        }
    }

    /** {@code count} copies of one frame as bytes, to write floods quickly. */
    public static byte[] frames(int count, int type, int flags, int streamId, byte[] payload) {
        ByteBuffer all = ByteBuffer.allocate(count * (9 + payload.length));
        for (int i = 0; i < count; i++) {
            int length = payload.length;
            all.put(new byte[] {(byte) (length >>> 16), (byte) (length >>> 8), (byte) length, (byte) type, (byte) flags,
                    (byte) (streamId >>> 24), (byte) (streamId >>> 16), (byte) (streamId >>> 8), (byte) streamId});
            all.put(payload);
        }
        return all.array();
    }

    /** Writes raw bytes and flushes. */
    public synchronized void write(byte[] bytes) throws IOException {
        out.write(bytes);
        out.flush();
    }

    /**
     * Reads frames until the connection ends (end of input or a reset), returning the first GOAWAY
     * seen, or {@code null} if none came.
     */
    public Frame readToEnd(Duration timeout) throws IOException {
        socket.setSoTimeout((int) timeout.toMillis());
        Frame goAway = null;
        try {
            Frame frame;
            while ((frame = read()) != null) {
                if (frame.type() == GOAWAY && goAway == null) {
                    goAway = frame;
                }
            }
        } catch (SocketException e) {
            // reset by the server: the end too
        } catch (SocketTimeoutException e) {
            throw new AssertionError("the connection stayed open for " + timeout, e);
        }
        return goAway;
    }

    @Override
    public void close() throws IOException {
        socket.close();
    }
}
