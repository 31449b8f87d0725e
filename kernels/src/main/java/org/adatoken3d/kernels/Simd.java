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

/**
 * The vector shapes every kernel uses, chosen once per process, and the little-endian layouts of stored data.
 *
 * <p>The width is the CPU's preferred one (512 bits with AVX-512, 256 with AVX2, 128 with NEON) unless the system
 * property {@value #BITS_PROPERTY} names another (128, 256 or 512): tests run every kernel at 256 bits on an
 * AVX-512 machine that way, and at 512 on an AVX2 one (where the JDK emulates the wider vectors: correct, slow).
 */
final class Simd {
    static final String BITS_PROPERTY = "adatoken3d.vector.bits";
    static final VectorSpecies<Float> F = FloatVector.SPECIES_PREFERRED.withShape(VectorShape.forBitSize(chosenBits()));
    /** Float lanes per vector: 16 with AVX-512, 8 with AVX2. */
    static final int L = F.length();
    static final VectorSpecies<Integer> I = IntVector.SPECIES_PREFERRED.withShape(F.vectorShape());
    /** Half-width shorts: one lane per float lane, for widening conversions. */
    static final VectorSpecies<Short> S_HALF = ShortVector.SPECIES_64.withShape(VectorShape.forBitSize(L * 16));
    /** Quarter-width bytes: one lane per float lane (null when the vectors are too narrow for that). */
    static final VectorSpecies<Byte> B_QUARTER = L * 8 >= 64 ? ByteVector.SPECIES_64.withShape(VectorShape.forBitSize(L * 8)) : null;
    /**
     * Vector registers the register-blocked kernels may plan for: AVX-512 and Arm have 32, AVX2 has 16. With a
     * width forced below the native one, x86 still has 32 with AVX-512 (its 256-bit ops use them all).
     */
    static final int REGISTERS = FloatVector.SPECIES_PREFERRED.vectorBitSize() >= 512 || !isX86() ? 32 : 16;

    static final ByteOrder LE = ByteOrder.LITTLE_ENDIAN;
    static final ValueLayout.OfFloat F32_LE = ValueLayout.JAVA_FLOAT_UNALIGNED.withOrder(LE);
    static final ValueLayout.OfShort I16_LE = ValueLayout.JAVA_SHORT_UNALIGNED.withOrder(LE);

    private static final VectorShuffle<Float> SWAP8 = swap(8), SWAP4 = swap(4), SWAP2 = swap(2), SWAP1 = swap(1);

    private Simd() {}

    private static int chosenBits() {
        String p = System.getProperty(BITS_PROPERTY);
        if (p == null || p.isBlank()) return FloatVector.SPECIES_PREFERRED.vectorBitSize();
        return switch (p.trim()) {
            case "128" -> 128;
            case "256" -> 256;
            case "512" -> 512;
            default -> throw new IllegalArgumentException("-D" + BITS_PROPERTY + "=" + p + ": the vector width must be 128, 256 or 512");
        };
    }

    private static boolean isX86() {
        String arch = System.getProperty("os.arch", "");
        return arch.equals("amd64") || arch.equals("x86_64") || arch.equals("x86");
    }

    /** Lane i takes lane i ^ d; the identity where d is not below the lane count (that stage is skipped). */
    private static VectorShuffle<Float> swap(int d) {
        return VectorShuffle.fromOp(F, i -> d < L ? i ^ d : i);
    }

    /**
     * The sum of the lanes in a fixed order: a halving tree (lane i plus lane i ^ L/2, then ^ L/4, ... ^ 1).
     * {@code reduceLanes(ADD)} may add in any order, and does: C2's order differs from the interpreter's, so a dot
     * product changed in its last bit once the JIT compiled the caller. This one gives the same bits everywhere.
     */
    static float sum(FloatVector v) {
        if (L > 16) { // wider than any x86 vector (SVE): in lane order
            float s = 0;
            for (float x : v.toArray()) s += x;
            return s;
        }
        if (L >= 16) v = v.add(v.rearrange(SWAP8));
        if (L >= 8) v = v.add(v.rearrange(SWAP4));
        if (L >= 4) v = v.add(v.rearrange(SWAP2));
        if (L >= 2) v = v.add(v.rearrange(SWAP1));
        return v.lane(0);
    }
}
