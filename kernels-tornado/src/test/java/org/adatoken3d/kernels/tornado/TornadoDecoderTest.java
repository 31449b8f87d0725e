package org.adatoken3d.kernels.tornado;

import org.adatoken3d.conformance.BackendDecoderTest;
import org.adatoken3d.kernels.backend.Backend;

/** The whole decoder on {@code --device tornado} against the CPU backend (corpus and greedy stories260K). */
class TornadoDecoderTest extends BackendDecoderTest {
    @Override
    protected Backend open() {
        return TornadoTestDevice.open();
    }
}
