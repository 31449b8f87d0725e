package org.adatoken3d.model.generation;

import java.util.Arrays;
import java.util.SplittableRandom;

/** Picks the next token from logits: greedy, or seeded sampling with temperature, top-k and top-p. */
public final class Sampler {
    private final SamplingParams params;
    private final SplittableRandom random;

    public Sampler(SamplingParams params) {
        this.params = params;
        this.random = new SplittableRandom(params.seed());
    }

    /**
     * Chooses a token. {@code history} holds the ids the repetition penalty applies to (prompt and generated so
     * far, as Hugging Face does). {@code logits} is modified.
     */
    public int next(float[] logits, int[] history, int historyLength) {
        if (params.repetitionPenalty() != 1) {
            boolean[] seen = new boolean[logits.length];
            for (int i = 0; i < historyLength; i++) {
                int id = history[i];
                if (id < 0 || id >= logits.length || seen[id]) continue;
                seen[id] = true;
                // Dividing a negative logit would raise it, so negative ones are multiplied instead (as HF does).
                logits[id] = logits[id] > 0 ? (float) (logits[id] / params.repetitionPenalty()) : (float) (logits[id] * params.repetitionPenalty());
            }
        }
        if (params.isGreedy()) return argmax(logits);
        return sample(logits);
    }

    /** Index of the largest logit; the lowest index wins ties, so greedy decoding is deterministic. */
    public static int argmax(float[] logits) {
        int best = 0;
        for (int i = 1; i < logits.length; i++) {
            if (logits[i] > logits[best]) best = i;
        }
        return best;
    }

    private int sample(float[] logits) {
        int v = logits.length;
        Integer[] order = new Integer[v];
        for (int i = 0; i < v; i++) order[i] = i;
        Arrays.sort(order, (a, b) -> Float.compare(logits[b], logits[a]) != 0 ? Float.compare(logits[b], logits[a]) : Integer.compare(a, b));
        int keep = params.topK() > 0 ? Math.min(params.topK(), v) : v;
        double max = logits[order[0]];
        double[] p = new double[keep];
        double sum = 0;
        for (int i = 0; i < keep; i++) {
            p[i] = Math.exp((logits[order[i]] - max) / params.temperature());
            sum += p[i];
        }
        // top-p: the smallest prefix of the sorted distribution whose mass reaches topP.
        double cumulative = 0;
        int cut = keep;
        for (int i = 0; i < keep; i++) {
            cumulative += p[i] / sum;
            if (cumulative >= params.topP()) {
                cut = i + 1;
                break;
            }
        }
        double mass = 0;
        for (int i = 0; i < cut; i++) mass += p[i];
        double u = random.nextDouble() * mass;
        for (int i = 0; i < cut; i++) {
            u -= p[i];
            if (u <= 0) return order[i];
        }
        return order[cut - 1];
    }
}
