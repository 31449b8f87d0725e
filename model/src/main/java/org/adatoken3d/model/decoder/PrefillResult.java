package org.adatoken3d.model.decoder;

import java.util.List;
import org.adatoken3d.pruning.Contribution;
import org.adatoken3d.pruning.KeepSet;

/**
 * What a prefill leaves behind besides the filled KV cache.
 *
 * @param positions original positions of the rows that reached the last layer (all prompt rows unless pruned)
 * @param hidden final-normed hidden states of those rows, {@code [positions.length][hidden]}, or null when
 *     logits were asked for the last row only
 * @param logits {@code [rows][vocab]} for the rows asked for (the last row, or all of {@code positions})
 * @param contributions per layer the attention spatial tokens received (null where not measured); at layers at
 *     and above the gate it covers only the kept tokens, in their order
 * @param keepSet the gate's decision, or null without pruning
 * @param tokensPerLayer how many rows each layer processed
 */
public record PrefillResult(
        int[] positions,
        float[] hidden,
        float[] logits,
        List<Contribution> contributions,
        KeepSet keepSet,
        int[] tokensPerLayer) {

    /** Logits of the last prompt row. */
    public float[] lastLogits(int vocab) {
        int rows = logits.length / vocab;
        float[] last = new float[vocab];
        System.arraycopy(logits, (rows - 1) * vocab, last, 0, vocab);
        return last;
    }
}
