package io.pacer.discovery;

import java.io.ByteArrayOutputStream;

/**
 * Reads one answer whose body must stay under a size limit: past {@code maxBytes} the exchange is
 * aborted and the answer reports how far it got, instead of the whole body being gathered into
 * memory first (a 16 MB {@code /v2/apps} of a large cluster, or a misbehaving peer sending
 * forever, must not be able to exhaust the heap).
 *
 * <p>Threading: see {@link SizeLimitedHandler}.
 */
final class BoundedBody extends SizeLimitedHandler<BoundedBody.Answer> {

    /**
     * What came back.
     *
     * @param status   the HTTP status
     * @param body     the body, or an empty array when it was too large
     * @param tooLarge whether the body passed the limit (then {@code received} says how far it got)
     * @param received bytes received
     */
    record Answer(int status, byte[] body, boolean tooLarge, long received) { }

    private final ByteArrayOutputStream body = new ByteArrayOutputStream();

    BoundedBody(long maxBytes) {
        super(maxBytes);
    }

    @Override
    protected State onBytes(byte[] bytes) {
        body.write(bytes, 0, bytes.length);
        return State.CONTINUE;
    }

    @Override
    protected void onTooLarge() {
        body.reset(); // drops what was kept right away, before the client finishes the exchange
    }

    @Override
    public Answer onCompleted() {
        return tooLarge ? new Answer(status, new byte[0], true, received)
                : new Answer(status, body.toByteArray(), false, received);
    }
}
