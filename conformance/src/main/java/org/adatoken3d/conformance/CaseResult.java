package org.adatoken3d.conformance;

import java.util.List;

/**
 * The verdict on one fixture. A near-tie is neither pass nor fail: the oracle's own margin at a discrete decision
 * (keep-set cut, greedy argmax) was below the documented threshold and the implementation decided the other way.
 */
public record CaseResult(String name, Verdict verdict, List<TensorError> errors, String message, String replay) {
    public enum Verdict {
        PASS,
        FAIL,
        TIE
    }

    /** Worst elementwise errors of one compared tensor. */
    public record TensorError(String tensor, double maxAbs, double maxRel, boolean withinTolerance) {}

    public double maxAbs(String tensor) {
        return errors.stream().filter(e -> e.tensor().equals(tensor)).mapToDouble(TensorError::maxAbs).max().orElse(Double.NaN);
    }
}
