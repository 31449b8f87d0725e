package org.adatoken3d.model;

/**
 * The computation produced values that are not numbers (NaN or an infinity) where the engine needs finite ones:
 * logits to choose a token from, attention to rank spatial tokens by. Not a caller's argument (those are refused
 * before any work as {@link org.adatoken3d.kernels.EngineArgumentException}): it comes from the weights or from
 * an overflow, and going on would only produce garbage text.
 */
public final class NumericalFailure extends IllegalStateException {
    public NumericalFailure(String message) {
        super(message);
    }

    /** Throws unless every value is finite; {@code what} names them in the message ("the logits at position 7"). */
    public static void checkFinite(float[] values, String what) {
        for (int i = 0; i < values.length; i++) {
            if (!Float.isFinite(values[i])) {
                throw new NumericalFailure(what + " are not finite (value " + i + " is " + values[i]
                        + "): the model's weights or inputs hold NaN or infinite values, or the computation overflowed");
            }
        }
    }
}
