package org.adatoken3d.evaluation.calibration;

import org.adatoken3d.model.decoder.Decoder;
import org.adatoken3d.model.decoder.KvCache;
import org.adatoken3d.model.decoder.PrefillRequest;
import org.adatoken3d.model.decoder.PrefillResult;
import org.adatoken3d.model.generation.Prompt;
import org.adatoken3d.model.generation.Sampler;
import org.adatoken3d.pruning.GatePolicy;
import org.adatoken3d.pruning.KeepSet;

/**
 * How faithfully a pruned run follows the unpruned one: the next-token distributions along a reference
 * continuation (teacher-forced), compared by KL divergence, and the greedy tokens they pick.
 */
public final class Fidelity {
    private Fidelity() {}

    /** Logits at the last prompt row and after each reference token, {@code [steps][vocab]}, plus the keep-set. */
    public record Trace(float[][] logits, KeepSet keepSet) {}

    public static Trace trace(Decoder decoder, Prompt prompt, GatePolicy gate, int[] reference, long kvBudget) {
        int n = prompt.ids().length;
        KvCache cache = decoder.newCache(n + reference.length, kvBudget);
        PrefillRequest request = PrefillRequest.gated(prompt.spatial(), gate);
        PrefillResult p = decoder.prefill(prompt.embed(decoder), n, cache, request, null);
        float[][] logits = new float[reference.length][];
        logits[0] = p.lastLogits(decoder.config().vocabSize());
        for (int t = 1; t < reference.length; t++) logits[t] = decoder.decode(reference[t - 1], n + t - 1, cache);
        return new Trace(logits, p.keepSet());
    }

    /** Mean over steps of KL(p_reference ‖ p_candidate), in nats. */
    public static double meanKl(float[][] reference, float[][] candidate) {
        double sum = 0;
        for (int t = 0; t < reference.length; t++) sum += kl(softmax(reference[t]), softmax(candidate[t]));
        return sum / reference.length;
    }

    /** Fraction of steps whose argmax equals the reference's. */
    public static double top1Agreement(float[][] reference, float[][] candidate) {
        int same = 0;
        for (int t = 0; t < reference.length; t++) {
            if (Sampler.argmax(reference[t]) == Sampler.argmax(candidate[t])) same++;
        }
        return (double) same / reference.length;
    }

    static double kl(double[] p, double[] q) {
        double s = 0;
        for (int i = 0; i < p.length; i++) if (p[i] > 0) s += p[i] * (Math.log(p[i]) - Math.log(Math.max(q[i], 1e-300)));
        return Math.max(0, s);
    }

    static double[] softmax(float[] logits) {
        double max = Double.NEGATIVE_INFINITY;
        for (float v : logits) max = Math.max(max, v);
        double[] p = new double[logits.length];
        double sum = 0;
        for (int i = 0; i < p.length; i++) sum += p[i] = Math.exp(logits[i] - max);
        for (int i = 0; i < p.length; i++) p[i] /= sum;
        return p;
    }
}
