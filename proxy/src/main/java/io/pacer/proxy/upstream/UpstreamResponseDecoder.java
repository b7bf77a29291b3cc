package io.pacer.proxy.upstream;

import io.netty.handler.codec.http.HttpDecoderConfig;
import io.netty.handler.codec.http.HttpMessage;
import io.netty.handler.codec.http.HttpResponseDecoder;
import io.netty.util.AsciiString;
import io.pacer.proxy.http.KnownHeaderNames;

/**
 * Decodes a task's responses. It is told whether the request in flight is a {@code HEAD}, whose
 * answer has headers that announce a body that never comes, and it can say whether bytes are left
 * over once a response is complete: a task that sent more than it announced must not have its
 * connection reused, or the surplus would be read as the next request's answer.
 */
final class UpstreamResponseDecoder extends HttpResponseDecoder {

    private boolean headRequest;

    UpstreamResponseDecoder(HttpDecoderConfig config) {
        super(config);
    }

    @Override
    protected AsciiString splitHeaderName(byte[] bytes, int start, int length) {
        AsciiString known = KnownHeaderNames.find(bytes, start, length);
        return known != null ? known : super.splitHeaderName(bytes, start, length);
    }

    void expectResponseTo(boolean head) {
        this.headRequest = head;
    }

    boolean hasLeftoverBytes() {
        return actualReadableBytes() > 0;
    }

    @Override
    protected boolean isContentAlwaysEmpty(HttpMessage msg) {
        return headRequest || super.isContentAlwaysEmpty(msg);
    }
}
