package org.adatoken3d.kernels;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.fail;

import jdk.incubator.vector.FloatVector;
import org.adatoken3d.testing.SeededCases;
import org.junit.jupiter.api.Test;

class ExpTest {
    /** Every lane of the vector version gives the scalar version's bits: results never depend on position. */
    @Test
    void vectorAndScalarExpAgreeBitForBit() {
        SeededCases.run("vectorAndScalarExpAgreeBitForBit", 300, rnd -> {
            int lanes = Simd.L;
            float[] x = new float[lanes], y = new float[lanes];
            for (int i = 0; i < lanes; i++) {
                x[i] = switch (rnd.nextInt(8)) {
                    case 0 -> (float) ((rnd.nextDouble() * 2 - 1) * 300);
                    case 1 -> new float[] {Float.NaN, Float.NEGATIVE_INFINITY, Float.POSITIVE_INFINITY, -0f, 0f, -87.3f, 88.72f}[rnd.nextInt(7)];
                    default -> (float) ((rnd.nextDouble() * 2 - 1) * 90);
                };
            }
            Exp.exp(FloatVector.fromArray(Simd.F, x, 0)).intoArray(y, 0);
            for (int i = 0; i < lanes; i++) {
                assertEquals(Float.floatToIntBits(Exp.exp(x[i])), Float.floatToIntBits(y[i]), "exp(" + x[i] + ")");
            }
        });
    }

    /** Within 2 ulps of the correctly rounded value over the whole normal range; 0, ∞ and NaN outside it. */
    @Test
    void expIsWithinTwoUlps() {
        SeededCases.run("expIsWithinTwoUlps", 20, rnd -> {
            for (int i = 0; i < 20000; i++) {
                float x = (float) (-87.3 + rnd.nextDouble() * (88.72 + 87.3));
                double exact = Math.exp(x);
                float got = Exp.exp(x);
                if (!(Math.abs(got - exact) <= 2 * Math.ulp((float) exact))) fail("exp(" + x + ") = " + got + ", exact " + exact);
            }
        });
        assertEquals(0f, Exp.exp(-87.4f));
        assertEquals(0f, Exp.exp(Float.NEGATIVE_INFINITY));
        assertEquals(Float.POSITIVE_INFINITY, Exp.exp(88.73f));
        assertEquals(1f, Exp.exp(0f));
        assertEquals(Float.NaN, Exp.exp(Float.NaN));
    }
}
