package org.adatoken3d.kernels.tornado;

import org.adatoken3d.kernels.backend.BackendKernelsTest;

/**
 * The shared kernel tests on {@code --device tornado} (TornadoVM over OpenCL; here PoCL). The GEMM runs one work
 * item per output summing its products in order, which the shared γ_K bound covers as it covers any order.
 */
class TornadoKernelsTest extends BackendKernelsTest {
    @Override
    protected Device open() {
        TornadoBackend tv = TornadoTestDevice.open();
        return new Device(tv, tv::readInts);
    }

    /** No GELU kernel is written for TornadoVM: GELU-gated checkpoints are refused (TornadoBackend#geluMul). */
    @Override
    protected boolean runsGelu() {
        return false;
    }
}
