package org.adatoken3d.kernels.opencl;

import java.util.List;
import org.adatoken3d.kernels.backend.Backend;
import org.adatoken3d.kernels.backend.BackendProvider;

/** {@code --device opencl[:N]}: every device of every OpenCL platform the ICD loader finds. */
public final class OpenClProvider implements BackendProvider {
    private List<OpenClDevice> devices;
    private String reason;

    @Override
    public String name() {
        return "opencl";
    }

    @Override
    public synchronized List<String> devices() {
        return scan().stream().map(OpenClDevice::describe).toList();
    }

    @Override
    public synchronized String unavailableReason() {
        scan();
        return reason;
    }

    @Override
    public synchronized Backend open(int index) {
        List<OpenClDevice> found = scan();
        if (index < 0 || index >= found.size()) {
            throw new IllegalArgumentException("OpenCL device " + index + " does not exist (" + found.size() + " found"
                    + (reason == null ? "" : ": " + reason) + ")");
        }
        return new OpenClBackend(found.get(index), index);
    }

    private List<OpenClDevice> scan() {
        if (devices != null) return devices;
        try {
            devices = OpenClDevice.all();
            if (devices.isEmpty()) reason = "no OpenCL platform reports a device";
        } catch (LinkageError | RuntimeException e) {
            // No libOpenCL (UnsatisfiedLinkError) or no platform (CL_PLATFORM_NOT_FOUND_KHR from the ICD loader).
            devices = List.of();
            reason = "no OpenCL runtime (" + e.getMessage() + "); install an OpenCL driver, e.g. Debian's pocl-opencl-icd and "
                    + "ocl-icd-libopencl1 for CPUs, or the GPU vendor's";
        }
        return devices;
    }
}
