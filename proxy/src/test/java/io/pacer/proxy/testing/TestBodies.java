package io.pacer.proxy.testing;

import java.io.IOException;
import java.io.InputStream;

/**
 * A deterministic, pseudo-random byte sequence of any length, computed from the offset: large
 * bodies can be produced and verified piece by piece without holding them in memory.
 *
 * <p>Byte {@code i} is byte {@code i % 8} (little-endian) of a SplitMix64 hash of {@code i / 8}, so
 * the sequence does not repeat and a body shifted, truncated or reordered by even one byte fails
 * verification.
 */
public final class TestBodies {

    private TestBodies() { }

    /** Byte number {@code offset} of the sequence. */
    public static byte byteAt(long offset) {
        return (byte) (word(offset >>> 3) >>> ((offset & 7) << 3));
    }

    /** {@code length} bytes of the sequence, starting at {@code offset}. */
    public static byte[] bytes(long offset, int length) {
        byte[] out = new byte[length];
        fill(offset, out, 0, length);
        return out;
    }

    /** Writes {@code length} bytes of the sequence, starting at {@code offset}, into {@code dst[from..]}. */
    public static void fill(long offset, byte[] dst, int from, int length) {
        long wordIndex = offset >>> 3;
        long word = word(wordIndex);
        for (int i = 0; i < length; i++) {
            long pos = offset + i;
            if (pos >>> 3 != wordIndex) {
                wordIndex = pos >>> 3;
                word = word(wordIndex);
            }
            dst[from + i] = (byte) (word >>> ((pos & 7) << 3));
        }
    }

    /**
     * Where {@code data[from, from + length)} first differs from the sequence starting at
     * {@code offset}, as an offset into the sequence; -1 when it matches.
     */
    public static long firstMismatch(long offset, byte[] data, int from, int length) {
        for (int i = 0; i < length; i++) {
            if (data[from + i] != byteAt(offset + i)) {
                return offset + i;
            }
        }
        return -1;
    }

    /** Whether {@code data} is exactly the first {@code data.length} bytes of the sequence. */
    public static boolean matches(byte[] data) {
        return firstMismatch(0, data, 0, data.length) < 0;
    }

    /**
     * Reads {@code in} to its end and checks it is exactly the first {@code expectedLength} bytes
     * of the sequence; throws {@link AssertionError} naming the first wrong offset otherwise.
     * Closes the stream.
     */
    public static void verify(InputStream in, long expectedLength) throws IOException {
        byte[] buffer = new byte[64 * 1024];
        long offset = 0;
        try (in) {
            int n;
            while ((n = in.read(buffer)) >= 0) {
                if (offset + n > expectedLength) {
                    throw new AssertionError("body is longer than the expected " + expectedLength + " bytes");
                }
                long mismatch = firstMismatch(offset, buffer, 0, n);
                if (mismatch >= 0) {
                    throw new AssertionError("body differs from TestBodies at offset " + mismatch);
                }
                offset += n;
            }
        }
        if (offset != expectedLength) {
            throw new AssertionError("body ended after " + offset + " of " + expectedLength + " bytes");
        }
    }

    /** The first {@code length} bytes of the sequence as a stream, for request bodies. */
    public static InputStream stream(long length) {
        return new InputStream() {
            private long offset;

            @Override
            public int read() {
                return offset < length ? byteAt(offset++) & 0xff : -1;
            }

            @Override
            public int read(byte[] b, int off, int len) {
                if (len == 0) {
                    return 0;
                }
                if (offset >= length) {
                    return -1;
                }
                int n = (int) Math.min(len, length - offset);
                fill(offset, b, off, n);
                offset += n;
                return n;
            }

            @Override
            public int available() {
                return (int) Math.min(Integer.MAX_VALUE, length - offset);
            }
        };
    }

    private static long word(long index) {
        long z = index * 0x9E3779B97F4A7C15L + 0x632BE59BD9B4E019L;
        z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
        z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
        return z ^ (z >>> 31);
    }
}
