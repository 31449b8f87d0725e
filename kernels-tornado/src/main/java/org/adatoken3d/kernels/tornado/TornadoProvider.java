package org.adatoken3d.kernels.tornado;

import java.util.ArrayList;
import java.util.List;
import org.adatoken3d.kernels.backend.Backend;
import org.adatoken3d.kernels.backend.BackendProvider;
import uk.ac.manchester.tornado.api.TornadoExecutionPlan;
import uk.ac.manchester.tornado.api.common.TornadoDevice;

/**
 * {@code --device tornado[:N]}: every device of every TornadoVM backend the SDK was built with, in TornadoVM's own
 * order (backend, then device). TornadoVM starts only in a JVM launched with the SDK's {@code tornado-argfile};
 * elsewhere the provider lists no device and says how to enable it.
 */
public final class TornadoProvider implements BackendProvider {
    private List<TornadoDevice> devices;
    private String unavailable;

    @Override
    public String name() {
        return "tornado";
    }

    @Override
    public List<String> devices() {
        List<String> names = new ArrayList<>();
        for (TornadoDevice d : found()) {
            names.add(d.getPhysicalDevice().getDeviceName().trim() + " (" + d.getPlatformName().trim() + ", TornadoVM "
                    + d.getTornadoVMBackend() + ")");
        }
        return names;
    }

    @Override
    public String unavailableReason() {
        found();
        return unavailable;
    }

    @Override
    public Backend open(int index) {
        List<TornadoDevice> all = found();
        if (index < 0 || index >= all.size()) {
            throw new IllegalArgumentException("--device tornado:" + index + ": TornadoVM has " + all.size() + " devices"
                    + (unavailable == null ? "" : ": " + unavailable));
        }
        return new TornadoBackend(all.get(index), index);
    }

    private synchronized List<TornadoDevice> found() {
        if (devices != null) return devices;
        List<TornadoDevice> all = new ArrayList<>();
        try {
            for (uk.ac.manchester.tornado.api.TornadoBackend b : TornadoExecutionPlan.getTornadoDeviceMap().getAllBackends()) all.addAll(b.getAllDevices());
            if (all.isEmpty()) unavailable = "TornadoVM found no device (is an OpenCL driver such as PoCL installed?)";
        } catch (LinkageError | RuntimeException e) {
            // Without the argfile the runtime classes, JVMCI or TornadoVM's native library are missing.
            unavailable = "TornadoVM's runtime did not start (" + firstLine(e) + "); run the JVM with @$TORNADOVM_HOME/tornado-argfile";
        }
        devices = all;
        return devices;
    }

    private static String firstLine(Throwable e) {
        Throwable root = e;
        while (root.getCause() != null) root = root.getCause();
        String m = root.getClass().getSimpleName() + (root.getMessage() == null ? "" : ": " + root.getMessage());
        int nl = m.indexOf('\n');
        return nl < 0 ? m : m.substring(0, nl);
    }
}
