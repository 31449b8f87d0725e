package org.adatoken3d.kernels.tornado;

import org.adatoken3d.kernels.backend.Tensor;

/** A tensor as a range of the f32 pool or (positions) the i32 pool, from {@code offset}. */
record DeviceTensor(int offset, int rows, int cols, boolean ints) implements Tensor {
    long length() {
        return (long) rows * cols;
    }
}
