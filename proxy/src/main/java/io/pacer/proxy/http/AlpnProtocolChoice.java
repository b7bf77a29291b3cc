package io.pacer.proxy.http;

import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.DecoderException;
import io.netty.handler.ssl.ApplicationProtocolNegotiationHandler;
import io.pacer.proxy.tls.TlsContexts;
import javax.net.ssl.SSLException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Waits for the TLS handshake, then sets the connection up for the protocol ALPN agreed on:
 * {@code h2}, or HTTP/1.1 for {@code http/1.1} and for clients that offer no ALPN.
 *
 * <p>The connection reads only when asked (auto-read is off): this handler asks for the first
 * bytes; the TLS handler keeps asking until the handshake is done; the protocol's handlers take over after.
 */
final class AlpnProtocolChoice extends ApplicationProtocolNegotiationHandler {

    private static final Logger log = LoggerFactory.getLogger(AlpnProtocolChoice.class);

    private final ClientProtocols protocols;

    AlpnProtocolChoice(ClientProtocols protocols) {
        super(TlsContexts.PROTOCOL_HTTP1);
        this.protocols = protocols;
    }

    @Override
    public void channelActive(ChannelHandlerContext ctx) throws Exception {
        ctx.read();
        super.channelActive(ctx);
    }

    @Override
    protected void configurePipeline(ChannelHandlerContext ctx, String protocol) {
        if (TlsContexts.PROTOCOL_H2.equals(protocol)) {
            protocols.http2(ctx.channel(), true);
        } else {
            protocols.http1(ctx.pipeline(), true);
        }
    }

    /**
     * Failed handshakes are the client's doing (no shared protocol or cipher, plain HTTP on the TLS
     * port, a scanner): one line at debug each, so that the internet's noise does not fill the log.
     */
    @Override
    protected void handshakeFailure(ChannelHandlerContext ctx, Throwable cause) {
        Throwable reason = cause instanceof DecoderException && cause.getCause() != null ? cause.getCause() : cause;
        log.debug("TLS handshake with {} failed: {}", ctx.channel().remoteAddress(), reason.toString());
        ctx.close();
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        if (cause instanceof DecoderException || cause instanceof SSLException) {
            Throwable reason = cause.getCause() != null ? cause.getCause() : cause;
            log.debug("TLS connection from {} failed: {}", ctx.channel().remoteAddress(), reason.toString());
            ctx.close();
        } else {
            try {
                super.exceptionCaught(ctx, cause);
            } catch (Exception e) {
                ctx.close();
            }
        }
    }
}
