package org.adatoken3d.kernels;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;
import java.util.SplittableRandom;
import org.adatoken3d.testing.SeededCases;

/** Random weight matrices stored in each checkpoint format, with the exact f32 values they stand for. */
record TestWeights(WeightMatrix matrix, float[] values) {
    private static final ValueLayout.OfFloat F32 = ValueLayout.JAVA_FLOAT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
    private static final ValueLayout.OfShort I16 = ValueLayout.JAVA_SHORT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);

    /**
     * n × k values uniform in [-scale, scale), rounded to the format, written little-endian at a deliberately odd
     * byte offset of a larger segment (checkpoint tensors are not aligned).
     */
    static TestWeights random(SplittableRandom rnd, WeightFormat format, int n, int k, float scale) {
        float[] v = SeededCases.uniform(rnd, n * k, scale);
        int bytes = format == WeightFormat.F32 ? 4 : 2;
        MemorySegment whole = Arena.ofAuto().allocate((long) n * k * bytes + 3);
        MemorySegment seg = whole.asSlice(1 + rnd.nextInt(3), (long) n * k * bytes);
        for (int i = 0; i < v.length; i++) {
            long off = (long) i * bytes;
            switch (format) {
                case F32 -> seg.set(F32, off, v[i]);
                case BF16 -> {
                    short b = (short) (Float.floatToRawIntBits(v[i]) >>> 16);
                    seg.set(I16, off, b);
                    v[i] = Float.intBitsToFloat((b & 0xFFFF) << 16);
                }
                case F16 -> {
                    short h = Float.floatToFloat16(v[i]);
                    seg.set(I16, off, h);
                    v[i] = Float.float16ToFloat(h);
                }
                case Q8_0, Q4_0 -> throw new IllegalArgumentException(format + " is made by quantising a stored format");
            }
        }
        return new TestWeights(WeightMatrix.of(seg.asReadOnly(), format, n, k), v);
    }

    static WeightFormat storedFormat(SplittableRandom rnd) {
        WeightFormat[] stored = {WeightFormat.F32, WeightFormat.F16, WeightFormat.BF16};
        return stored[rnd.nextInt(stored.length)];
    }
}
