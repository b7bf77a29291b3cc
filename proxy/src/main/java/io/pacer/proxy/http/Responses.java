package io.pacer.proxy.http;

import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.ByteBufUtil;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.util.AsciiString;

/** Answers Pacer gives itself: 301, 4xx and 5xx, each with {@code X-Proxy} and no version. */
final class Responses {

    private static final AsciiString TEXT_HTML = AsciiString.cached("text/html");
    // Names as operators are used to reading them; HTTP does not care about their case.
    private static final AsciiString SERVER = AsciiString.cached("Server");
    private static final AsciiString DATE = AsciiString.cached("Date");
    private static final AsciiString CONTENT_TYPE = AsciiString.cached("Content-Type");
    private static final AsciiString CONTENT_LENGTH = AsciiString.cached("Content-Length");
    private static final AsciiString CONNECTION = AsciiString.cached("Connection");
    private static final AsciiString LOCATION = AsciiString.cached("Location");

    private Responses() { }

    static FullHttpResponse error(ByteBufAllocator alloc, HttpResponseStatus status, AsciiString xproxy,
                                  boolean keepAlive, boolean head) {
        String page = "<html>\r\n<head><title>" + status.code() + " " + status.reasonPhrase()
                + "</title></head>\r\n<body>\r\n<center><h1>" + status.code() + " " + status.reasonPhrase()
                + "</h1></center>\r\n<hr><center>pacer</center>\r\n</body>\r\n</html>\r\n";
        FullHttpResponse response = new DefaultFullHttpResponse(HttpVersion.HTTP_1_1, status,
                head ? alloc.buffer(0) : ByteBufUtil.writeAscii(alloc, page));
        HttpHeaders headers = response.headers();
        headers.set(CONTENT_TYPE, TEXT_HTML);
        headers.setInt(CONTENT_LENGTH, page.length());
        stamp(headers, xproxy, keepAlive);
        return response;
    }

    /** 301 to {@code location}, as Nginx answers {@code /app} for a {@code location /app/}. */
    static FullHttpResponse redirect(ByteBufAllocator alloc, String location, AsciiString xproxy,
                                     boolean keepAlive, boolean head) {
        FullHttpResponse response = error(alloc, HttpResponseStatus.MOVED_PERMANENTLY, xproxy, keepAlive, head);
        response.headers().set(LOCATION, location);
        return response;
    }

    static FullHttpResponse continue100() {
        return new DefaultFullHttpResponse(HttpVersion.HTTP_1_1, HttpResponseStatus.CONTINUE);
    }

    /** Headers Pacer puts on every answer, its own and proxied ones alike. */
    static void stamp(HttpHeaders headers, AsciiString xproxy, boolean keepAlive) {
        headers.set(SERVER, ProxySettings.SERVER);
        headers.set(ProxyHeaders.X_PROXY, xproxy);
        if (!headers.contains(DATE)) {
            headers.set(DATE, HttpDate.now());
        }
        if (!keepAlive) {
            headers.set(CONNECTION, HttpHeaderValues.CLOSE);
        }
    }
}
