package org.adatoken3d.kernels;

import static org.junit.jupiter.api.Assertions.assertEquals;

import jdk.incubator.vector.FloatVector;
import org.adatoken3d.testing.SeededCases;
import org.junit.jupiter.api.Test;

class SimdTest {
    /** The lane sum is the halving tree (lane i + lane i ^ L/2, then ^ L/4, ... ^ 1), bit for bit, whatever compiles it. */
    @Test
    void laneSumAddsInAFixedTree() {
        SeededCases.run("laneSumAddsInAFixedTree", 300, rnd -> {
            float[] x = new float[Simd.L];
            for (int i = 0; i < x.length; i++) x[i] = (float) ((rnd.nextDouble() - 0.5) * Math.pow(10, rnd.nextInt(8)));
            float[] v = x.clone();
            for (int d = Simd.L / 2; d >= 1; d /= 2) {
                float[] w = new float[Simd.L];
                for (int i = 0; i < Simd.L; i++) w[i] = v[i] + v[i ^ d];
                v = w;
            }
            float expected = v[0];
            assertEquals(Float.floatToIntBits(expected), Float.floatToIntBits(Simd.sum(FloatVector.fromArray(Simd.F, x, 0))));
        });
    }

    /** The surefire runs at 256 and 512 bits really run the kernels at that width. */
    @Test
    void vectorWidthFollowsTheProperty() {
        String bits = System.getProperty(Simd.BITS_PROPERTY);
        int expected = bits == null ? FloatVector.SPECIES_PREFERRED.vectorBitSize() : Integer.parseInt(bits);
        assertEquals(expected, Simd.F.vectorBitSize());
        assertEquals(expected / 32, Simd.L);
        assertEquals(2 * Simd.L, PackedGemm.NR);
    }

    @Test
    void machineDescriptionNamesTheChoices() {
        String d = Gemm.machineDescription();
        org.junit.jupiter.api.Assertions.assertTrue(d.startsWith(Simd.F.vectorBitSize() + "-bit vectors"), d);
        org.junit.jupiter.api.Assertions.assertTrue(d.contains("kc " + GemmPlan.MACHINE.kc()), d);
    }
}
