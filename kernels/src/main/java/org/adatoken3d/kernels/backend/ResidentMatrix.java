package org.adatoken3d.kernels.backend;

/**
 * A weight matrix W[rows][cols] made resident on a {@link Backend} once, at load time, in its stored format.
 * {@link Backend#gemm} multiplies by its transpose.
 */
public interface ResidentMatrix {
    int rows();

    int cols();
}
