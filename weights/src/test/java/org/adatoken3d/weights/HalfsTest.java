package org.adatoken3d.weights;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.adatoken3d.testing.SeededCases;
import org.junit.jupiter.api.Test;

class HalfsTest {
    @Test
    void everyBf16SurvivesFloatAndBack() {
        for (int bits = 0; bits < 1 << 16; bits++) {
            short h = (short) bits;
            float f = Halfs.bf16ToFloat(h);
            assertEquals(bits << 16, Float.floatToRawIntBits(f), "bf16 is the upper half of a float32");
            if (Float.isNaN(f)) {
                assertTrue(Float.isNaN(Halfs.bf16ToFloat(Halfs.floatToBf16(f))));
            } else {
                assertEquals(h, Halfs.floatToBf16(f), "bits " + Integer.toHexString(bits));
            }
        }
    }

    @Test
    void floatToBf16RoundsToNearestEvenForAnyFloat() {
        SeededCases.run("floatToBf16RoundsToNearestEven", 20_000, rnd -> {
            float x = Float.intBitsToFloat(rnd.nextInt());
            short got = Halfs.floatToBf16(x);
            if (Float.isNaN(x)) {
                assertTrue(Float.isNaN(Halfs.bf16ToFloat(got)), "NaN stays NaN");
                assertEquals(Float.floatToRawIntBits(x) >>> 31, (got >>> 15) & 1, "sign kept");
                return;
            }
            // Reference: the two bf16 neighbours of x, compared exactly in double arithmetic.
            int truncated = Float.floatToRawIntBits(x) & 0xFFFF0000;
            double below = Float.intBitsToFloat(truncated);
            double above = Float.intBitsToFloat(truncated + 0x10000); // may step to infinity: correct rounding
            double dBelow = Math.abs(x - below);
            double dAbove = Double.isInfinite(above) ? Math.abs(x - Math.scalb(Math.signum(x), 128)) : Math.abs(x - above);
            int expected;
            if (dBelow < dAbove) expected = truncated;
            else if (dAbove < dBelow) expected = truncated + 0x10000;
            else expected = ((truncated >>> 16) & 1) == 0 ? truncated : truncated + 0x10000;
            assertEquals(expected >>> 16, got & 0xFFFF, () -> "x=" + x + " bits " + Integer.toHexString(Float.floatToRawIntBits(x)));
        });
    }

    @Test
    void halfwayCasesGoToEven() {
        // 1 + 2^-8 lies exactly between bf16 1.0 (0x3F80) and 1.0078125 (0x3F81): ties go to the even 0x3F80.
        assertEquals((short) 0x3F80, Halfs.floatToBf16(1.0f + 0x1p-8f));
        // 1.0078125 + 2^-8 lies between 0x3F81 and 0x3F82: the even one is 0x3F82.
        assertEquals((short) 0x3F82, Halfs.floatToBf16(1.0078125f + 0x1p-8f));
        assertEquals((short) 0x7F80, Halfs.floatToBf16(Float.MAX_VALUE), "rounds up to +inf, as IEEE does");
    }

    @Test
    void f16MatchesIeeeBinary16() {
        // IEEE 754 binary16: sign 1, exponent 5 (bias 15), fraction 10.
        assertEquals((short) 0x3C00, Halfs.floatToF16(1.0f));
        assertEquals((short) 0xC000, Halfs.floatToF16(-2.0f));
        assertEquals((short) 0x7BFF, Halfs.floatToF16(65504f));
        assertEquals(0x1p-24f, Halfs.f16ToFloat((short) 0x0001), "smallest subnormal");
        assertEquals(Float.POSITIVE_INFINITY, Halfs.f16ToFloat((short) 0x7C00));
    }
}
