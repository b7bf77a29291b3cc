package io.pacer.discovery;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Objects;

/**
 * Reads a {@code text/event-stream} body as Marathon writes it, fed with byte chunks split
 * anywhere (inside a CRLF, inside a multi-byte character, inside a field name). Pure: no I/O, no
 * threads; one instance per stream, fed by one thread at a time.
 *
 * <p>It follows the SSE wire format: lines end with CRLF, LF or CR; {@code event:} names the
 * event, {@code data:} lines are joined with LF; one optional space after the colon is dropped;
 * lines starting with a colon are comments; {@code id:}, {@code retry:} and unknown fields are
 * ignored; a blank line dispatches the event. A blank line with nothing pending is a heartbeat
 * (Marathon sends one every 10 s). A leading UTF-8 byte order mark is skipped. Lines may be of any
 * length (a {@code data:} line carrying an app definition can be hundreds of kilobytes): only an
 * event larger than {@code maxEventBytes} is dropped, reported through
 * {@link Listener#onOversizedEvent}, so that a broken peer cannot exhaust memory.
 */
final class SseParser {

    /** Large enough for any app definition Marathon accepts (its own request limit is smaller). */
    static final int DEFAULT_MAX_EVENT_BYTES = 16 << 20;

    /** What {@link #feed} finds. Called on the feeding thread, in stream order. */
    interface Listener {

        /**
         * One complete event.
         *
         * @param type the {@code event:} value, or {@code "message"} when the event had none
         * @param data the {@code data:} lines joined with LF
         */
        void onEvent(String type, String data);

        /** A blank line with no event pending: Marathon's keep-alive. */
        default void onHeartbeat() { }

        /** An event longer than the limit was skipped whole; {@code bytes} is its size. */
        default void onOversizedEvent(long bytes) { }
    }

    private static final byte CR = '\r';
    private static final byte LF = '\n';
    private static final byte[] BOM = {(byte) 0xEF, (byte) 0xBB, (byte) 0xBF};
    private static final byte[] EVENT = "event".getBytes(StandardCharsets.US_ASCII);
    private static final byte[] DATA = "data".getBytes(StandardCharsets.US_ASCII);
    /** Buffers that grew past this for one huge event are released once it is dispatched. */
    private static final int KEEP_CAPACITY = 64 << 10;

    private final Listener listener;
    private final long maxEventBytes;

    private final Bytes line = new Bytes();
    private final Bytes data = new Bytes();
    /** Bytes of the current line, discarded ones included; 0 means the line so far is blank. */
    private long lineLength;
    /** The last line ended with CR: an LF starting the next chunk belongs to it. */
    private boolean skipLf;
    /** BOM bytes matched at the very start of the stream; -1 once past the start. */
    private int bomMatched;

    private String eventType;
    private boolean hasData;
    private long eventBytes;
    private boolean oversized;

    SseParser(Listener listener) {
        this(listener, DEFAULT_MAX_EVENT_BYTES);
    }

    SseParser(Listener listener, long maxEventBytes) {
        this.listener = Objects.requireNonNull(listener, "listener");
        if (maxEventBytes <= 0) {
            throw new IllegalArgumentException("maxEventBytes must be positive: " + maxEventBytes);
        }
        this.maxEventBytes = maxEventBytes;
    }

    void feed(byte[] bytes) {
        feed(bytes, 0, bytes.length);
    }

    /** Reads the next {@code length} bytes of the stream, calling the listener for what they complete. */
    void feed(byte[] bytes, int offset, int length) {
        Objects.checkFromIndexSize(offset, length, bytes.length);
        int end = offset + length;
        int i = offset;
        while (bomMatched >= 0 && i < end) {
            if (bytes[i] == BOM[bomMatched]) {
                i++;
                if (++bomMatched == BOM.length) {
                    bomMatched = -1;
                }
            } else {
                // Not a BOM after all: what looked like its start is ordinary text.
                int matched = bomMatched;
                bomMatched = -1;
                append(BOM, 0, matched);
            }
        }
        while (i < end) {
            if (skipLf) {
                skipLf = false;
                if (bytes[i] == LF) {
                    i++;
                    continue;
                }
            }
            int j = i;
            while (j < end && bytes[j] != LF && bytes[j] != CR) {
                j++;
            }
            append(bytes, i, j - i);
            if (j == end) {
                return;
            }
            skipLf = bytes[j] == CR;
            i = j + 1;
            endOfLine();
        }
    }

    /**
     * The stream ended (the server closed it). An event not yet terminated by a blank line is
     * discarded, as the SSE format requires.
     *
     * @return whether something incomplete was discarded
     */
    boolean end() {
        if (bomMatched > 0) {
            append(BOM, 0, bomMatched);
        }
        bomMatched = -1;
        boolean incomplete = lineLength > 0 || hasData || eventType != null || oversized;
        resetEvent();
        line.reset(KEEP_CAPACITY);
        lineLength = 0;
        skipLf = false;
        return incomplete;
    }

    private void append(byte[] bytes, int offset, int length) {
        if (length == 0) {
            return;
        }
        lineLength += length;
        eventBytes += length;
        if (oversized) {
            return;
        }
        if (eventBytes > maxEventBytes) {
            oversized = true;
            line.reset(KEEP_CAPACITY);
            data.reset(KEEP_CAPACITY);
            return;
        }
        line.append(bytes, offset, length);
    }

    private void endOfLine() {
        if (lineLength == 0) {
            dispatch();
        } else if (!oversized) {
            field(line.array(), line.size());
        }
        line.reset(KEEP_CAPACITY);
        lineLength = 0;
    }

    private void field(byte[] a, int n) {
        if (a[0] == ':') {
            return;
        }
        int colon = 0;
        while (colon < n && a[colon] != ':') {
            colon++;
        }
        int value = colon < n ? colon + 1 : n;
        if (value < n && a[value] == ' ') {
            value++;
        }
        if (named(a, colon, EVENT)) {
            eventType = new String(a, value, n - value, StandardCharsets.UTF_8);
        } else if (named(a, colon, DATA)) {
            if (hasData) {
                data.append(LF);
            }
            data.append(a, value, n - value);
            hasData = true;
        }
        // id, retry and unknown fields mean nothing to us: Marathon sends neither ids nor retries.
    }

    private static boolean named(byte[] a, int nameLength, byte[] name) {
        return nameLength == name.length && Arrays.equals(a, 0, nameLength, name, 0, nameLength);
    }

    private void dispatch() {
        if (oversized) {
            listener.onOversizedEvent(eventBytes);
        } else if (hasData) {
            String type = eventType == null ? "message" : eventType;
            String text = new String(data.array(), 0, data.size(), StandardCharsets.UTF_8);
            resetEvent();
            listener.onEvent(type, text);
            return;
        } else if (eventType == null) {
            listener.onHeartbeat();
        }
        // An event: line with no data: line is no event at all.
        resetEvent();
    }

    private void resetEvent() {
        eventType = null;
        hasData = false;
        eventBytes = 0;
        oversized = false;
        data.reset(KEEP_CAPACITY);
    }

    /** A growable byte array. */
    private static final class Bytes {
        private static final byte[] EMPTY = new byte[0];
        private byte[] bytes = EMPTY;
        private int size;

        void append(byte b) {
            ensure(1);
            bytes[size++] = b;
        }

        void append(byte[] src, int offset, int length) {
            ensure(length);
            System.arraycopy(src, offset, bytes, size, length);
            size += length;
        }

        private void ensure(int more) {
            int needed = size + more;
            if (needed < 0) {
                throw new OutOfMemoryError("SSE line too long");
            }
            if (needed > bytes.length) {
                int grown = Math.max(needed, Math.max(256, bytes.length * 2));
                bytes = Arrays.copyOf(bytes, grown < 0 ? needed : grown);
            }
        }

        void reset(int keepCapacity) {
            size = 0;
            if (bytes.length > keepCapacity) {
                bytes = EMPTY;
            }
        }

        byte[] array() {
            return bytes;
        }

        int size() {
            return size;
        }
    }
}
