package io.pacer.benchmarks;

import java.io.BufferedInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * Holds {@code count} idle keep-alive client connections open on a proxy, for the idle-connection
 * resident-memory figure of {@code benchmarks/memory.sh}. Each connection first carries one whole
 * {@code GET /hello-world/} exchange, so the proxy holds it as a keep-alive connection between
 * requests (the state most of a busy proxy's connections are in), not as a fresh one still waiting
 * for its first request head. wrk cannot do this: it keeps every connection busy.
 *
 * <pre>java -cp benchmarks/target/benchmarks.jar io.pacer.benchmarks.IdleClients HOST PORT COUNT</pre>
 *
 * <p>Prints {@code idle connections open: N (failed: M)} once all are set up, then keeps them open
 * until standard input reaches end of file (or the process is stopped), and closes them.
 */
public final class IdleClients {

    private static final byte[] REQUEST = "GET /hello-world/ HTTP/1.1\r\nHost: bench\r\n\r\n"
            .getBytes(StandardCharsets.US_ASCII);
    private static final int TIMEOUT_MILLIS = 10_000;
    private static final int MAX_HEAD = 16 * 1024;

    private IdleClients() {
    }

    public static void main(String[] args) throws IOException {
        if (args.length != 3) {
            System.err.println("usage: IdleClients HOST PORT COUNT");
            System.exit(2);
        }
        InetSocketAddress target = new InetSocketAddress(args[0], Integer.parseInt(args[1]));
        int count = Integer.parseInt(args[2]);
        List<SocketChannel> open = new ArrayList<>(count);
        // Closing on a signal too, so that the proxy sees orderly FINs rather than the kernel's
        // clean-up of a dead process; either way its descriptors must come back.
        Runtime.getRuntime().addShutdownHook(new Thread(() -> closeAll(open)));
        int failed = 0;
        String firstFailure = null;
        // One at a time: connections are set up in a few seconds on loopback, and a proxy's accept
        // backlog is never the thing measured.
        for (int i = 0; i < count; i++) {
            SocketChannel ch = SocketChannel.open();
            try {
                exchange(ch, target);
                synchronized (open) {
                    open.add(ch);
                }
            } catch (IOException e) {
                failed++;
                if (firstFailure == null) {
                    firstFailure = e.toString();
                }
                ch.close();
            }
        }
        System.out.println("idle connections open: " + open.size() + " (failed: " + failed + ")");
        if (firstFailure != null) {
            System.out.println("first failure: " + firstFailure);
        }
        System.out.flush();
        while (System.in.read() != -1) {
            // only the end of input matters
        }
        closeAll(open);
    }

    /** Connects, sends the request and reads one whole 200 answer, leaving the connection idle. */
    private static void exchange(SocketChannel ch, InetSocketAddress target) throws IOException {
        ch.socket().connect(target, TIMEOUT_MILLIS);
        ch.socket().setSoTimeout(TIMEOUT_MILLIS);
        ByteBuffer out = ByteBuffer.wrap(REQUEST);
        while (out.hasRemaining()) {
            ch.write(out);
        }
        // The socket adaptor's stream honours SO_TIMEOUT, which a blocking channel read does not.
        // Buffering cannot swallow a later answer: nothing more is asked on this connection.
        InputStream in = new BufferedInputStream(ch.socket().getInputStream(), 1024);
        String head = readHead(in);
        if (!head.startsWith("HTTP/1.1 200 ")) {
            throw new IOException("answer is not 200: " + head.lines().findFirst().orElse(""));
        }
        long length = contentLength(head);
        for (long left = length; left > 0; left--) {
            if (in.read() < 0) {
                throw new IOException("connection closed in the body");
            }
        }
    }

    private static String readHead(InputStream in) throws IOException {
        StringBuilder head = new StringBuilder(256);
        while (head.length() < MAX_HEAD) {
            int b = in.read();
            if (b < 0) {
                throw new IOException("connection closed in the answer's head");
            }
            head.append((char) b);
            int n = head.length();
            if (n >= 4 && head.charAt(n - 4) == '\r' && head.charAt(n - 3) == '\n'
                    && head.charAt(n - 2) == '\r' && head.charAt(n - 1) == '\n') {
                return head.toString();
            }
        }
        throw new IOException("answer head longer than " + MAX_HEAD + " bytes");
    }

    private static long contentLength(String head) throws IOException {
        for (String line : head.split("\r\n")) {
            if (line.toLowerCase(Locale.ROOT).startsWith("content-length:")) {
                return Long.parseLong(line.substring("content-length:".length()).trim());
            }
        }
        // Anything else (chunked, read-to-close) would not leave a reusable idle connection here.
        throw new IOException("answer has no Content-Length");
    }

    private static void closeAll(List<SocketChannel> open) {
        synchronized (open) {
            for (SocketChannel ch : open) {
                try {
                    ch.close();
                } catch (IOException ignored) {
                    // closing is best effort; the process is ending anyway
                }
            }
            open.clear();
        }
    }
}
