package io.pacer.proxy.testing;

import java.util.ArrayDeque;
import java.util.Deque;
import org.junit.jupiter.api.extension.AfterEachCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * Closes what a test opened, newest first (clients, then the proxy, then the upstreams behind it),
 * after each test, even a failed one. Register it as a field:
 *
 * <pre>{@code @RegisterExtension final Closer open = new Closer();}</pre>
 *
 * A failure to close is reported after everything else was closed.
 */
public final class Closer implements AfterEachCallback, AutoCloseable {

    private final Deque<AutoCloseable> resources = new ArrayDeque<>();

    public synchronized <T extends AutoCloseable> T track(T resource) {
        resources.push(resource);
        return resource;
    }

    @Override
    public void afterEach(ExtensionContext context) throws Exception {
        close();
    }

    @Override
    public void close() throws Exception {
        Exception first = null;
        while (true) {
            AutoCloseable next;
            synchronized (this) {
                next = resources.poll();
            }
            if (next == null) {
                break;
            }
            try {
                next.close();
            } catch (Exception e) {
                if (first == null) {
                    first = e;
                } else {
                    first.addSuppressed(e);
                }
            }
        }
        if (first != null) {
            throw first;
        }
    }
}
