package io.pacer.proxy.testing;

import java.net.http.HttpClient;
import java.time.Duration;

/** JDK HTTP clients as the proxy tests use them. */
public final class TestHttpClients {

    private TestHttpClients() { }

    /** An HTTP/1.1-only client (no h2c upgrade attempts) that gives up connecting after {@code connectTimeout}. */
    public static HttpClient http11(Duration connectTimeout) {
        return HttpClient.newBuilder()
                .version(HttpClient.Version.HTTP_1_1)
                .connectTimeout(connectTimeout)
                .build();
    }
}
