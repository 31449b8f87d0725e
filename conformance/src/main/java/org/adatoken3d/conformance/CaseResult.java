package org.adatoken3d.conformance;

import java.util.List;

/**
 * The verdict on one fixture. A near-tie is neither pass nor fail: the oracle's own margin at a discrete decision
 * (keep-set cut, greedy argmax) was below the documented threshold and the implementation decided the other way.
 * A fixture error is neither either: the case itself is damaged (case.json, expected.safetensors), so it says
 * nothing about the implementation.
 */
public record CaseResult(String name, Verdict verdict, List<TensorError> errors, String message, String replay) {
    public enum Verdict {
        PASS,
        FAIL,
        TIE,
        FIXTURE
    }

    /** A case that could not be judged because the fixture itself is damaged. */
    public static CaseResult fixtureError(String name, String problem) {
        return new CaseResult(name, Verdict.FIXTURE, List.of(), "damaged fixture: " + problem, "");
    }

    /** Worst elementwise errors of one compared tensor. */
    public record TensorError(String tensor, double maxAbs, double maxRel, boolean withinTolerance) {}

    public double maxAbs(String tensor) {
        return errors.stream().filter(e -> e.tensor().equals(tensor)).mapToDouble(TensorError::maxAbs).max().orElse(Double.NaN);
    }
}
