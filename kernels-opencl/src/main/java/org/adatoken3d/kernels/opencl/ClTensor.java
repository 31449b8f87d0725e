package org.adatoken3d.kernels.opencl;

import org.adatoken3d.kernels.backend.Tensor;
import org.jocl.cl_mem;

/** A device buffer of {@code rows × cols} f32 values, or i32 values when {@code ints}. */
record ClTensor(cl_mem mem, int rows, int cols, boolean ints) implements Tensor {
    long bytes() {
        return (long) rows * cols * 4;
    }
}
