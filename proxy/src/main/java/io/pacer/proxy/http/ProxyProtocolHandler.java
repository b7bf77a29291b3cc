package io.pacer.proxy.http;

import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.handler.codec.haproxy.HAProxyCommand;
import io.netty.handler.codec.haproxy.HAProxyMessage;
import io.netty.util.AttributeKey;
import io.netty.util.ReferenceCountUtil;
import java.net.InetAddress;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@code proxy_protocol = true}: takes the PROXY protocol header (v1 or v2) that an L4 balancer in
 * front sends before the client's bytes, tells the rest of the pipeline who the client really is
 * ({@link ClientAddress}), then leaves the pipeline. A connection without a valid header is closed
 * by the decoder before any request is read, as Nginx's {@code listen ... proxy_protocol} does.
 * A {@code LOCAL} header (the balancer's own health check) keeps the socket's address.
 */
final class ProxyProtocolHandler extends ChannelInboundHandlerAdapter {

    private static final Logger log = LoggerFactory.getLogger(ProxyProtocolHandler.class);

    /** The client's address as the PROXY header gave it, fired as a user event. */
    record ClientAddress(InetAddress address) { }

    /**
     * The same address, kept on the connection for handlers added after the event went by: those
     * behind a TLS handshake, and those of HTTP/2 streams.
     */
    static final AttributeKey<InetAddress> CLIENT = AttributeKey.valueOf("pacer.proxy-protocol.client");

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        if (!(msg instanceof HAProxyMessage header)) {
            ctx.fireChannelRead(msg);
            return;
        }
        try {
            if (header.command() == HAProxyCommand.PROXY && header.sourceAddress() != null) {
                InetAddress source = InetAddress.getByName(header.sourceAddress()); // a literal: no lookup
                ctx.channel().attr(CLIENT).set(source);
                ctx.fireUserEventTriggered(new ClientAddress(source));
            }
        } catch (Exception e) {
            log.debug("PROXY header with an unusable source address {} on {}", header.sourceAddress(), ctx.channel());
        } finally {
            ReferenceCountUtil.release(header);
        }
        ctx.pipeline().remove(this);
        // The read that brought the header may have brought nothing else: ask for the request.
        ctx.read();
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        log.debug("no valid PROXY protocol header from {}: {}", ctx.channel().remoteAddress(), cause.toString());
        ctx.close();
    }
}
