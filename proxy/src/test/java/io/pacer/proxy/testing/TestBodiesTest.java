package io.pacer.proxy.testing;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.util.Arrays;
import org.junit.jupiter.api.Test;

class TestBodiesTest {

    @Test
    void theSequenceIsTheSameFromAnyOffset() {
        byte[] all = TestBodies.bytes(0, 10_000);
        for (int offset : new int[] {0, 1, 7, 8, 9, 4095, 9_000}) {
            assertArrayEquals(Arrays.copyOfRange(all, offset, offset + 1000 > 10_000 ? 10_000 : offset + 1000),
                    TestBodies.bytes(offset, Math.min(1000, 10_000 - offset)), "offset " + offset);
            assertEquals(all[offset], TestBodies.byteAt(offset));
        }
    }

    @Test
    void theSequenceDoesNotRepeatOrStandStill() {
        byte[] a = TestBodies.bytes(0, 4096);
        assertFalse(Arrays.equals(a, TestBodies.bytes(1, 4096)), "shifted by one byte it differs");
        assertFalse(Arrays.equals(a, TestBodies.bytes(4096, 4096)));
        int[] counts = new int[256];
        for (byte b : TestBodies.bytes(0, 256 * 1024)) {
            counts[b & 0xff]++;
        }
        for (int c : counts) {
            assertTrue(c > 700 && c < 1350, "every byte value shows up about 1024 times: " + c);
        }
    }

    @Test
    void farOffsetsWork() {
        long far = 5L * 1024 * 1024 * 1024 + 3;
        byte[] piece = TestBodies.bytes(far, 100);
        assertEquals(-1, TestBodies.firstMismatch(far, piece, 0, piece.length));
        assertEquals(far, TestBodies.firstMismatch(far, TestBodies.bytes(far + 1, 100), 0, 100));
    }

    @Test
    void firstMismatchNamesTheWrongOffset() {
        byte[] data = TestBodies.bytes(100, 50);
        data[20] ^= 1;
        assertEquals(120, TestBodies.firstMismatch(100, data, 0, data.length));
        assertFalse(TestBodies.matches(data));
        assertTrue(TestBodies.matches(TestBodies.bytes(0, 33)));
    }

    @Test
    void streamProducesTheSequenceAndVerifyChecksIt() throws IOException {
        long length = 3 * 1024 * 1024 + 17;
        TestBodies.verify(TestBodies.stream(length), length);
        assertArrayEquals(TestBodies.bytes(0, 1000), TestBodies.stream(1000).readAllBytes());
    }

    @Test
    void verifyRejectsShortLongAndWrongBodies() {
        byte[] good = TestBodies.bytes(0, 1000);
        AssertionError shorter = assertThrows(AssertionError.class,
                () -> TestBodies.verify(new ByteArrayInputStream(good), 1001));
        assertTrue(shorter.getMessage().contains("ended after 1000 of 1001"), shorter.getMessage());
        assertThrows(AssertionError.class, () -> TestBodies.verify(new ByteArrayInputStream(good), 999));
        byte[] bad = good.clone();
        bad[500]++;
        AssertionError wrong = assertThrows(AssertionError.class,
                () -> TestBodies.verify(new ByteArrayInputStream(bad), 1000));
        assertTrue(wrong.getMessage().contains("offset 500"), wrong.getMessage());
    }
}
