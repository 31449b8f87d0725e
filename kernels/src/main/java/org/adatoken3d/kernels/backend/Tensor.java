package org.adatoken3d.kernels.backend;

/**
 * A buffer owned by a {@link Backend}: {@code rows × cols} values, row-major, f32 or (for positions) i32. Where it
 * lives (a Java array, device memory) is the backend's business; the host sees its contents only through
 * {@link Backend#read}. Operations take a row count, so one buffer allocated for the longest prompt serves shorter
 * ones and the rows left after pruning.
 */
public interface Tensor {
    int rows();

    int cols();
}
