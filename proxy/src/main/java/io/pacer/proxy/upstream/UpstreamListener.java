package io.pacer.proxy.upstream;

import io.netty.handler.codec.http.HttpContent;
import io.netty.handler.codec.http.HttpResponse;

/**
 * What an upstream connection reports to the exchange currently using it. Called on the event
 * loop that owns both the connection and the exchange, so implementations need no locking.
 */
public interface UpstreamListener {

    void onResponseHead(HttpResponse response);

    /** Takes ownership of {@code content}. */
    void onResponseContent(HttpContent content);

    /** Bytes that follow a 101 answer; takes ownership. */
    void onTunnelBytes(Object bytes);

    void onUpstreamReadComplete();

    void onUpstreamWritabilityChanged();

    /** {@code connection} closed or failed; {@code cause} is null for a plain close. */
    void onUpstreamClosed(UpstreamConnection connection, Throwable cause);
}
