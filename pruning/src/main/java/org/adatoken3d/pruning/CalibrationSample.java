package org.adatoken3d.pruning;

import java.util.ArrayList;
import java.util.List;

/**
 * One calibration input, run without pruning: its prompt length (text and spatial tokens; the FLOPs model needs
 * it) and the {@link LayerStats} of every layer 0..L−1, in order, all over the same N spatial tokens.
 */
public record CalibrationSample(int promptTokens, List<LayerStats> layers) {

    public CalibrationSample {
        if (layers == null || layers.isEmpty()) throw new IllegalArgumentException("calibration sample has no layers");
        layers = List.copyOf(layers);
        int n = layers.getFirst().size();
        for (int l = 0; l < layers.size(); l++) {
            LayerStats s = layers.get(l);
            if (s.layer() != l) {
                throw new IllegalArgumentException("calibration sample: entry " + l + " holds layer " + s.layer()
                        + "; layers must be listed 0..L-1 in order");
            }
            if (s.size() != n) {
                throw new IllegalArgumentException("calibration sample: layer " + l + " has " + s.size()
                        + " spatial tokens, layer 0 has " + n);
            }
        }
        if (promptTokens < n) {
            throw new IllegalArgumentException("calibration sample: prompt of " + promptTokens + " tokens cannot hold "
                    + n + " spatial tokens");
        }
    }

    /**
     * The sample of an unpruned prefill that measured the contribution at every layer ({@code contributions.get(l)}
     * for layer l).
     */
    public static CalibrationSample of(int promptTokens, List<Contribution> contributions) {
        List<LayerStats> layers = new ArrayList<>();
        for (int l = 0; l < contributions.size(); l++) layers.add(LayerStats.of(l, contributions.get(l)));
        return new CalibrationSample(promptTokens, layers);
    }

    /** N. */
    public int spatialTokens() {
        return layers.getFirst().size();
    }

    public LayerStats layer(int l) {
        return layers.get(l);
    }
}
