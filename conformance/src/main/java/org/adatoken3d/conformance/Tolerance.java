package org.adatoken3d.conformance;

/** Elementwise bound |actual − expected| ≤ atol + rtol·|expected|, as numpy.allclose reads it. */
public record Tolerance(double atol, double rtol) {
    public boolean accepts(double expected, double actual) {
        return Math.abs(actual - expected) <= atol + rtol * Math.abs(expected);
    }
}
