package io.pacer.discovery;

import io.netty.handler.codec.http.HttpHeaders;
import java.io.ByteArrayOutputStream;
import org.asynchttpclient.AsyncHandler;
import org.asynchttpclient.HttpResponseBodyPart;
import org.asynchttpclient.HttpResponseStatus;

/**
 * Reads one answer whose body must stay under a size limit: past {@code maxBytes} the exchange is
 * aborted and the answer reports how far it got, instead of the whole body being gathered into
 * memory first (a 16 MB {@code /v2/apps} of a large cluster, or a misbehaving peer sending
 * forever, must not be able to exhaust the heap).
 *
 * <p>Threading: the HTTP client calls one handler's methods one at a time on its I/O thread.
 */
final class BoundedBody implements AsyncHandler<BoundedBody.Answer> {

    /**
     * What came back.
     *
     * @param status   the HTTP status
     * @param body     the body, or an empty array when it was too large
     * @param tooLarge whether the body passed the limit (then {@code received} says how far it got)
     * @param received bytes received
     */
    record Answer(int status, byte[] body, boolean tooLarge, long received) { }

    private final long maxBytes;
    private final ByteArrayOutputStream body = new ByteArrayOutputStream();
    private int status;
    private long received;
    private boolean tooLarge;

    BoundedBody(long maxBytes) {
        this.maxBytes = maxBytes;
    }

    @Override
    public State onStatusReceived(HttpResponseStatus responseStatus) {
        status = responseStatus.getStatusCode();
        return State.CONTINUE;
    }

    @Override
    public State onHeadersReceived(HttpHeaders headers) {
        return State.CONTINUE;
    }

    @Override
    public State onBodyPartReceived(HttpResponseBodyPart part) {
        received += part.length();
        if (received > maxBytes) {
            tooLarge = true;
            // Drops what was kept so far right away, before the client finishes the exchange.
            body.reset();
            return State.ABORT;
        }
        byte[] bytes = part.getBodyPartBytes();
        body.write(bytes, 0, bytes.length);
        return State.CONTINUE;
    }

    @Override
    public void onThrowable(Throwable t) {
        // The client completes the future exceptionally with t; nothing is kept here.
    }

    @Override
    public Answer onCompleted() {
        return tooLarge ? new Answer(status, new byte[0], true, received)
                : new Answer(status, body.toByteArray(), false, received);
    }
}
