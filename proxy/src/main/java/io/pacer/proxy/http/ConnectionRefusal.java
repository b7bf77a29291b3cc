package io.pacer.proxy.http;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.socket.DuplexChannel;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.util.AsciiString;
import io.netty.util.ReferenceCountUtil;
import java.util.concurrent.TimeUnit;

/**
 * The whole pipeline of a connection accepted beyond {@code max_connections}: it answers
 * {@code 503} with {@code Connection: close} at once, without reading a request, and closes. The
 * output side is shut first and whatever the client sends meanwhile is read and dropped, so that
 * closing does not reset the connection before the client has read the answer; the connection
 * closes when the client does, or after {@link #LINGER_MILLIS} at the latest.
 */
@ChannelHandler.Sharable
final class ConnectionRefusal extends ChannelInboundHandlerAdapter {

    static final long LINGER_MILLIS = 1000;

    private final AsciiString xproxy;

    ConnectionRefusal(AsciiString xproxy) {
        this.xproxy = xproxy;
    }

    @Override
    public void channelActive(ChannelHandlerContext ctx) {
        HttpResponseStatus status = HttpResponseStatus.SERVICE_UNAVAILABLE;
        String page = "<html>\r\n<head><title>" + status + "</title></head>\r\n<body>\r\n<center><h1>" + status
                + "</h1></center>\r\n<hr><center>pacer</center>\r\n</body>\r\n</html>\r\n";
        String head = "HTTP/1.1 " + status + "\r\nServer: " + ProxySettings.SERVER + "\r\nDate: " + HttpDate.now()
                + "\r\nX-Proxy: " + xproxy + "\r\nContent-Type: text/html\r\nContent-Length: " + page.length()
                + "\r\nConnection: close\r\n\r\n";
        ByteBuf answer = ByteBufUtil.writeAscii(ctx.alloc(), head + page);
        ctx.writeAndFlush(answer).addListener((ChannelFutureListener) f -> {
            if (f.isSuccess() && ctx.channel() instanceof DuplexChannel duplex) {
                duplex.shutdownOutput();
            } else {
                ctx.close();
            }
        });
        ctx.executor().schedule(() -> {
            ctx.close();
        }, LINGER_MILLIS, TimeUnit.MILLISECONDS);
        ctx.read();
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        ReferenceCountUtil.release(msg);
    }

    @Override
    public void channelReadComplete(ChannelHandlerContext ctx) {
        ctx.read();
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        ctx.close();
    }
}
