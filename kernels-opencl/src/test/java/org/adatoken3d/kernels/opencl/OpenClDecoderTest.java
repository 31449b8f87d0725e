package org.adatoken3d.kernels.opencl;

import org.adatoken3d.conformance.BackendDecoderTest;
import org.adatoken3d.kernels.backend.Backend;

/** The whole decoder on {@code --device opencl} against the CPU backend (corpus and greedy stories260K). */
class OpenClDecoderTest extends BackendDecoderTest {
    @Override
    protected Backend open() {
        return OpenClTestDevice.open();
    }
}
