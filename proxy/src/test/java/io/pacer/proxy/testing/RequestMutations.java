package io.pacer.proxy.testing;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.List;
import java.util.Random;

/**
 * The front-door fuzzer's corpus: well-formed requests, and the mutations made of them (bit flips,
 * CR/LF/NUL/':'/space/tab inserted, ranges deleted or duplicated, header lines repeated, chunk
 * sizes replaced, truncations, splices, random bytes, headers that matter with odd values). Shared
 * by the fuzzer over real sockets and by the codec tests that compare decoders on the same inputs.
 */
public final class RequestMutations {

    public static final List<byte[]> SEEDS = List.of(
            b("GET /app/x?q=1 HTTP/1.1\r\nHost: t\r\nUser-Agent: fuzz\r\nAccept: */*\r\n\r\n"),
            b("HEAD /app/ HTTP/1.1\r\nHost: t\r\n\r\n"),
            b("POST /app/upload HTTP/1.1\r\nHost: t\r\nContent-Length: 11\r\nContent-Type: text/plain\r\n\r\nhello world"),
            b("PUT /app/c HTTP/1.1\r\nHost: t\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nhello\r\n6;ext=1\r\n world\r\n0\r\nX-T: 1\r\n\r\n"),
            b("GET /app/a HTTP/1.1\r\nHost: t\r\n\r\nGET /app/b HTTP/1.1\r\nHost: t\r\nConnection: close\r\n\r\n"),
            b("GET /app/ws HTTP/1.1\r\nHost: t\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
                    + "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n\r\n"),
            b("POST /app/e HTTP/1.1\r\nHost: t\r\nContent-Length: 3\r\nExpect: 100-continue\r\n\r\nabc"),
            b("GET /app/%2e%2e/app/%68i HTTP/1.0\r\nHost: t\r\nConnection: keep-alive\r\n\r\n"),
            b("GET http://h:1/app/abs HTTP/1.1\r\nHost: h\r\nX-Forwarded-For: 1.2.3.4\r\n\r\n"),
            b("OPTIONS /app/o HTTP/1.1\r\nHost: t\r\nContent-Length: 0\r\n\r\n"));

    private static final byte[] SPECIAL = {'\r', '\n', 0, ':', ' ', '\t', ',', ';', '%', '/', '.', '\\', 0x7F, (byte) 0xFF};

    public static byte[] b(String s) {
        return s.getBytes(StandardCharsets.ISO_8859_1);
    }

    private RequestMutations() { }

    /** A seed, mutated one to four times. */
    public static byte[] mutate(Random r) {
        byte[] data = SEEDS.get(r.nextInt(SEEDS.size())).clone();
        int ops = 1 + r.nextInt(4);
        for (int i = 0; i < ops; i++) {
            data = mutateOnce(data, r);
        }
        return data;
    }

    private static byte[] mutateOnce(byte[] d, Random r) {
        if (d.length == 0) {
            return SEEDS.get(r.nextInt(SEEDS.size())).clone();
        }
        int at = r.nextInt(d.length);
        ByteArrayOutputStream out = new ByteArrayOutputStream(d.length + 32);
        switch (r.nextInt(10)) {
            case 0 -> { // bit flip
                d[at] ^= (byte) (1 << r.nextInt(8));
                return d;
            }
            case 1 -> { // insert a special byte
                out.write(d, 0, at);
                out.write(SPECIAL[r.nextInt(SPECIAL.length)]);
                out.write(d, at, d.length - at);
            }
            case 2 -> { // delete a range
                int n = 1 + r.nextInt(Math.min(16, d.length - at));
                out.write(d, 0, at);
                out.write(d, at + n, d.length - at - n);
            }
            case 3 -> { // duplicate a range
                int n = 1 + r.nextInt(Math.min(64, d.length - at));
                out.write(d, 0, at + n);
                out.write(d, at, d.length - at);
            }
            case 4 -> { // repeat a header line
                String s = new String(d, StandardCharsets.ISO_8859_1);
                int line = s.indexOf("\r\n", at);
                int next = line < 0 ? -1 : s.indexOf("\r\n", line + 2);
                if (next < 0) {
                    return d;
                }
                return b(s.substring(0, next + 2) + s.substring(line + 2, next + 2) + s.substring(next + 2));
            }
            case 5 -> { // truncate
                return Arrays.copyOf(d, at);
            }
            case 6 -> { // a random chunk size or length where a number was
                String s = new String(d, StandardCharsets.ISO_8859_1);
                String number = switch (r.nextInt(5)) {
                    case 0 -> Integer.toHexString(r.nextInt(100_000));
                    case 1 -> "-" + r.nextInt(10);
                    case 2 -> "ffffffffffffffff";
                    case 3 -> Integer.toString(r.nextInt(100));
                    default -> "0";
                };
                return b(s.replaceFirst("(?m)(^[0-9a-fA-F]+(?=\\r\\n)|(?<=Content-Length: )[0-9]+)", number));
            }
            case 7 -> { // splice with another seed
                byte[] other = SEEDS.get(r.nextInt(SEEDS.size()));
                int from = r.nextInt(other.length);
                out.write(d, 0, at);
                out.write(other, from, other.length - from);
            }
            case 8 -> { // random bytes
                out.write(d, 0, at);
                byte[] junk = new byte[1 + r.nextInt(8)];
                r.nextBytes(junk);
                out.write(junk, 0, junk.length);
                out.write(d, at, d.length - at);
            }
            default -> { // a header known to matter, with an odd value
                String[] headers = {"Transfer-Encoding: chunked", "Content-Length: 3", "Transfer-Encoding: gzip",
                    "Connection: close", "Expect: 100-continue", "Upgrade: websocket", "Connection: Upgrade",
                    "Content-Length: 0", "Host:", " folded", "Transfer-Encoding: chunked, chunked"};
                String s = new String(d, StandardCharsets.ISO_8859_1);
                int line = s.indexOf("\r\n");
                if (line < 0) {
                    return d;
                }
                return b(s.substring(0, line + 2) + headers[r.nextInt(headers.length)] + "\r\n" + s.substring(line + 2));
            }
        }
        return out.toByteArray();
    }
}
