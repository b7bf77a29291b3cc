package io.pacer.proxy.testing;

import java.nio.charset.StandardCharsets;

/**
 * A response read by {@link RawHttp}.
 *
 * @param version  the protocol of the status line ({@code HTTP/1.1})
 * @param status   the status code
 * @param reason   the reason phrase, possibly empty
 * @param headers  the header fields as received
 * @param body     the body, de-chunked; empty for 1xx, 204, 304 and responses to HEAD
 * @param trailers the trailer fields of a chunked body; empty otherwise
 * @param chunked  whether the body came with {@code Transfer-Encoding: chunked}
 */
public record RawResponse(String version, int status, String reason, RawHeaders headers, byte[] body,
                          RawHeaders trailers, boolean chunked) {

    /** The first value of header {@code name} (case-insensitive), or null. */
    public String header(String name) {
        return headers.get(name);
    }

    /** The body as UTF-8 text. */
    public String bodyText() {
        return new String(body, StandardCharsets.UTF_8);
    }

    @Override
    public String toString() {
        return version + " " + status + " " + reason + " (" + headers.size() + " headers, " + body.length
                + " body bytes" + (chunked ? ", chunked" : "") + ")";
    }
}
