package org.adatoken3d.model.decoder;

import org.adatoken3d.kernels.WeightMatrix;

/**
 * One decoder layer's weights, used in place from the mapped checkpoint. Biases are null where the config has
 * none: Qwen2 has q/k/v biases; LLaMA has q/k/v/o biases with {@code attention_bias} and MLP biases with
 * {@code mlp_bias}.
 */
public record LayerWeights(
        float[] inputNorm,
        WeightMatrix q,
        WeightMatrix k,
        WeightMatrix v,
        float[] qBias,
        float[] kBias,
        float[] vBias,
        WeightMatrix o,
        float[] oBias,
        float[] postAttentionNorm,
        WeightMatrix gate,
        WeightMatrix up,
        WeightMatrix down,
        float[] gateBias,
        float[] upBias,
        float[] downBias) {}
