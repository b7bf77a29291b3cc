package io.pacer.proxy.http;

import at.favre.lib.crypto.bcrypt.BCrypt;
import io.netty.util.concurrent.EventExecutor;
import io.netty.util.concurrent.Future;
import io.netty.util.concurrent.Promise;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.Map;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * HTTP basic auth against an app's {@code PACER_AUTH} users (bcrypt hashes, as {@code htpasswd -B}
 * writes them).
 *
 * <p>bcrypt is slow on purpose (tens of milliseconds at cost 10), so it never runs on an event
 * loop: a credential not seen before is checked on a small pool of its own, and the request goes
 * on (or gets 401) when the answer is back. Credentials that passed are remembered, by app and
 * by the exact header value, so a client's later requests cost a map lookup. A full pool answers
 * 503 rather than queueing without bound: a flood of wrong passwords cannot starve the proxy.
 */
final class BasicAuth implements AutoCloseable {

    /** What a request's {@code Authorization} header is worth. */
    enum Verdict { ALLOWED, DENIED, PENDING, BUSY }

    private static final Logger log = LoggerFactory.getLogger(BasicAuth.class);
    private static final int MAX_REMEMBERED = 10_000;
    private static final String BASIC = "basic ";

    private final ThreadPoolExecutor pool = new ThreadPoolExecutor(1, 2, 30, TimeUnit.SECONDS,
            new ArrayBlockingQueue<>(256), r -> {
                Thread t = new Thread(r, "pacer-auth");
                t.setDaemon(true);
                return t;
            });
    /** App id and header value of credentials that passed, to the bcrypt hash they passed against. */
    private final ConcurrentHashMap<String, String> passed = new ConcurrentHashMap<>();

    /**
     * Checks {@code authorization} against {@code users} at once when it can: no or a malformed
     * header, an unknown user, or remembered credentials. Otherwise {@link Verdict#PENDING}: call
     * {@link #verify}.
     */
    Verdict quickCheck(String appId, Map<String, String> users, String authorization) {
        String[] credentials = decode(authorization);
        if (credentials == null || !users.containsKey(credentials[0])) {
            return Verdict.DENIED;
        }
        String hash = users.get(credentials[0]);
        return hash.equals(passed.get(appId + '\0' + authorization)) ? Verdict.ALLOWED : Verdict.PENDING;
    }

    /** Verifies off the event loop; the future completes on {@code loop}; {@code null} when the pool is full. */
    Future<Boolean> verify(String appId, Map<String, String> users, String authorization, EventExecutor loop) {
        Promise<Boolean> promise = loop.newPromise();
        String[] credentials = decode(authorization);
        String hash = credentials == null ? null : users.get(credentials[0]);
        if (hash == null) {
            return promise.setSuccess(false);
        }
        try {
            pool.execute(() -> {
                boolean ok;
                try {
                    ok = BCrypt.verifyer().verify(credentials[1].toCharArray(), hash.toCharArray()).verified;
                } catch (Throwable t) {
                    log.warn("app {}: could not verify a password against user {}'s hash", appId, credentials[0], t);
                    ok = false;
                }
                if (ok) {
                    if (passed.size() >= MAX_REMEMBERED) {
                        passed.clear();
                    }
                    passed.put(appId + '\0' + authorization, hash);
                }
                promise.trySuccess(ok);
            });
        } catch (RejectedExecutionException e) {
            return null;
        }
        return promise;
    }

    /** {@code [user, password]} of a {@code Basic} header, or {@code null}. */
    private static String[] decode(String authorization) {
        if (authorization == null || authorization.length() <= BASIC.length()
                || !authorization.regionMatches(true, 0, BASIC, 0, BASIC.length())) {
            return null;
        }
        String decoded;
        try {
            decoded = new String(Base64.getDecoder().decode(authorization.substring(BASIC.length()).trim()),
                    StandardCharsets.UTF_8);
        } catch (IllegalArgumentException e) {
            return null;
        }
        int colon = decoded.indexOf(':');
        return colon <= 0 ? null : new String[] {decoded.substring(0, colon), decoded.substring(colon + 1)};
    }

    @Override
    public void close() {
        pool.shutdownNow();
    }
}
