package org.adatoken3d.kernels;

import static org.junit.jupiter.api.Assertions.assertEquals;

import jdk.incubator.vector.FloatVector;
import org.adatoken3d.testing.SeededCases;
import org.junit.jupiter.api.Test;

class SimdTest {
    /** The lane sum is the halving tree (lane i + lane i^8, then ^4, ^2, ^1), bit for bit, whatever compiles it. */
    @Test
    void laneSumAddsInAFixedTree() {
        SeededCases.run("laneSumAddsInAFixedTree", 300, rnd -> {
            float[] x = new float[Simd.L];
            for (int i = 0; i < x.length; i++) x[i] = (float) ((rnd.nextDouble() - 0.5) * Math.pow(10, rnd.nextInt(8)));
            float expected;
            if (Simd.L == 16) {
                float[] v = x.clone();
                for (int d = 8; d >= 1; d /= 2) {
                    float[] w = new float[16];
                    for (int i = 0; i < 16; i++) w[i] = v[i] + v[i ^ d];
                    v = w;
                }
                expected = v[0];
            } else {
                expected = 0;
                for (float f : x) expected += f;
            }
            assertEquals(Float.floatToIntBits(expected), Float.floatToIntBits(Simd.sum(FloatVector.fromArray(Simd.F, x, 0))));
        });
    }
}
