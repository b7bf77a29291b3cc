package io.pacer.proxy.http;

import io.netty.handler.codec.http.HttpResponseStatus;
import io.pacer.core.AllowList;
import io.pacer.core.AppOptions;
import java.net.InetAddress;

/**
 * Whether a client may reach an app, by the app's {@code PACER_ALLOW} networks. An app whose
 * access labels could not be read is closed to everyone: a typo never opens an app.
 *
 * <p>Runs on the event loop for every routed request: a null check for an app without labels.
 */
final class AppAccess {

    private AppAccess() { }

    /** {@code null} when {@code client} may go on; else the status to answer (403). */
    static HttpResponseStatus check(AppOptions options, InetAddress client) {
        if (options == AppOptions.DEFAULTS) {
            return null;
        }
        if (options.closedReason() != null) {
            return HttpResponseStatus.FORBIDDEN;
        }
        AllowList allow = options.allow();
        if (allow != null && !allow.allows(client)) {
            return HttpResponseStatus.FORBIDDEN;
        }
        return null;
    }
}
