package io.pacer.proxy.testing;

import java.io.ByteArrayOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.ProtocolException;
import java.net.Socket;
import java.net.SocketException;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * A tiny blocking HTTP/1.1 client on a plain socket, for what real clients refuse to send:
 * malformed requests, odd framing, pipelining, half-closed connections.
 *
 * <pre>{@code
 * try (RawHttp raw = RawHttp.connect(proxy.address())) {
 *     raw.send("GET /app/ HTTP/1.1\r\nHost: x\r\n\r\n");
 *     RawResponse r = raw.readResponse(Duration.ofSeconds(5));
 *     assertEquals(200, r.status());
 * }
 * }</pre>
 *
 * <p>Responses are read with their own framing (RFC 9112 section 6.3): none for 1xx, 204, 304 and
 * {@link #readResponseToHead(Duration) responses to HEAD}; chunked when the last transfer coding is
 * chunked (trailers are kept); {@code Content-Length}; otherwise until the peer closes. Bytes after
 * one response stay buffered for the next read, so pipelined responses read one by one. Every read
 * has a deadline: it throws {@link SocketTimeoutException} when it passes.
 */
public final class RawHttp implements AutoCloseable {

    private static final int MAX_LINE = 1024 * 1024;

    private final Socket socket;
    private final InputStream in;
    private final OutputStream out;
    private final byte[] buffer = new byte[64 * 1024];
    private int pos;
    private int limit;

    private RawHttp(Socket socket) throws IOException {
        this.socket = socket;
        this.in = socket.getInputStream();
        this.out = socket.getOutputStream();
    }

    /** Connects within 5 seconds. */
    public static RawHttp connect(InetSocketAddress address) throws IOException {
        return connect(address, Duration.ofSeconds(5));
    }

    public static RawHttp connect(InetSocketAddress address, Duration timeout) throws IOException {
        Socket socket = new Socket();
        try {
            socket.setTcpNoDelay(true);
            socket.connect(address, (int) Math.max(1, timeout.toMillis()));
            return new RawHttp(socket);
        } catch (IOException | RuntimeException e) {
            socket.close();
            throw e;
        }
    }

    /** Sends {@code text} as ISO-8859-1, so each char is one byte (write {@code \r\n} yourself). */
    public RawHttp send(String text) throws IOException {
        return send(text.getBytes(StandardCharsets.ISO_8859_1));
    }

    public RawHttp send(byte[] bytes) throws IOException {
        out.write(bytes);
        out.flush();
        return this;
    }

    /** Reads one response, framed by its headers. */
    public RawResponse readResponse(Duration timeout) throws IOException {
        return read(deadline(timeout), false);
    }

    /** Reads one response to a HEAD request: a head only, whatever its Content-Length says. */
    public RawResponse readResponseToHead(Duration timeout) throws IOException {
        return read(deadline(timeout), true);
    }

    /**
     * Every byte that arrives until the peer closes (or resets) the connection or the timeout
     * passes, whichever is first. Never throws on timeout.
     */
    public byte[] readRaw(Duration timeout) throws IOException {
        long deadline = deadline(timeout);
        ByteArrayOutputStream collected = new ByteArrayOutputStream();
        try {
            while (true) {
                if (pos == limit && !fill(deadline)) {
                    break;
                }
                collected.write(buffer, pos, limit - pos);
                pos = limit;
            }
        } catch (SocketTimeoutException | SocketException e) {
            // the timeout passed, or the connection was reset: return what came
        }
        return collected.toByteArray();
    }

    /** {@link #readRaw(Duration)} as ISO-8859-1 text. */
    public String readRawText(Duration timeout) throws IOException {
        return new String(readRaw(timeout), StandardCharsets.ISO_8859_1);
    }

    /**
     * Whether the peer closed (or reset) the connection within {@code timeout}. Bytes still
     * arriving before the close are read and dropped.
     */
    public boolean isClosedByPeer(Duration timeout) throws IOException {
        long deadline = deadline(timeout);
        try {
            while (true) {
                pos = limit;
                if (!fill(deadline)) {
                    return true;
                }
            }
        } catch (SocketTimeoutException e) {
            return false;
        } catch (SocketException e) {
            return true; // reset
        }
    }

    /** Half-closes: sends FIN, keeps reading. */
    public void shutdownOutput() throws IOException {
        socket.shutdownOutput();
    }

    public InetSocketAddress localAddress() {
        return (InetSocketAddress) socket.getLocalSocketAddress();
    }

    public Socket socket() {
        return socket;
    }

    @Override
    public void close() throws IOException {
        socket.close();
    }

    // ---------------------------------------------------------------- parsing

    private RawResponse read(long deadline, boolean toHead) throws IOException {
        String statusLine = readLine(deadline);
        if (statusLine == null) {
            throw new EOFException("connection closed before a response");
        }
        String[] parts = statusLine.split(" ", 3);
        if (parts.length < 2 || !parts[0].startsWith("HTTP/") || !parts[1].matches("\\d{3}")) {
            throw new ProtocolException("malformed status line: '" + statusLine + "'");
        }
        int status = Integer.parseInt(parts[1]);
        RawHeaders headers = readFields(deadline);

        if (toHead || status / 100 == 1 || status == 204 || status == 304) {
            return new RawResponse(parts[0], status, parts.length > 2 ? parts[2] : "", headers, new byte[0],
                    RawHeaders.empty(), false);
        }
        List<String> codings = headers.getAll("Transfer-Encoding");
        if (!codings.isEmpty()) {
            String all = String.join(",", codings);
            String lastCoding = all.substring(all.lastIndexOf(',') + 1).trim();
            if (lastCoding.equalsIgnoreCase("chunked")) {
                ByteArrayOutputStream body = new ByteArrayOutputStream();
                RawHeaders trailers = readChunked(deadline, body);
                return new RawResponse(parts[0], status, parts.length > 2 ? parts[2] : "", headers,
                        body.toByteArray(), trailers, true);
            }
            return new RawResponse(parts[0], status, parts.length > 2 ? parts[2] : "", headers,
                    readUntilClose(deadline), RawHeaders.empty(), false);
        }
        List<String> lengths = headers.getAll("Content-Length");
        byte[] body;
        if (!lengths.isEmpty()) {
            long length = -1;
            for (String value : lengths) {
                for (String v : value.split(",")) {
                    long l;
                    try {
                        l = Long.parseLong(v.trim());
                    } catch (NumberFormatException e) {
                        throw new ProtocolException("bad Content-Length: '" + value + "'");
                    }
                    if (l < 0 || (length >= 0 && l != length)) {
                        throw new ProtocolException("bad Content-Length: " + lengths);
                    }
                    length = l;
                }
            }
            if (length > Integer.MAX_VALUE - 8) {
                throw new ProtocolException("body of " + length + " bytes is too large for RawHttp");
            }
            body = readExactly(deadline, (int) length);
        } else {
            body = readUntilClose(deadline);
        }
        return new RawResponse(parts[0], status, parts.length > 2 ? parts[2] : "", headers, body,
                RawHeaders.empty(), false);
    }

    private RawHeaders readFields(long deadline) throws IOException {
        List<Map.Entry<String, String>> fields = new ArrayList<>();
        while (true) {
            String line = readLine(deadline);
            if (line == null) {
                throw new EOFException("connection closed in the middle of the header fields");
            }
            if (line.isEmpty()) {
                return RawHeaders.of(fields);
            }
            int colon = line.indexOf(':');
            if (colon <= 0) {
                throw new ProtocolException("malformed header line: '" + line + "'");
            }
            fields.add(Map.entry(line.substring(0, colon), line.substring(colon + 1).trim()));
        }
    }

    private RawHeaders readChunked(long deadline, ByteArrayOutputStream body) throws IOException {
        while (true) {
            String sizeLine = readLine(deadline);
            if (sizeLine == null) {
                throw new EOFException("connection closed before the last chunk (" + body.size() + " bytes read)");
            }
            int semicolon = sizeLine.indexOf(';');
            String hex = (semicolon < 0 ? sizeLine : sizeLine.substring(0, semicolon)).trim();
            int size;
            try {
                size = Integer.parseInt(hex, 16);
            } catch (NumberFormatException e) {
                throw new ProtocolException("malformed chunk size line: '" + sizeLine + "'");
            }
            if (size < 0) {
                throw new ProtocolException("malformed chunk size line: '" + sizeLine + "'");
            }
            if (size == 0) {
                return readFields(deadline);
            }
            body.write(readExactly(deadline, size));
            String end = readLine(deadline);
            if (end == null || !end.isEmpty()) {
                throw new ProtocolException("chunk not followed by CRLF: '" + end + "'");
            }
        }
    }

    private byte[] readExactly(long deadline, int length) throws IOException {
        byte[] out = new byte[length];
        int done = 0;
        while (done < length) {
            if (pos == limit && !fill(deadline)) {
                throw new EOFException("connection closed after " + done + " of " + length + " body bytes");
            }
            int n = Math.min(length - done, limit - pos);
            System.arraycopy(buffer, pos, out, done, n);
            pos += n;
            done += n;
        }
        return out;
    }

    private byte[] readUntilClose(long deadline) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        while (true) {
            if (pos == limit && !fill(deadline)) {
                return out.toByteArray();
            }
            out.write(buffer, pos, limit - pos);
            pos = limit;
        }
    }

    /** A line without its CRLF (a bare LF is accepted), or null if the peer closed before any byte of it. */
    private String readLine(long deadline) throws IOException {
        StringBuilder line = new StringBuilder();
        while (true) {
            if (pos == limit && !fill(deadline)) {
                if (line.length() == 0) {
                    return null;
                }
                throw new EOFException("connection closed in the middle of a line: '" + line + "'");
            }
            byte b = buffer[pos++];
            if (b == '\n') {
                int len = line.length();
                if (len > 0 && line.charAt(len - 1) == '\r') {
                    line.setLength(len - 1);
                }
                return line.toString();
            }
            line.append((char) (b & 0xff));
            if (line.length() > MAX_LINE) {
                throw new ProtocolException("line longer than " + MAX_LINE + " bytes");
            }
        }
    }

    /** Reads more bytes into the empty buffer; false at end of stream. */
    private boolean fill(long deadline) throws IOException {
        long left = deadline - System.nanoTime();
        if (left <= 0) {
            throw new SocketTimeoutException("deadline passed");
        }
        socket.setSoTimeout((int) Math.max(1, Math.min(Integer.MAX_VALUE, left / 1_000_000)));
        int n = in.read(buffer, 0, buffer.length);
        if (n < 0) {
            pos = limit = 0;
            return false;
        }
        pos = 0;
        limit = n;
        return true;
    }

    private static long deadline(Duration timeout) {
        return System.nanoTime() + timeout.toNanos();
    }

    @Override
    public String toString() {
        return "RawHttp{" + socket.getLocalSocketAddress() + " -> " + socket.getRemoteSocketAddress() + "}";
    }
}
