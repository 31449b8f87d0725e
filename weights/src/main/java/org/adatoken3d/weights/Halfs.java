package org.adatoken3d.weights;

/**
 * Conversions between float and the two 16-bit float formats checkpoints use. BF16 is the upper half of an IEEE
 * float32; F16 is IEEE binary16, which the JDK converts itself.
 */
public final class Halfs {
    private Halfs() {}

    /** Exact: every bf16 value is a float32 with the low 16 bits zero. */
    public static float bf16ToFloat(short bits) {
        return Float.intBitsToFloat((bits & 0xFFFF) << 16);
    }

    /**
     * Rounds to the nearest bf16, ties to even (as PyTorch does). NaN stays NaN: truncating a NaN whose payload
     * lives only in the low bits would give infinity, so the quiet bit is forced on.
     */
    public static short floatToBf16(float value) {
        int bits = Float.floatToRawIntBits(value);
        if (Float.isNaN(value)) {
            return (short) ((bits >>> 16) | 0x0040);
        }
        int roundingBias = 0x7FFF + ((bits >>> 16) & 1);
        return (short) ((bits + roundingBias) >>> 16);
    }

    public static float f16ToFloat(short bits) {
        return Float.float16ToFloat(bits);
    }

    /** Rounds to the nearest binary16, ties to even. */
    public static short floatToF16(float value) {
        return Float.floatToFloat16(value);
    }
}
