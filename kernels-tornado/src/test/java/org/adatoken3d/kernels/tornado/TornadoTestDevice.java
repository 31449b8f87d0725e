package org.adatoken3d.kernels.tornado;

import static org.junit.jupiter.api.Assertions.fail;

/**
 * The device the TornadoVM tests run on: {@code -Dadatoken3d.tornado.device=N} (default 0; here, PoCL). This module
 * builds only with a TornadoVM SDK, so a missing device is a failure, never a skip.
 */
final class TornadoTestDevice {
    private TornadoTestDevice() {}

    static TornadoBackend open() {
        TornadoProvider provider = new TornadoProvider();
        if (provider.devices().isEmpty()) fail("the TornadoVM tests need a device, but " + provider.unavailableReason());
        if (!"False".equalsIgnoreCase(System.getProperty("tornado.recover.bailout"))) {
            fail("run with -Dtornado.recover.bailout=False, so that a kernel TornadoVM cannot compile fails instead of running as Java");
        }
        TornadoBackend backend = (TornadoBackend) provider.open(Integer.getInteger("adatoken3d.tornado.device", 0));
        System.err.println("TornadoVM tests on " + backend.description());
        return backend;
    }
}
