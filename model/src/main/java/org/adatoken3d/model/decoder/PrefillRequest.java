package org.adatoken3d.model.decoder;

import org.adatoken3d.pruning.GatePolicy;
import org.adatoken3d.pruning.QuerySet;

/**
 * What a prefill should do beyond running the prompt: where the spatial block is, how to gate it, which rows
 * the contribution is measured from, whether to record the contribution at every layer (calibration, analysis,
 * conformance), and which rows need logits.
 */
public record PrefillRequest(SpatialBlock spatial, GatePolicy gate, QuerySet query, boolean recordEveryLayer, Logits logits) {

    /** Rows that get logits: none, only the last prompt row (generation), or every surviving row (forward). */
    public enum Logits {
        NONE,
        LAST,
        ALL
    }

    public PrefillRequest {
        if (spatial == null && !(gate instanceof GatePolicy.NoPruning)) {
            throw new IllegalArgumentException("pruning needs a spatial block in the prompt");
        }
    }

    /** Gating {@code spatial} by {@code gate}, measured from the gate's own query rows; logits for the last row only. */
    public static PrefillRequest gated(SpatialBlock spatial, GatePolicy gate) {
        return new PrefillRequest(spatial, gate, gate.query(), false, Logits.LAST);
    }

    /** Plain text prompt, logits for the last row only. */
    public static PrefillRequest textOnly() {
        return new PrefillRequest(null, new GatePolicy.NoPruning(), QuerySet.LAST, false, Logits.LAST);
    }

    public boolean prunes() {
        return !(gate instanceof GatePolicy.NoPruning);
    }
}
