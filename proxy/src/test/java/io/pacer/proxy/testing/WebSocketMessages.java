package io.pacer.proxy.testing;

import java.io.ByteArrayOutputStream;
import java.net.http.WebSocket;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

/**
 * A JDK WebSocket listener that queues whole messages as they arrive: text as {@code String},
 * binary as {@code byte[]}, the close as {@code "close:<code>"}, a failure as its Throwable.
 * Fragments are joined here, so a test compares exactly what the peer sent, however the proxy
 * between them split it into frames.
 */
public final class WebSocketMessages implements WebSocket.Listener {

    private final BlockingQueue<Object> messages = new LinkedBlockingQueue<>();
    private final StringBuilder text = new StringBuilder();
    private final ByteArrayOutputStream binary = new ByteArrayOutputStream();
    private final Duration timeout;

    public WebSocketMessages(Duration timeout) {
        this.timeout = timeout;
    }

    @Override
    public CompletionStage<?> onText(WebSocket ws, CharSequence data, boolean last) {
        text.append(data);
        if (last) {
            messages.add(text.toString());
            text.setLength(0);
        }
        ws.request(1);
        return null;
    }

    @Override
    public CompletionStage<?> onBinary(WebSocket ws, ByteBuffer data, boolean last) {
        byte[] part = new byte[data.remaining()];
        data.get(part);
        binary.writeBytes(part);
        if (last) {
            messages.add(binary.toByteArray());
            binary.reset();
        }
        ws.request(1);
        return null;
    }

    @Override
    public CompletionStage<?> onClose(WebSocket ws, int statusCode, String reason) {
        messages.add("close:" + statusCode);
        return null;
    }

    @Override
    public void onError(WebSocket ws, Throwable error) {
        messages.add(error);
    }

    /** The next whole message; fails when none comes within the timeout or the socket failed. */
    public Object next() throws InterruptedException {
        Object m = messages.poll(timeout.toMillis(), TimeUnit.MILLISECONDS);
        if (m == null) {
            throw new AssertionError("no WebSocket message within " + timeout.toMillis() + " ms");
        }
        if (m instanceof Throwable t) {
            throw new AssertionError("WebSocket failed", t);
        }
        return m;
    }

    /**
     * The next message or failure (a Throwable, returned, not thrown), waiting up to the timeout;
     * {@code null} when nothing came: for tests where an error is one of the right outcomes.
     */
    public Object nextOrFailure() throws InterruptedException {
        return messages.poll(timeout.toMillis(), TimeUnit.MILLISECONDS);
    }
}
