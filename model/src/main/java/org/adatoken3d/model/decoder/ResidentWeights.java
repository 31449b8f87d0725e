package org.adatoken3d.model.decoder;

import java.util.ArrayList;
import java.util.List;
import org.adatoken3d.kernels.backend.Backend;
import org.adatoken3d.kernels.backend.ResidentMatrix;
import org.adatoken3d.kernels.backend.Tensor;

/**
 * The decoder's weights made resident on its backend once, at load time: what every layer multiplies by. The token
 * embedding stays on the host (only single rows are ever looked up, and the host builds the input rows anyway).
 */
record ResidentWeights(List<Layer> layers, Tensor finalNorm, ResidentMatrix lmHead) {

    /** One layer's matrices, norms and (possibly null) biases on the backend. */
    record Layer(Tensor inputNorm, ResidentMatrix q, ResidentMatrix k, ResidentMatrix v, Tensor qBias, Tensor kBias,
                 Tensor vBias, ResidentMatrix o, Tensor oBias, Tensor postAttentionNorm, ResidentMatrix gate,
                 ResidentMatrix up, ResidentMatrix down, Tensor gateBias, Tensor upBias, Tensor downBias) {}

    static ResidentWeights upload(DecoderWeights weights, Backend backend) {
        List<Layer> layers = new ArrayList<>(weights.layers().size());
        for (LayerWeights w : weights.layers()) {
            layers.add(new Layer(backend.vector(w.inputNorm()), backend.resident(w.q()), backend.resident(w.k()),
                    backend.resident(w.v()), vector(backend, w.qBias()), vector(backend, w.kBias()), vector(backend, w.vBias()),
                    backend.resident(w.o()), vector(backend, w.oBias()), backend.vector(w.postAttentionNorm()),
                    backend.resident(w.gate()), backend.resident(w.up()), backend.resident(w.down()),
                    vector(backend, w.gateBias()), vector(backend, w.upBias()), vector(backend, w.downBias())));
        }
        return new ResidentWeights(List.copyOf(layers), backend.vector(weights.finalNorm()), backend.resident(weights.lmHead()));
    }

    private static Tensor vector(Backend backend, float[] values) {
        return values == null ? null : backend.vector(values);
    }
}
