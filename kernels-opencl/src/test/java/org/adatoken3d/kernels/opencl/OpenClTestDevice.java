package org.adatoken3d.kernels.opencl;

import static org.junit.jupiter.api.Assertions.fail;

import org.junit.jupiter.api.Assumptions;

/**
 * The device the OpenCL tests run on: {@code -Dadatoken3d.opencl.device=N} (default 0; on CI, PoCL). Without an
 * OpenCL device the tests fail under CI ({@code ./run-tests} installs PoCL when run as root) and otherwise say loudly
 * that they did not run.
 */
final class OpenClTestDevice {
    private OpenClTestDevice() {}

    static OpenClBackend open() {
        OpenClProvider provider = new OpenClProvider();
        if (provider.devices().isEmpty()) {
            String missing = provider.unavailableReason();
            if (System.getenv("CI") != null) fail("CI must run the OpenCL kernel tests, but " + missing);
            System.err.println("OPENCL TESTS DID NOT RUN: " + missing + " (./run-tests installs PoCL when run as root)");
            Assumptions.abort("OpenCL tests did not run: " + missing);
        }
        int index = Integer.getInteger("adatoken3d.opencl.device", 0);
        OpenClBackend backend = (OpenClBackend) provider.open(index);
        System.err.println("OpenCL tests on " + backend.description());
        return backend;
    }
}
