package org.adatoken3d.kernels.backend;

/**
 * One layer's KV cache on a backend: keys and values head-major {@code [kvHeads · capacity][headDim]}, and the
 * position of each cached row.
 */
public record KvLayer(Tensor keys, Tensor values, Tensor positions, int kvHeads, int capacity) {
    public int headDim() {
        return keys.cols();
    }
}
