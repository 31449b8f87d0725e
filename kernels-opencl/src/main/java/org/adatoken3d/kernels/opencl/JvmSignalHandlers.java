package org.adatoken3d.kernels.opencl;

import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.MethodHandle;

/**
 * Keeps the JVM's signal handlers in place while an OpenCL runtime with an in-process LLVM shares the process.
 *
 * <p>PoCL's device initialisation (the first {@code clGetDeviceIDs}) makes LLVM register its crash handlers for
 * SIGSEGV, SIGBUS, SIGFPE, SIGILL, SIGINT, SIGTERM, SIGQUIT, SIGUSR2 and more over the JVM's, and LLVM registers
 * them again at the next program build once its handler has run. The JVM takes SIGSEGV as part of normal work
 * (safepoint polls, implicit null checks), and LLVM installs its handler one-shot ({@code SA_RESETHAND}): when two
 * Java threads fault together, as they do when a GC safepoint finds both in compiled loops, the second meets the
 * default action and the process dies with "Segmentation fault" and no hs_err file. So the handlers seen before
 * OpenCL was first touched are put back after each call into the runtime that can run LLVM: the device scan and
 * program builds. LLVM's own bookkeeping then still counts its handlers as installed, so it does not install them
 * again. PoCL's SIGFPE handler goes too; it only skips integer divisions by zero inside kernels, which the
 * project's kernels do not do.
 *
 * <p>Linux only: the buffer below holds glibc's {@code struct sigaction} (the handler is its first word);
 * elsewhere both methods do nothing.
 */
final class JvmSignalHandlers {
    private static final boolean LINUX = System.getProperty("os.name", "").startsWith("Linux");
    /** Signals 1 to 31; glibc's struct sigaction is 152 bytes on 64-bit Linux, 256 leaves room. */
    private static final int SIGNALS = 31, SIGKILL = 9, SIGSTOP = 19, ACTION_BYTES = 256;

    private static MethodHandle sigaction;
    private static MemorySegment saved;

    private JvmSignalHandlers() {}

    /** Records the current handlers, once per process, before anything loads an OpenCL runtime. */
    static synchronized void capture() {
        if (!LINUX || saved != null) return;
        try {
            Linker linker = Linker.nativeLinker();
            MemorySegment symbol = linker.defaultLookup().find("sigaction")
                    .orElseThrow(() -> new IllegalStateException("libc has no sigaction"));
            sigaction = linker.downcallHandle(symbol,
                    FunctionDescriptor.of(ValueLayout.JAVA_INT, ValueLayout.JAVA_INT, ValueLayout.ADDRESS, ValueLayout.ADDRESS));
            MemorySegment actions = Arena.global().allocate((long) ACTION_BYTES * (SIGNALS + 1), 8);
            for (int signal = 1; signal <= SIGNALS; signal++) call(signal, MemorySegment.NULL, slot(actions, signal));
            saved = actions;
        } catch (IllegalCallerException e) {
            throw new IllegalStateException("the OpenCL backend needs --enable-native-access=ALL-UNNAMED to keep the JVM's "
                    + "signal handlers: " + e.getMessage(), e);
        }
    }

    /** Re-installs every recorded handler that something has replaced since {@link #capture()}. */
    static synchronized void restore() {
        if (saved == null) return;
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment current = arena.allocate(ACTION_BYTES, 8);
            for (int signal = 1; signal <= SIGNALS; signal++) {
                if (signal == SIGKILL || signal == SIGSTOP) continue;
                call(signal, MemorySegment.NULL, current);
                MemorySegment before = slot(saved, signal);
                if (current.get(ValueLayout.JAVA_LONG, 0) != before.get(ValueLayout.JAVA_LONG, 0)) {
                    call(signal, before, MemorySegment.NULL);
                }
            }
        }
    }

    private static MemorySegment slot(MemorySegment actions, int signal) {
        return actions.asSlice((long) ACTION_BYTES * signal, ACTION_BYTES);
    }

    private static void call(int signal, MemorySegment act, MemorySegment old) {
        int rc;
        try {
            rc = (int) sigaction.invokeExact(signal, act, old);
        } catch (Throwable t) {
            throw new IllegalStateException("sigaction(" + signal + ") failed: " + t, t);
        }
        if (rc != 0) throw new IllegalStateException("sigaction(" + signal + ") returned " + rc);
    }
}
