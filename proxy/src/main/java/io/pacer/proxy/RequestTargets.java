package io.pacer.proxy;

/** Request-target forms (RFC 9112, section 3.2) as far as a reverse proxy accepts them. */
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
}
