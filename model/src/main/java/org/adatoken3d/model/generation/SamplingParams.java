package org.adatoken3d.model.generation;

import org.adatoken3d.kernels.EngineArgumentException;
import java.util.List;

/**
 * How the next token is chosen. Temperature 0 is greedy decoding (the setting for comparisons); topK 0 and
 * topP 1 disable those filters; repetitionPenalty 1 disables it.
 */
public record SamplingParams(double temperature, int topK, double topP, double repetitionPenalty, long seed, List<String> stopStrings) {
    public SamplingParams {
        // Written as negated ranges so that NaN, which fails every comparison, is refused too.
        if (!(temperature >= 0 && temperature < Double.POSITIVE_INFINITY)) {
            throw new EngineArgumentException("temperature", "must be a finite number >= 0, got " + temperature);
        }
        if (topK < 0) throw new EngineArgumentException("topK", "must be >= 0, got " + topK);
        if (!(topP > 0 && topP <= 1)) throw new EngineArgumentException("topP", "must be in (0, 1], got " + topP);
        if (!(repetitionPenalty > 0 && repetitionPenalty < Double.POSITIVE_INFINITY)) {
            throw new EngineArgumentException("repetitionPenalty", "must be a finite number > 0, got " + repetitionPenalty);
        }
        stopStrings = List.copyOf(stopStrings);
    }

    public static SamplingParams greedy() {
        return new SamplingParams(0, 0, 1, 1, 0, List.of());
    }

    public boolean isGreedy() {
        return temperature == 0;
    }
}
