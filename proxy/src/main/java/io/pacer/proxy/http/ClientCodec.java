package io.pacer.proxy.http;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.CombinedChannelDuplexHandler;
import io.netty.handler.codec.DecoderResult;
import io.netty.handler.codec.DecoderResultProvider;
import io.netty.handler.codec.http.DefaultFullHttpRequest;
import io.netty.handler.codec.http.HttpDecoderConfig;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.handler.codec.http.HttpMessage;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpRequestDecoder;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.HttpResponseEncoder;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http.LastHttpContent;
import io.netty.util.AsciiString;
import java.util.ArrayDeque;
import java.util.List;

/**
 * The HTTP/1.1 codec of a client connection: Netty's request decoder and response encoder, with
 * three additions.
 *
 * <p>The request heads most clients send (a common method, a plain target, plain header lines and
 * a {@code Content-Length} or no body, all in one read) are parsed in one pass by a
 * {@link RequestHeadParser}, which takes only heads the checks below would pass and Netty's
 * decoder would decode the same way; every other head goes through the checks and Netty's decoder,
 * one request at a time.
 *
 * <p>Every request head is checked byte by byte before the decoder parses it, because the decoder
 * tolerates what a front door must not: it unfolds obsolete line folding (a header line starting
 * with a space or a tab) into the previous value, and is lenient with some control bytes. A head
 * holding a line fold, a CR not followed by LF, an LF not preceded by CR, or a control byte other
 * than HT (NUL and DEL included), or a request line other than three words separated by single
 * spaces becomes a failed request (a 400, and the connection closes);
 * nothing after it on the connection is decoded.
 *
 * <p>As Netty's {@code HttpServerCodec}, the encoder knows which answer is to a {@code HEAD}, so
 * that it writes no body for it.
 */
final class ClientCodec extends CombinedChannelDuplexHandler<ClientCodec.Decoder, ClientCodec.Encoder> {

    ClientCodec(HttpDecoderConfig config) {
        this(config, true);
    }

    /** {@code fastHeads} off: every head goes through the checks and Netty's decoder (for tests that compare). */
    ClientCodec(HttpDecoderConfig config, boolean fastHeads) {
        ArrayDeque<HttpMethod> methods = new ArrayDeque<>(2);
        init(new Decoder(config, methods, fastHeads), new Encoder(methods));
    }

    /** Why a head was refused before the decoder saw it. */
    static final class MalformedHeadException extends IllegalArgumentException {
        MalformedHeadException(String message) {
            super(message);
        }

        @Override
        public synchronized Throwable fillInStackTrace() {
            return this; // an expected outcome of bad input: no stack trace
        }
    }

    /**
     * Decodes requests: in one pass for the heads {@link RequestHeadParser} takes, else through
     * {@link StrictDecoder}. The fast path takes over again once the strict decoder has finished a
     * request, unless it refused it: then nothing more is read from the connection.
     */
    static final class Decoder extends FastPathDecoder {

        private final ArrayDeque<HttpMethod> methods;
        private final RequestHeadParser heads;

        Decoder(HttpDecoderConfig config, ArrayDeque<HttpMethod> methods, boolean fastHeads) {
            this(config, methods, fastHeads
                    ? new RequestHeadParser(Math.min(config.getMaxInitialLineLength(), config.getMaxHeaderSize()))
                    : null);
        }

        private Decoder(HttpDecoderConfig config, ArrayDeque<HttpMethod> methods, RequestHeadParser heads) {
            super(config, heads);
            this.methods = methods;
            this.heads = heads;
        }

        @Override
        protected HttpMessage parseHead(ByteBuf in, int length) {
            HttpRequest head = heads.parse(in, length);
            if (head != null) {
                methods.add(head.method());
            }
            return head;
        }

        @Override
        protected long bodyLength(HttpMessage head) {
            return Math.max(heads.contentLength(), 0); // a request without Content-Length has no body
        }

        @Override
        protected Fallback newFallback(HttpDecoderConfig config) {
            return new StrictDecoder(config, methods);
        }
    }

    /**
     * Netty's request decoder behind the byte scanner described above: the path of every head the
     * fast path does not take.
     */
    static final class StrictDecoder extends HttpRequestDecoder implements FastPathDecoder.Fallback {

        // Scanner states, within one request head.
        private static final int START = 0;          // before the request line: empty lines allowed
        private static final int START_CR = 1;       // CR of an empty line before the request line
        private static final int LINE = 2;           // inside a line
        private static final int CR = 3;             // CR seen inside a line
        private static final int LINE_START = 4;     // just after CRLF: a fold, another line or the end
        private static final int END_CR = 5;         // CR of the empty line ending the head

        private final ArrayDeque<HttpMethod> methods;
        /** Whether the bytes ahead are a request head (not a body). */
        private boolean inHead = true;
        private int state = START;
        /** Spaces seen in the request line so far; -1 once it has ended. */
        private int requestLineSpaces;
        private boolean lastWasSpace;
        /** Bytes of the HTTP-version word read so far. */
        private int versionLength;
        private static final byte[] VERSION = "HTTP/d.d".getBytes(java.nio.charset.StandardCharsets.US_ASCII);
        /** Bytes at the front of the buffer already scanned but not yet consumed by the decoder. */
        private int scannedAhead;
        private boolean refused;

        StrictDecoder(HttpDecoderConfig config, ArrayDeque<HttpMethod> methods) {
            super(config);
            this.methods = methods;
        }

        @Override
        public void decodeNow(ChannelHandlerContext ctx, ByteBuf in, List<Object> out) throws Exception {
            decode(ctx, in, out);
        }

        @Override
        public void decodeLastNow(ChannelHandlerContext ctx, ByteBuf in, List<Object> out) throws Exception {
            decodeLast(ctx, in, out);
        }

        @Override
        public void releaseNow(ChannelHandlerContext ctx) throws Exception {
            handlerRemoved0(ctx);
        }

        /** When the last request read is whole and nothing of the next has been read or refused. */
        @Override
        public boolean handsBack(List<Object> out, int from) {
            return inHead && state == START && scannedAhead == 0 && !refused;
        }

        @Override
        protected AsciiString splitHeaderName(byte[] bytes, int start, int length) {
            AsciiString known = KnownHeaderNames.find(bytes, start, length);
            return known != null ? known : super.splitHeaderName(bytes, start, length);
        }

        @Override
        protected void decode(ChannelHandlerContext ctx, ByteBuf in, List<Object> out) throws Exception {
            if (refused) {
                in.skipBytes(in.readableBytes());
                return;
            }
            if (inHead) {
                String problem = scan(in);
                if (problem != null) {
                    refused = true;
                    in.skipBytes(in.readableBytes());
                    DefaultFullHttpRequest invalid = new DefaultFullHttpRequest(HttpVersion.HTTP_1_0, HttpMethod.GET,
                            "/bad-request", Unpooled.EMPTY_BUFFER);
                    invalid.setDecoderResult(DecoderResult.failure(new MalformedHeadException(problem)));
                    methods.add(HttpMethod.GET);
                    out.add(invalid);
                    return;
                }
            }
            int before = in.readableBytes();
            int size = out.size();
            super.decode(ctx, in, out);
            scannedAhead = Math.max(0, scannedAhead - (before - in.readableBytes()));
            for (int i = size; i < out.size(); i++) {
                Object msg = out.get(i);
                if (msg instanceof HttpRequest request) {
                    methods.add(request.method());
                    inHead = false;
                }
                if (msg instanceof DecoderResultProvider p && p.decoderResult().isFailure()) {
                    refused = true; // the decoder discards the rest of the connection's input too
                } else if (msg instanceof LastHttpContent) {
                    // The message is whole: what comes next is the head of the next request.
                    inHead = true;
                    state = START;
                    scannedAhead = 0;
                }
            }
        }

        /** Scans the head bytes not yet scanned; the problem found, or {@code null}. */
        private String scan(ByteBuf in) {
            int from = in.readerIndex() + scannedAhead;
            int to = in.writerIndex();
            for (int i = from; i < to; i++) {
                int b = in.getByte(i) & 0xFF;
                switch (state) {
                    case START:
                        if (b == '\r') {
                            state = START_CR;
                        } else if (b == '\n') {
                            return "bare LF";
                        } else if (b == ' ' || b == '\t') {
                            return "whitespace before the request line";
                        } else if (isControl(b)) {
                            return "control byte 0x" + Integer.toHexString(b);
                        } else {
                            state = LINE;
                            requestLineSpaces = 0;
                            lastWasSpace = false;
                            versionLength = 0;
                        }
                        break;
                    case START_CR:
                        if (b != '\n') {
                            return "bare CR";
                        }
                        state = START;
                        break;
                    case LINE:
                        if (requestLineSpaces >= 0) {
                            // method SP request-target SP HTTP-version, one space each, no tabs
                            if (b == ' ' && (lastWasSpace || ++requestLineSpaces > 2)) {
                                return "malformed request line";
                            } else if (b == '\t' || (b == '\r' && lastWasSpace)) {
                                return "malformed request line";
                            } else if (b == '\r') {
                                if (requestLineSpaces != 2 || versionLength != VERSION.length) {
                                    return "malformed request line";
                                }
                                requestLineSpaces = -1;
                            } else if (requestLineSpaces == 2 && b != ' ') {
                                // HTTP-version = "HTTP/" DIGIT "." DIGIT, exactly
                                byte want = versionLength < VERSION.length ? VERSION[versionLength] : 0;
                                boolean ok = want == 'd' ? b >= '0' && b <= '9' : b == want;
                                if (!ok) {
                                    return "malformed HTTP version";
                                }
                                versionLength++;
                            }
                            lastWasSpace = b == ' ';
                        }
                        if (b == '\r') {
                            state = CR;
                        } else if (b == '\n') {
                            return "bare LF";
                        } else if (isControl(b)) {
                            return "control byte 0x" + Integer.toHexString(b);
                        }
                        break;
                    case CR:
                        if (b != '\n') {
                            return "bare CR";
                        }
                        state = LINE_START;
                        break;
                    case LINE_START:
                        if (b == ' ' || b == '\t') {
                            return "obsolete line folding";
                        } else if (b == '\r') {
                            state = END_CR;
                        } else if (b == '\n') {
                            return "bare LF";
                        } else if (isControl(b)) {
                            return "control byte 0x" + Integer.toHexString(b);
                        } else {
                            state = LINE;
                        }
                        break;
                    case END_CR:
                        if (b != '\n') {
                            return "bare CR";
                        }
                        // End of the head: the rest is a body, or the next head once this message is done.
                        scannedAhead = i + 1 - in.readerIndex();
                        inHead = false;
                        return null;
                    default:
                        throw new IllegalStateException("scanner state " + state);
                }
            }
            scannedAhead = to - in.readerIndex();
            return null;
        }

        private static boolean isControl(int b) {
            return (b < 0x20 && b != '\t') || b == 0x7F;
        }
    }

    static final class Encoder extends HttpResponseEncoder {

        private final ArrayDeque<HttpMethod> methods;

        Encoder(ArrayDeque<HttpMethod> methods) {
            this.methods = methods;
        }

        @Override
        protected void encodeHeaders(HttpHeaders headers, ByteBuf buf) {
            if (headers instanceof FlatHttpHeaders flat) {
                flat.writeTo(buf);
            } else {
                super.encodeHeaders(headers, buf); // an answer Pacer made itself
            }
        }

        @Override
        protected boolean isContentAlwaysEmpty(HttpResponse msg) {
            int code = msg.status().code();
            if (code >= 100 && code < 200 && code != HttpResponseStatus.SWITCHING_PROTOCOLS.code()) {
                return super.isContentAlwaysEmpty(msg); // an interim answer: the final one is still due
            }
            HttpMethod method = methods.poll();
            return HttpMethod.HEAD.equals(method) || super.isContentAlwaysEmpty(msg);
        }
    }
}
