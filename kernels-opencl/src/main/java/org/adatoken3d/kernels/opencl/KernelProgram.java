package org.adatoken3d.kernels.opencl;

import static org.jocl.CL.CL_PROGRAM_BUILD_LOG;
import static org.jocl.CL.clBuildProgram;
import static org.jocl.CL.clCreateKernel;
import static org.jocl.CL.clCreateProgramWithSource;
import static org.jocl.CL.clGetProgramBuildInfo;
import static org.jocl.CL.clReleaseKernel;
import static org.jocl.CL.clReleaseProgram;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.Map;
import org.jocl.CLException;
import org.jocl.Pointer;
import org.jocl.cl_context;
import org.jocl.cl_device_id;
import org.jocl.cl_kernel;
import org.jocl.cl_program;

/** One of the project's {@code .cl} sources, compiled at run time for one device with the given defines. */
final class KernelProgram implements AutoCloseable {
    private final cl_program program;
    private final Map<String, cl_kernel> kernels = new HashMap<>();
    private final String what;

    KernelProgram(cl_context context, cl_device_id device, String resource, String options) {
        this.what = resource + " [" + options + "]";
        String source = source(resource);
        program = clCreateProgramWithSource(context, 1, new String[] {source}, null, null);
        try {
            clBuildProgram(program, 1, new cl_device_id[] {device}, options, null, null);
        } catch (CLException e) {
            String log = buildLog(device);
            clReleaseProgram(program);
            throw new IllegalStateException("OpenCL could not compile " + what + ": " + e.getMessage() + "\n" + log, e);
        } finally {
            JvmSignalHandlers.restore(); // the build runs LLVM, which may have put its signal handlers back
        }
    }

    /** The kernel {@code name}, created once. */
    cl_kernel kernel(String name) {
        return kernels.computeIfAbsent(name, n -> clCreateKernel(program, n, null));
    }

    private String buildLog(cl_device_id device) {
        long[] size = new long[1];
        clGetProgramBuildInfo(program, device, CL_PROGRAM_BUILD_LOG, 0, null, size);
        byte[] b = new byte[(int) size[0]];
        clGetProgramBuildInfo(program, device, CL_PROGRAM_BUILD_LOG, b.length, Pointer.to(b), null);
        return new String(b, StandardCharsets.UTF_8).trim();
    }

    static String source(String resource) {
        try (InputStream in = KernelProgram.class.getResourceAsStream(resource)) {
            if (in == null) throw new IllegalStateException("kernel source " + resource + " is missing from the classpath");
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    @Override
    public void close() {
        kernels.values().forEach(k -> clReleaseKernel(k));
        kernels.clear();
        clReleaseProgram(program);
    }
}
