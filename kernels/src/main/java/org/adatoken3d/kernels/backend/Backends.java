package org.adatoken3d.kernels.backend;

import org.adatoken3d.kernels.EngineArgumentException;
import java.util.ArrayList;
import java.util.List;
import java.util.ServiceLoader;

/** Finds backends by the {@code --device} syntax: {@code cpu} or {@code NAME[:INDEX]} of a registered provider. */
public final class Backends {
    private Backends() {}

    /** The registered providers, CPU first. */
    public static List<BackendProvider> providers() {
        List<BackendProvider> all = new ArrayList<>();
        all.add(new CpuProvider());
        for (BackendProvider p : ServiceLoader.load(BackendProvider.class)) all.add(p);
        return all;
    }

    /** Opens the backend {@code spec} names: {@code cpu}, {@code opencl}, {@code opencl:1}. */
    public static Backend open(String spec) {
        String name = spec, index = "0";
        int colon = spec.indexOf(':');
        if (colon >= 0) {
            name = spec.substring(0, colon);
            index = spec.substring(colon + 1);
        }
        int i;
        try {
            i = Integer.parseInt(index);
        } catch (NumberFormatException e) {
            throw new EngineArgumentException("device", spec + ": the device index must be a number, as in opencl:1");
        }
        List<String> known = new ArrayList<>();
        for (BackendProvider p : providers()) {
            known.add(p.name());
            if (!p.name().equals(name)) continue;
            List<String> devices = p.devices();
            if (devices.isEmpty()) {
                throw new EngineArgumentException("device", spec + ": no " + name + " device is usable: " + p.unavailableReason());
            }
            if (i < 0 || i >= devices.size()) {
                throw new EngineArgumentException("device", spec + ": " + name + " has devices 0.." + (devices.size() - 1)
                        + " (see ./adatoken3d devices)");
            }
            return p.open(i);
        }
        String hint = name.equals(TORNADO) && !known.contains(TORNADO) ? "; to get tornado, " + TORNADO_HINT : "";
        throw new EngineArgumentException("device", spec + ": unknown backend '" + name + "'; this build has " + String.join(", ", known) + hint);
    }

    /** The provider name of the optional module {@code kernels-tornado}. */
    public static final String TORNADO = "tornado";

    /** How to get the TornadoVM backend into a build made without it: its jars are not on Maven Central. */
    public static final String TORNADO_HINT = "install a TornadoVM SDK 5.2.x (JDK 25 build), set TORNADOVM_HOME and rebuild"
            + " (see kernels-tornado/README.md)";

    /** The Vector API backend: always present, one device. */
    private static final class CpuProvider implements BackendProvider {
        @Override
        public String name() {
            return "cpu";
        }

        @Override
        public List<String> devices() {
            return List.of(new CpuBackend().description());
        }

        @Override
        public String unavailableReason() {
            return null;
        }

        @Override
        public Backend open(int index) {
            return new CpuBackend();
        }
    }
}
