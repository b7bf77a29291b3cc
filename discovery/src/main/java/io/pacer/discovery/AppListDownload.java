package io.pacer.discovery;

import java.io.ByteArrayOutputStream;
import java.util.List;

/**
 * Reads a {@code /v2/apps} answer as it arrives: a 200's body goes chunk by chunk into an
 * {@link AppListParser}, so that only the compact model is ever held, never the body; the body of
 * any other status is kept (up to {@value #ERROR_BODY_BYTES} bytes) to say what Marathon answered.
 * Past {@code maxBytes} received, or as soon as the body is known not to be an app list, the
 * exchange is aborted.
 *
 * <p>Threading: the HTTP client calls one handler's methods one at a time on its I/O thread, so
 * parsing happens there, off the discovery loop; the loop gets the finished {@link Answer}.
 */
final class AppListDownload extends SizeLimitedHandler<AppListDownload.Answer> {

    static final int ERROR_BODY_BYTES = 64 * 1024;

    /**
     * What came back.
     *
     * @param status    the HTTP status
     * @param apps      the apps of a 200 that parsed; {@code null} otherwise
     * @param problem   why a 200's body is no app list; {@code null} otherwise
     * @param errorBody the start of a non-200 body
     * @param tooLarge  whether the body passed the limit
     * @param received  bytes received (after gzip is undone)
     */
    record Answer(int status, Apps apps, MarathonFormatException problem, byte[] errorBody,
                  boolean tooLarge, long received) { }

    /**
     * The apps read, handed over once: the HTTP client keeps the last answer of a pooled connection
     * reachable until the connection is used again, which must not keep a whole model alive.
     */
    static final class Apps {
        private List<MarathonApp> apps;

        Apps(List<MarathonApp> apps) {
            this.apps = apps;
        }

        List<MarathonApp> take() {
            List<MarathonApp> out = apps;
            apps = null;
            return out;
        }
    }

    private final AppListParser parser = new AppListParser();
    private final ByteArrayOutputStream errorBody = new ByteArrayOutputStream();

    AppListDownload(long maxBytes) {
        super(maxBytes);
    }

    @Override
    protected State onBytes(byte[] bytes) {
        if (status != 200) {
            int room = ERROR_BODY_BYTES - errorBody.size();
            errorBody.write(bytes, 0, Math.min(room, bytes.length));
            return State.CONTINUE;
        }
        parser.feed(bytes, 0, bytes.length);
        // Nothing later in a body that is already not an app list can make it one.
        return parser.failed() ? State.ABORT : State.CONTINUE;
    }

    @Override
    public Answer onCompleted() {
        if (tooLarge || status != 200) {
            return new Answer(status, null, null, errorBody.toByteArray(), tooLarge, received);
        }
        try {
            return new Answer(status, new Apps(parser.finish()), null, null, false, received);
        } catch (MarathonFormatException e) {
            return new Answer(status, null, e, null, false, received);
        }
    }
}
