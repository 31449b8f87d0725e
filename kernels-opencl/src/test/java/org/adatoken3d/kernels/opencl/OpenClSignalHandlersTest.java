package org.adatoken3d.kernels.opencl;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.MethodHandle;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.adatoken3d.kernels.WeightFormat;
import org.adatoken3d.kernels.WeightMatrix;
import org.adatoken3d.kernels.backend.Tensor;
import org.junit.jupiter.api.Test;

/**
 * The OpenCL runtime shares the process with the JVM. The signals the JVM takes in normal work (SIGSEGV for
 * safepoint polls and implicit null checks, SIGBUS, SIGFPE, SIGILL) must still reach the JVM's handler after the
 * device scan and program builds: PoCL's LLVM installs one-shot handlers of its own for them, and two Java threads
 * faulting at once (a GC safepoint) then kill the process with "Segmentation fault".
 */
class OpenClSignalHandlersTest {
    private static final Map<String, Integer> FAULT_SIGNALS = Map.of("SIGILL", 4, "SIGBUS", 7, "SIGFPE", 8, "SIGSEGV", 11);

    @Test
    void faultSignalsStayWithTheJvmAfterTheDeviceScanAndProgramBuilds() throws Throwable {
        try (OpenClBackend cl = OpenClTestDevice.open()) { // the scan, and layer.cl built
            for (WeightFormat format : new WeightFormat[] {WeightFormat.F32, WeightFormat.F16}) { // gemm.cl, built twice
                int bytes = format == WeightFormat.F32 ? 4 : 2;
                MemorySegment w = Arena.ofAuto().allocate(4L * bytes);
                Tensor a = cl.allocate(1, 2), c = cl.allocate(1, 2);
                cl.gemm(a, 1, cl.resident(WeightMatrix.of(w, format, 2, 2)), c);
                float[] out = new float[2];
                cl.read(c, 0, 1, out);
                assertEquals(0f, out[0] + out[1], 0f, "zero weights times a zero row, " + format);
            }
        }
        List<String> taken = new ArrayList<>();
        for (var e : FAULT_SIGNALS.entrySet()) {
            String owner = handlerLibrary(e.getValue());
            if (!owner.endsWith("/libjvm.so")) taken.add(e.getKey() + " -> " + owner);
        }
        assertTrue(taken.isEmpty(), "signal handlers no longer the JVM's: " + taken);
    }

    /** The shared object that holds the handler installed for {@code signal} (glibc on Linux x86-64/aarch64). */
    private static String handlerLibrary(int signal) throws Throwable {
        Linker linker = Linker.nativeLinker();
        MethodHandle sigaction = linker.downcallHandle(linker.defaultLookup().find("sigaction").orElseThrow(),
                FunctionDescriptor.of(ValueLayout.JAVA_INT, ValueLayout.JAVA_INT, ValueLayout.ADDRESS, ValueLayout.ADDRESS));
        MethodHandle dladdr = linker.downcallHandle(linker.defaultLookup().find("dladdr").orElseThrow(),
                FunctionDescriptor.of(ValueLayout.JAVA_INT, ValueLayout.ADDRESS, ValueLayout.ADDRESS));
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment action = arena.allocate(256, 8), info = arena.allocate(32, 8); // struct sigaction, Dl_info
            assertEquals(0, (int) sigaction.invokeExact(signal, MemorySegment.NULL, action), "sigaction(" + signal + ")");
            long handler = action.get(ValueLayout.JAVA_LONG, 0);
            if ((int) dladdr.invokeExact(MemorySegment.ofAddress(handler), info) == 0) return "0x" + Long.toHexString(handler);
            return info.get(ValueLayout.ADDRESS, 0).reinterpret(4096).getString(0);
        }
    }
}
