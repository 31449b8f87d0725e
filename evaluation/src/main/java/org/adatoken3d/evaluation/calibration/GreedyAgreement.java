package org.adatoken3d.evaluation.calibration;

/** How far a pruned run's greedy tokens follow the unpruned run's, as calibration's agreement target measures it. */
public final class GreedyAgreement {
    private GreedyAgreement() {}

    /** Fraction of greedy tokens equal to the reference, position by position, up to the first divergence. */
    public static double of(int[] reference, int[] candidate) {
        int same = 0;
        while (same < reference.length && same < candidate.length && reference[same] == candidate[same]) same++;
        return reference.length == 0 ? 1 : (double) same / reference.length;
    }
}
