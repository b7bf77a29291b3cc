package io.pacer.proxy.http;

import io.netty.buffer.Unpooled;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.handler.codec.http.DefaultHttpRequest;
import io.netty.handler.codec.http.DefaultHttpResponse;
import io.netty.handler.codec.http.HttpDecoderConfig;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpRequestDecoder;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.HttpResponseDecoder;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.util.AsciiString;
import io.pacer.core.Task;
import io.netty.util.ReferenceCountUtil;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

/**
 * The header work of every proxied request: {@link ProxyHeaders#toUpstream} on the client's request
 * head (rewritten in place: hop-by-hop headers stripped, forwarding headers set) and
 * {@link ProxyHeaders#toClient} on the upstream's response head (rewritten in place, stamped with
 * {@code Server}, {@code X-Proxy}, {@code Date}).
 *
 * <p>Heads are decoded once by Netty's own decoders, so names and values have the types the real
 * decoders give them; {@code headers=flat} is the {@link FlatHttpHeaders} Pacer's decoders fill,
 * {@code headers=netty} Netty's default map, for comparison. Both rewrite their argument, so each call gets a fresh copy of the head:
 * {@link #copyRequestHead} and {@link #copyResponseHead} measure that copy alone, to subtract.
 *
 * <p>In package {@code io.pacer.proxy} (in the benchmarks module) to reach the package-private class.
 *
 * <pre>java -jar benchmarks/target/benchmarks.jar HeaderRewrite -prof gc</pre>
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(1)
public class HeaderRewriteBenchmark {

    /** The task whose address is the {@code Host} of a request that came without one. */
    static final Task TASK = new Task("hello.1", "10.0.0.1", 31000);

    /** What wrk sends. */
    static final String WRK = "GET /hello-world/ HTTP/1.1\r\nHost: 127.0.0.1:18080\r\n\r\n";

    /** A browser fetching a script, as Chrome sends it. */
    static final String BROWSER = "GET /hello-world/static/js/app.3f9a2c.js?v=12 HTTP/1.1\r\n"
            + "Host: apps.example.com\r\n"
            + "Connection: keep-alive\r\n"
            + "sec-ch-ua: \"Chromium\";v=\"124\", \"Google Chrome\";v=\"124\", \"Not-A.Brand\";v=\"99\"\r\n"
            + "sec-ch-ua-mobile: ?0\r\n"
            + "User-Agent: Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) "
            + "Chrome/124.0.0.0 Safari/537.36\r\n"
            + "sec-ch-ua-platform: \"Linux\"\r\n"
            + "Accept: */*\r\n"
            + "Sec-Fetch-Site: same-origin\r\n"
            + "Sec-Fetch-Mode: no-cors\r\n"
            + "Sec-Fetch-Dest: script\r\n"
            + "Referer: https://apps.example.com/hello-world/\r\n"
            + "Accept-Encoding: gzip, deflate, br, zstd\r\n"
            + "Accept-Language: en-US,en;q=0.9,de;q=0.8\r\n"
            + "Cookie: _ga=GA1.1.1234567890.1700000000; session=eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxMjM0NTY3ODkwIn0"
            + ".dozjgNryP4J3jVmNHl0w5N_XgL0n3I9PlFUP0THsR8U; theme=dark\r\n"
            + "If-None-Match: \"5f3c-17a2b\"\r\n";

    /** The same browser behind an outer load balancer that already set forwarding headers. */
    static final String BEHIND_LB = BROWSER
            + "X-Forwarded-For: 203.0.113.7\r\n"
            + "X-Forwarded-Proto: https\r\n"
            + "X-Real-IP: 203.0.113.7\r\n";

    /** The benchmark upstream's answer (and Nginx's {@code return 200}). */
    static final String HELLO = "HTTP/1.1 200 OK\r\nServer: echo\r\nContent-Type: text/plain\r\nContent-Length: 6\r\n"
            + "Connection: keep-alive\r\nDate: Mon, 11 Mar 2024 09:14:06 GMT\r\n\r\n";

    /** A static file served by an app's own Nginx. */
    static final String STATIC = "HTTP/1.1 200 OK\r\n"
            + "Server: nginx/1.22.1\r\n"
            + "Date: Mon, 11 Mar 2024 09:14:06 GMT\r\n"
            + "Content-Type: application/javascript; charset=utf-8\r\n"
            + "Content-Length: 48213\r\n"
            + "Connection: keep-alive\r\n"
            + "Last-Modified: Fri, 08 Mar 2024 16:02:11 GMT\r\n"
            + "ETag: \"65eb3653-bc55\"\r\n"
            + "Cache-Control: public, max-age=31536000\r\n"
            + "Vary: Accept-Encoding\r\n"
            + "Accept-Ranges: bytes\r\n"
            + "X-Content-Type-Options: nosniff\r\n\r\n";

    /** A client's request head, decoded once. */
    @State(Scope.Benchmark)
    public static class RequestHead {
        @Param({"wrk", "browser", "behindLb"})
        String request;

        @Param({"flat", "netty"})
        String headers;

        HttpRequest head;
        String uri;

        @Setup
        public void setUp() {
            String raw = switch (request) {
                case "wrk" -> WRK;
                case "browser" -> BROWSER + "\r\n";
                case "behindLb" -> BEHIND_LB + "\r\n";
                default -> throw new IllegalArgumentException(request);
            };
            head = decode(new HttpRequestDecoder(config(headers)), raw);
            uri = RequestTargets.originForm(head.uri());
        }

        HttpRequest fresh() {
            return new DefaultHttpRequest(head.protocolVersion(), head.method(), head.uri(), head.headers().copy());
        }
    }

    /** An upstream's response head, decoded once; each call works on a copy. */
    @State(Scope.Benchmark)
    public static class ResponseHead {
        @Param({"hello", "static"})
        String response;

        @Param({"flat", "netty"})
        String headers;

        HttpResponse template;
        final AsciiString xproxy = AsciiString.cached("pacer-bench");

        @Setup
        public void setUp() {
            template = decode(new HttpResponseDecoder(config(headers)), "hello".equals(response) ? HELLO : STATIC);
        }

        HttpResponse fresh() {
            return new DefaultHttpResponse(template.protocolVersion(), template.status(), template.headers().copy());
        }
    }

    /** A decoder configuration with the headers Pacer's decoders use ({@code flat}) or Netty's. */
    static HttpDecoderConfig config(String headers) {
        HttpDecoderConfig config = new HttpDecoderConfig();
        return "flat".equals(headers)
                ? config.setHeadersFactory(FlatHttpHeaders.FACTORY).setTrailersFactory(FlatHttpHeaders.TRAILERS_FACTORY)
                : config;
    }

    private static <T> T decode(Object decoder, String raw) {
        EmbeddedChannel ch = new EmbeddedChannel((io.netty.channel.ChannelHandler) decoder);
        ch.writeInbound(Unpooled.copiedBuffer(raw, StandardCharsets.US_ASCII));
        @SuppressWarnings("unchecked")
        T head = (T) ch.readInbound();
        Object rest;
        while ((rest = ch.readInbound()) != null) {
            ReferenceCountUtil.release(rest);
        }
        ch.finishAndReleaseAll();
        return head;
    }

    /** The copy each {@link #toUpstream(RequestHead)} call starts with; subtract it. */
    @Benchmark
    public HttpRequest copyRequestHead(RequestHead r) {
        return r.fresh();
    }

    /** As the frontend calls it for every routed request (it rewrites the head in place). */
    @Benchmark
    public HttpRequest toUpstream(RequestHead r) {
        HttpRequest request = r.fresh();
        return ProxyHeaders.toUpstream(request, r.uri, "127.0.0.1", TASK, ProxyHeaders.isWebSocketUpgrade(request));
    }

    /** The copy each {@link #toClient(ResponseHead)} call starts with; subtract it. */
    @Benchmark
    public HttpResponse copyResponseHead(ResponseHead r) {
        return r.fresh();
    }

    @Benchmark
    public HttpResponse toClient(ResponseHead r) {
        HttpResponse response = r.fresh();
        ProxyHeaders.toClient(response, false, HttpVersion.HTTP_1_1, true, r.xproxy);
        return response;
    }
}
