package io.pacer.discovery;

import io.netty.handler.codec.http.HttpHeaders;
import org.asynchttpclient.AsyncHandler;
import org.asynchttpclient.HttpResponseBodyPart;
import org.asynchttpclient.HttpResponseStatus;

/**
 * The part every Marathon read shares: the status, the bytes received, and an abort once the body
 * passes {@code maxBytes}, so that no answer, however large or endless, can exhaust the heap.
 * Subclasses take the body parts that fit ({@link #onBytes}) and build the answer.
 *
 * <p>Threading: the HTTP client calls one handler's methods one at a time on its I/O thread.
 */
abstract class SizeLimitedHandler<T> implements AsyncHandler<T> {

    private final long maxBytes;
    /** The HTTP status, once received. */
    protected int status;
    /** Body bytes received so far (after gzip is undone). */
    protected long received;
    /** Whether the body passed the limit; the exchange was then aborted. */
    protected boolean tooLarge;

    SizeLimitedHandler(long maxBytes) {
        this.maxBytes = maxBytes;
    }

    /** A body part within the limit; {@link State#ABORT} stops the exchange. */
    protected abstract State onBytes(byte[] bytes);

    /** Called once when the body passed the limit, before the exchange is aborted. */
    protected void onTooLarge() {
    }

    @Override
    public final State onStatusReceived(HttpResponseStatus responseStatus) {
        status = responseStatus.getStatusCode();
        return State.CONTINUE;
    }

    @Override
    public final State onHeadersReceived(HttpHeaders headers) {
        return State.CONTINUE;
    }

    @Override
    public final State onBodyPartReceived(HttpResponseBodyPart part) {
        received += part.length();
        if (received > maxBytes) {
            tooLarge = true;
            onTooLarge();
            return State.ABORT;
        }
        return onBytes(part.getBodyPartBytes());
    }

    @Override
    public final void onThrowable(Throwable t) {
        // The client completes the future exceptionally with t; nothing is kept here.
    }
}
