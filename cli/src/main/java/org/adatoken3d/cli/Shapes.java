package org.adatoken3d.cli;

import org.adatoken3d.pruning.DecoderShape;
import org.adatoken3d.weights.ModelConfig;

/** The FLOPs model's view of a config. */
final class Shapes {
    private Shapes() {}

    static DecoderShape of(ModelConfig c) {
        return new DecoderShape(c.hiddenSize(), c.intermediateSize(), c.numLayers(), c.numHeads(), c.numKvHeads(), c.headDim(),
                c.vocabSize(), true);
    }
}
