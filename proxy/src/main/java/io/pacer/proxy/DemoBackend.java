package io.pacer.proxy;

import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.Executors;

/**
 * A throwaway backend for trying Pacer without Marathon: answers every request with its own port,
 * the method and path it got, and the forwarding headers Pacer added.
 *
 * <pre>java -cp proxy/target/pacer.jar io.pacer.proxy.DemoBackend 9001</pre>
 */
public final class DemoBackend {

    private DemoBackend() { }

    public static void main(String[] args) throws IOException {
        if (args.length != 1) {
            System.err.println("usage: DemoBackend PORT");
            System.exit(2);
        }
        int port = Integer.parseInt(args[0]);
        HttpServer server = HttpServer.create(new InetSocketAddress("127.0.0.1", port), 128);
        server.setExecutor(Executors.newFixedThreadPool(4));
        server.createContext("/", exchange -> {
            try (InputStream in = exchange.getRequestBody()) {
                in.transferTo(OutputStream.nullOutputStream());
            }
            String body = "backend " + port + " answered " + exchange.getRequestMethod() + " "
                    + exchange.getRequestURI() + "\nHost: " + exchange.getRequestHeaders().getFirst("Host")
                    + "\nX-Forwarded-For: " + exchange.getRequestHeaders().getFirst("X-Forwarded-For") + "\n";
            byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
            exchange.getResponseHeaders().set("Content-Type", "text/plain; charset=utf-8");
            exchange.sendResponseHeaders(200, bytes.length);
            try (OutputStream out = exchange.getResponseBody()) {
                out.write(bytes);
            }
        });
        server.start();
        System.out.println("demo backend listening on 127.0.0.1:" + port);
    }
}
