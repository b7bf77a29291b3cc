package io.pacer.proxy.upstream;

import io.netty.buffer.ByteBuf;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.handler.codec.http.HttpRequestEncoder;
import io.pacer.proxy.http.FlatHttpHeaders;

/** Netty's request encoder, writing {@link FlatHttpHeaders} in bulk (any other headers as Netty writes them). */
final class UpstreamRequestEncoder extends HttpRequestEncoder {

    @Override
    protected void encodeHeaders(HttpHeaders headers, ByteBuf buf) {
        if (headers instanceof FlatHttpHeaders flat) {
            flat.writeTo(buf);
        } else {
            super.encodeHeaders(headers, buf); // a request converted from HTTP/2
        }
    }
}
