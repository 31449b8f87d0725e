package org.adatoken3d.kernels.tornado;

import org.adatoken3d.kernels.WeightFormat;
import org.adatoken3d.kernels.backend.ResidentMatrix;

/** A resident weight matrix: F32 in the f32 pool, BF16 and F16 as stored in the 16-bit pool, from {@code offset}. */
record DeviceMatrix(int offset, WeightFormat format, int rows, int cols) implements ResidentMatrix {}
