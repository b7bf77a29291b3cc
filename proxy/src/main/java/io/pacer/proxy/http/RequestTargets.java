package io.pacer.proxy.http;

import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpVersion;
import java.util.List;

/**
 * Request-target forms (RFC 9112, section 3.2) as far as a reverse proxy accepts them, and the
 * framing of a request body (section 6).
 */
final class RequestTargets {

    private RequestTargets() { }

    /**
     * The origin form ({@code /path?query}) of a request target. An absolute-form target
     * ({@code http://host/path}) is reduced to its path: Pacer routes by path only and never
     * connects to the authority a client names, so it cannot be used as an open proxy.
     *
     * @return the origin form, or {@code null} for targets a reverse proxy does not serve
     *     (authority form, asterisk form, anything else)
     */
    static String originForm(String target) {
        if (target.startsWith("/")) {
            return target;
        }
        int schemeEnd = target.indexOf("://");
        if (schemeEnd > 0) {
            String scheme = target.substring(0, schemeEnd);
            if (!scheme.equalsIgnoreCase("http") && !scheme.equalsIgnoreCase("https")) {
                return null;
            }
            int pathStart = target.indexOf('/', schemeEnd + 3);
            int queryStart = target.indexOf('?', schemeEnd + 3);
            if (pathStart < 0 || (queryStart >= 0 && queryStart < pathStart)) {
                return queryStart < 0 ? "/" : "/" + target.substring(queryStart);
            }
            return target.substring(pathStart);
        }
        return null;
    }

    /**
     * Whether the body of {@code request} is delimited one way only, the way every recipient reads
     * it: no {@code Content-Length} together with {@code Transfer-Encoding}; every
     * {@code Content-Length} the same run of digits; a {@code Transfer-Encoding} only on HTTP/1.1,
     * ending in {@code chunked}, which it names once.
     */
    static boolean hasUnambiguousFraming(HttpRequest request) {
        HttpHeaders h = request.headers();
        boolean transferEncoding = h.contains(HttpHeaderNames.TRANSFER_ENCODING);
        boolean contentLength = h.contains(HttpHeaderNames.CONTENT_LENGTH);
        if (transferEncoding && contentLength) {
            return false;
        }
        if (contentLength) {
            String first = null;
            for (String value : h.getAll(HttpHeaderNames.CONTENT_LENGTH)) {
                for (String part : value.split(",", -1)) {
                    String length = part.trim();
                    if (length.isEmpty() || length.length() > 18 || !isDigits(length)
                            || (first != null && !first.equals(length))) {
                        return false;
                    }
                    first = length;
                }
            }
            return true;
        }
        if (transferEncoding) {
            if (!HttpVersion.HTTP_1_1.equals(request.protocolVersion())) {
                return false;
            }
            List<String> codings = new java.util.ArrayList<>();
            for (String value : h.getAll(HttpHeaderNames.TRANSFER_ENCODING)) {
                for (String part : value.split(",", -1)) {
                    codings.add(part.trim());
                }
            }
            int chunked = 0;
            for (String coding : codings) {
                if (coding.equalsIgnoreCase("chunked")) {
                    chunked++;
                } else if (coding.isEmpty() || !isToken(coding)) {
                    return false;
                }
            }
            return chunked == 1 && codings.get(codings.size() - 1).equalsIgnoreCase("chunked");
        }
        return true;
    }

    private static boolean isDigits(String s) {
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c < '0' || c > '9') {
                return false;
            }
        }
        return true;
    }

    private static boolean isToken(String s) {
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c <= ' ' || c >= 0x7F || "\"(),/:;<=>?@[\\]{}".indexOf(c) >= 0) {
                return false;
            }
        }
        return true;
    }
}
