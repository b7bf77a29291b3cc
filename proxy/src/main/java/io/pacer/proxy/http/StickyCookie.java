package io.pacer.proxy.http;

import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaders;

/**
 * The cookie that pins a client to a task ({@code PACER_STICKY}): read from the request, written
 * on the answer when the task that answered is not the one it named (first visit, or that task
 * left or failed).
 */
final class StickyCookie {

    private StickyCookie() { }

    /** The value of cookie {@code name} in the request's {@code Cookie} headers, or {@code null}. */
    static String value(HttpHeaders request, String name) {
        for (String header : request.getAll(HttpHeaderNames.COOKIE)) {
            int from = 0;
            while (from < header.length()) {
                int end = header.indexOf(';', from);
                if (end < 0) {
                    end = header.length();
                }
                int start = from;
                while (start < end && header.charAt(start) == ' ') {
                    start++;
                }
                if (header.startsWith(name, start) && start + name.length() < end
                        && header.charAt(start + name.length()) == '=') {
                    return header.substring(start + name.length() + 1, end).trim();
                }
                from = end + 1;
            }
        }
        return null;
    }

    /** Pins the client to the task {@code token} names, for the whole site, for the browser session. */
    static void set(HttpHeaders response, String name, String token) {
        response.add(HttpHeaderNames.SET_COOKIE, name + "=" + token + "; Path=/; HttpOnly; SameSite=Lax");
    }
}
