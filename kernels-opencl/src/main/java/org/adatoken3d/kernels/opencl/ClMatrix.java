package org.adatoken3d.kernels.opencl;

import org.adatoken3d.kernels.WeightFormat;
import org.adatoken3d.kernels.backend.ResidentMatrix;
import org.jocl.cl_mem;

/** A weight matrix copied to the device once, in its stored format (F32, F16 or BF16). */
record ClMatrix(cl_mem mem, WeightFormat format, int rows, int cols) implements ResidentMatrix {}
