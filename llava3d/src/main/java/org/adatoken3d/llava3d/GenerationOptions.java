package org.adatoken3d.llava3d;

import org.adatoken3d.kernels.EngineArgumentException;
import org.adatoken3d.model.generation.SamplingParams;

/**
 * How {@link Llava3d#ask} generates the answer.
 *
 * @param sampling greedy (the setting for comparisons) or seeded sampling
 * @param maxTokens most answer tokens
 * @param stopAtEos stop at the tokenizer's end-of-sequence token; false generates exactly {@code maxTokens}
 *     tokens (agreement and fidelity runs compare sequences of one length)
 */
public record GenerationOptions(SamplingParams sampling, int maxTokens, boolean stopAtEos) {
    public GenerationOptions {
        if (sampling == null) throw new EngineArgumentException("sampling", "must be given");
        if (maxTokens < 0) throw new EngineArgumentException("maxTokens", "must be >= 0, got " + maxTokens);
    }

    public GenerationOptions(SamplingParams sampling, int maxTokens) {
        this(sampling, maxTokens, true);
    }

    /** Greedy decoding up to {@code maxTokens} tokens, stopping at EOS. */
    public static GenerationOptions greedy(int maxTokens) {
        return new GenerationOptions(SamplingParams.greedy(), maxTokens, true);
    }

    /** Greedy decoding of exactly {@code tokens} tokens, EOS or not. */
    public static GenerationOptions exactly(int tokens) {
        return new GenerationOptions(SamplingParams.greedy(), tokens, false);
    }
}
