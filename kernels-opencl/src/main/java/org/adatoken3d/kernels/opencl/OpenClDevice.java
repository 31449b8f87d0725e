package org.adatoken3d.kernels.opencl;

import static org.jocl.CL.CL_DEVICE_EXTENSIONS;
import static org.jocl.CL.CL_DEVICE_GLOBAL_MEM_SIZE;
import static org.jocl.CL.CL_DEVICE_LOCAL_MEM_SIZE;
import static org.jocl.CL.CL_DEVICE_MAX_COMPUTE_UNITS;
import static org.jocl.CL.CL_DEVICE_MAX_WORK_GROUP_SIZE;
import static org.jocl.CL.CL_DEVICE_MAX_WORK_ITEM_SIZES;
import static org.jocl.CL.CL_DEVICE_NAME;
import static org.jocl.CL.CL_DEVICE_TYPE;
import static org.jocl.CL.CL_DEVICE_TYPE_ALL;
import static org.jocl.CL.CL_DEVICE_TYPE_CPU;
import static org.jocl.CL.CL_DEVICE_VERSION;
import static org.jocl.CL.CL_PLATFORM_NAME;
import static org.jocl.CL.clGetDeviceIDs;
import static org.jocl.CL.clGetDeviceInfo;
import static org.jocl.CL.clGetPlatformIDs;
import static org.jocl.CL.clGetPlatformInfo;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.jocl.CL;
import org.jocl.Pointer;
import org.jocl.Sizeof;
import org.jocl.cl_device_id;
import org.jocl.cl_platform_id;

/** One OpenCL device as the driver reports it: what {@code devices} lists and what tile sizes are chosen from. */
record OpenClDevice(cl_platform_id platform, cl_device_id id, String platformName, String name, String version,
                    int computeUnits, long maxWorkGroupSize, long[] maxWorkItemSizes, long localMemBytes,
                    long globalMemBytes, boolean fp64, boolean cpu) {

    /**
     * Every device of every platform, in platform order; throws when no OpenCL runtime or platform is there. The
     * scan initialises the runtime, which may replace the JVM's signal handlers; see {@link JvmSignalHandlers}.
     */
    static List<OpenClDevice> all() {
        JvmSignalHandlers.capture();
        try {
            return scan();
        } finally {
            JvmSignalHandlers.restore();
        }
    }

    private static List<OpenClDevice> scan() {
        CL.setExceptionsEnabled(true);
        int[] count = new int[1];
        clGetPlatformIDs(0, null, count);
        cl_platform_id[] platforms = new cl_platform_id[count[0]];
        clGetPlatformIDs(platforms.length, platforms, null);
        List<OpenClDevice> devices = new ArrayList<>();
        for (cl_platform_id p : platforms) {
            int[] n = new int[1];
            try {
                clGetDeviceIDs(p, CL_DEVICE_TYPE_ALL, 0, null, n);
            } catch (org.jocl.CLException e) {
                continue; // a platform without devices (CL_DEVICE_NOT_FOUND)
            }
            cl_device_id[] ids = new cl_device_id[n[0]];
            clGetDeviceIDs(p, CL_DEVICE_TYPE_ALL, ids.length, ids, null);
            String platformName = platformString(p, CL_PLATFORM_NAME);
            for (cl_device_id d : ids) {
                long[] items = new long[3];
                clGetDeviceInfo(d, CL_DEVICE_MAX_WORK_ITEM_SIZES, 3L * Sizeof.size_t, Pointer.to(items), null);
                devices.add(new OpenClDevice(p, d, platformName, deviceString(d, CL_DEVICE_NAME), deviceString(d, CL_DEVICE_VERSION),
                        (int) deviceLong(d, CL_DEVICE_MAX_COMPUTE_UNITS, Sizeof.cl_uint), deviceLong(d, CL_DEVICE_MAX_WORK_GROUP_SIZE, Sizeof.size_t),
                        items, deviceLong(d, CL_DEVICE_LOCAL_MEM_SIZE, Sizeof.cl_ulong), deviceLong(d, CL_DEVICE_GLOBAL_MEM_SIZE, Sizeof.cl_ulong),
                        deviceString(d, CL_DEVICE_EXTENSIONS).contains("cl_khr_fp64"),
                        (deviceLong(d, CL_DEVICE_TYPE, Sizeof.cl_ulong) & CL_DEVICE_TYPE_CPU) != 0));
            }
        }
        return devices;
    }

    String describe() {
        return String.format("%s (%s, %s, %d compute units, %.1f GiB, work-group %d, local %d KiB)", name, platformName, version,
                computeUnits, globalMemBytes / 1073741824.0, maxWorkGroupSize, localMemBytes / 1024);
    }

    private static String deviceString(cl_device_id d, int param) {
        long[] size = new long[1];
        clGetDeviceInfo(d, param, 0, null, size);
        byte[] b = new byte[(int) size[0]];
        clGetDeviceInfo(d, param, b.length, Pointer.to(b), null);
        return text(b);
    }

    private static String platformString(cl_platform_id p, int param) {
        long[] size = new long[1];
        clGetPlatformInfo(p, param, 0, null, size);
        byte[] b = new byte[(int) size[0]];
        clGetPlatformInfo(p, param, b.length, Pointer.to(b), null);
        return text(b);
    }

    private static long deviceLong(cl_device_id d, int param, int bytes) {
        if (bytes == Sizeof.cl_uint) {
            int[] v = new int[1];
            clGetDeviceInfo(d, param, bytes, Pointer.to(v), null);
            return Integer.toUnsignedLong(v[0]);
        }
        long[] v = new long[1];
        clGetDeviceInfo(d, param, bytes, Pointer.to(v), null);
        return v[0];
    }

    private static String text(byte[] b) {
        int end = b.length;
        while (end > 0 && b[end - 1] == 0) end--;
        return new String(b, 0, end, StandardCharsets.UTF_8).trim();
    }
}
