package org.adatoken3d.cli;

import org.adatoken3d.pruning.PruningProfile;

/** The human-readable view of a pruning profile. */
final class ProfilePrinter {
    private ProfilePrinter() {}

    static void print(PruningProfile p) {
        System.out.printf("layer  spatial share S  redundancy R(%.2f)  rank stability%n", p.redundancyTau());
        for (PruningProfile.LayerProfile l : p.perLayer()) {
            System.out.printf("%5d  %15.4f  %17.3f  %14s%n", l.layer(), l.spatialShare(), l.redundancy(),
                    Double.isNaN(l.stability()) ? "-" : String.format("%.3f", l.stability()));
        }
        System.out.printf("chosen: gate after layer %d (K=%d), tau=%.3f, query %s%s%n", p.gateLayer() - 1, p.gateLayer(), p.tau(),
                p.query().spec(), p.stableGate() ? "" : " (no layer reached the stability bound; the most stable one was used)");
        System.out.printf("target %s %.3f: achieved %.3f%s; predicted prefill FLOPs saving %.1f%% over %d inputs%n",
                p.targetMetric().spec(), p.target(), p.achieved(), p.targetMet() ? "" : " (NOT met)", 100 * p.predictedFlopsSaving(), p.inputs());
    }
}
