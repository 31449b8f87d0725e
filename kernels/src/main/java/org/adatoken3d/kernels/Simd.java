package org.adatoken3d.kernels;

import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;
import jdk.incubator.vector.ByteVector;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.IntVector;
import jdk.incubator.vector.ShortVector;
import jdk.incubator.vector.VectorShape;
import jdk.incubator.vector.VectorShuffle;
import jdk.incubator.vector.VectorSpecies;

/** The vector shapes every kernel uses, chosen once for this CPU, and the little-endian layouts of stored data. */
final class Simd {
    static final VectorSpecies<Float> F = FloatVector.SPECIES_PREFERRED;
    /** Float lanes per vector: 16 with AVX-512. */
    static final int L = F.length();
    static final VectorSpecies<Integer> I = IntVector.SPECIES_PREFERRED;
    /** Half-width shorts: one lane per float lane, for widening conversions. */
    static final VectorSpecies<Short> S_HALF = ShortVector.SPECIES_PREFERRED.withShape(VectorShape.forBitSize(L * 16));
    /** Quarter-width bytes: one lane per float lane (null when the CPU's vectors are too narrow for that). */
    static final VectorSpecies<Byte> B_QUARTER = L * 8 >= 64 ? ByteVector.SPECIES_64.withShape(VectorShape.forBitSize(L * 8)) : null;

    static final ByteOrder LE = ByteOrder.LITTLE_ENDIAN;
    static final ValueLayout.OfFloat F32_LE = ValueLayout.JAVA_FLOAT_UNALIGNED.withOrder(LE);
    static final ValueLayout.OfShort I16_LE = ValueLayout.JAVA_SHORT_UNALIGNED.withOrder(LE);

    private static final VectorShuffle<Float> SWAP8 = VectorShuffle.fromOp(F, i -> i ^ 8), SWAP4 = VectorShuffle.fromOp(F, i -> i ^ 4),
            SWAP2 = VectorShuffle.fromOp(F, i -> i ^ 2), SWAP1 = VectorShuffle.fromOp(F, i -> i ^ 1);

    private Simd() {}

    /**
     * The sum of the lanes in a fixed order (a halving tree). {@code reduceLanes(ADD)} may add in any order, and
     * does: C2's order differs from the interpreter's, so a dot product changed in its last bit once the JIT
     * compiled the caller. This one gives the same bits everywhere.
     */
    static float sum(FloatVector v) {
        if (L == 16) {
            v = v.add(v.rearrange(SWAP8));
            v = v.add(v.rearrange(SWAP4));
            v = v.add(v.rearrange(SWAP2));
            v = v.add(v.rearrange(SWAP1));
            return v.lane(0);
        }
        float s = 0;
        for (float x : v.toArray()) s += x;
        return s;
    }
}
