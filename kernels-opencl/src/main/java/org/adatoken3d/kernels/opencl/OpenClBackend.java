package org.adatoken3d.kernels.opencl;

import static org.jocl.CL.CL_MEM_READ_ONLY;
import static org.jocl.CL.CL_MEM_READ_WRITE;
import static org.jocl.CL.clCreateBuffer;
import static org.jocl.CL.clCreateContext;
import static org.jocl.CL.clEnqueueCopyBuffer;
import static org.jocl.CL.clEnqueueFillBuffer;
import static org.jocl.CL.clEnqueueNDRangeKernel;
import static org.jocl.CL.clEnqueueReadBuffer;
import static org.jocl.CL.clEnqueueWriteBuffer;
import static org.jocl.CL.clFinish;
import static org.jocl.CL.clReleaseCommandQueue;
import static org.jocl.CL.clReleaseContext;
import static org.jocl.CL.clReleaseMemObject;
import static org.jocl.CL.clSetKernelArg;

import java.lang.foreign.MemorySegment;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.adatoken3d.kernels.AttentionShape;
import org.adatoken3d.kernels.ContributionProbe;
import org.adatoken3d.kernels.GeluForm;
import org.adatoken3d.kernels.Rope;
import org.adatoken3d.kernels.RopeStyle;
import org.adatoken3d.kernels.WeightFormat;
import org.adatoken3d.kernels.WeightMatrix;
import org.adatoken3d.kernels.backend.Backend;
import org.adatoken3d.kernels.backend.DeviceArguments;
import org.adatoken3d.kernels.backend.KvLayer;
import org.adatoken3d.kernels.backend.ResidentMatrix;
import org.adatoken3d.kernels.backend.Tensor;
import org.jocl.CL;
import org.jocl.Pointer;
import org.jocl.Sizeof;
import org.jocl.cl_command_queue;
import org.jocl.cl_context;
import org.jocl.cl_device_id;
import org.jocl.cl_kernel;
import org.jocl.cl_mem;

/**
 * The decoder's operations as OpenCL kernels on one device, through JOCL. Weights are copied to the device once;
 * activations and the KV cache live there; kernels are queued on one in-order queue and the host waits only in
 * {@link #read} (and for the small contribution vector). Kernel sources are the {@code .cl} files next to this
 * class, compiled at first use with the tile sizes {@link TileSizes} chose for the device and, for attention,
 * the head size.
 */
final class OpenClBackend implements Backend {
    private static final long UPLOAD_CHUNK = 1L << 28;

    private final OpenClDevice device;
    private final int index;
    private final TileSizes tiles;
    private final cl_context context;
    private final cl_command_queue queue;
    private final KernelProgram layer;
    private final Map<WeightFormat, KernelProgram> gemm = new HashMap<>();
    private final Map<Integer, KernelProgram> attention = new HashMap<>();
    private final Map<Rope, ClTensor> invFreq = new IdentityHashMap<>();
    /** Every live buffer, so close() frees what callers did not. */
    private final Set<cl_mem> live = java.util.Collections.newSetFromMap(new IdentityHashMap<>());
    private ClTensor stats;

    @SuppressWarnings("deprecation") // clCreateCommandQueue: OpenCL 1.2 devices have no ...WithProperties
    OpenClBackend(OpenClDevice device, int index) {
        CL.setExceptionsEnabled(true);
        this.device = device;
        this.index = index;
        this.tiles = TileSizes.forDevice(device);
        this.context = clCreateContext(null, 1, new cl_device_id[] {device.id()}, null, null, null);
        try {
            this.queue = CL.clCreateCommandQueue(context, device.id(), 0, null);
            this.layer = new KernelProgram(context, device.id(), "layer.cl", tiles.defines());
        } catch (RuntimeException e) {
            clReleaseContext(context);
            throw e;
        }
    }

    @Override
    public String description() {
        return "opencl:" + index + " " + device.name() + " (" + device.platformName() + ", GEMM " + tiles.gemmTile() + "x"
                + tiles.gemmTile() + " items x " + tiles.gemmWork() + "x" + tiles.gemmWork() + " outputs, reduction group "
                + tiles.reductionGroup() + ")";
    }

    TileSizes tiles() {
        return tiles;
    }

    // ---- memory

    @Override
    public Tensor allocate(int rows, int cols) {
        return buffer(rows, cols, false);
    }

    @Override
    public Tensor allocateInts(int length) {
        return buffer(length, 1, true);
    }

    private ClTensor buffer(int rows, int cols, boolean ints) {
        DeviceArguments.shape(rows, cols);
        long bytes = Math.max(4, (long) rows * cols * 4);
        cl_mem mem = clCreateBuffer(context, CL_MEM_READ_WRITE, bytes, null, null);
        live.add(mem);
        clEnqueueFillBuffer(queue, mem, Pointer.to(new int[] {0}), 4, 0, bytes, 0, null, null);
        return new ClTensor(mem, rows, cols, ints);
    }

    @Override
    public void free(Tensor t) {
        cl_mem mem = ((ClTensor) t).mem();
        if (live.remove(mem)) clReleaseMemObject(mem);
    }

    @Override
    public void write(Tensor dst, float[] src, int rows) {
        ClTensor t = floats(dst);
        DeviceArguments.rows(t, rows);
        if (rows == 0) return;
        clEnqueueWriteBuffer(queue, t.mem(), true, 0, (long) rows * t.cols() * 4, Pointer.to(src), 0, null, null);
    }

    @Override
    public void writeInts(Tensor dst, int[] src, int length) {
        ClTensor t = ints(dst);
        DeviceArguments.rows(t, length);
        if (length == 0) return;
        clEnqueueWriteBuffer(queue, t.mem(), true, 0, (long) length * 4, Pointer.to(src), 0, null, null);
    }

    @Override
    public void read(Tensor src, int rowFrom, int rows, float[] dst) {
        ClTensor t = floats(src);
        DeviceArguments.readRange(t, rowFrom, rows);
        if (rows == 0) return;
        clEnqueueReadBuffer(queue, t.mem(), true, (long) rowFrom * t.cols() * 4, (long) rows * t.cols() * 4, Pointer.to(dst), 0, null, null);
    }

    /** Reads i32 values back (tests check the KV cache's positions with it). */
    void readInts(Tensor src, int length, int[] dst) {
        clEnqueueReadBuffer(queue, ints(src).mem(), true, 0, (long) length * 4, Pointer.to(dst), 0, null, null);
    }

    @Override
    public ResidentMatrix resident(WeightMatrix w) {
        DeviceArguments.deviceWeights(w, "OpenCL");
        MemorySegment data = w.data();
        cl_mem mem = clCreateBuffer(context, CL_MEM_READ_ONLY, data.byteSize(), null, null);
        live.add(mem);
        for (long off = 0; off < data.byteSize(); off += UPLOAD_CHUNK) {
            long len = Math.min(UPLOAD_CHUNK, data.byteSize() - off);
            // A heap copy per chunk: JOCL reads Java arrays (and direct buffers) but not foreign segments.
            byte[] chunk = data.asSlice(off, len).toArray(java.lang.foreign.ValueLayout.JAVA_BYTE);
            clEnqueueWriteBuffer(queue, mem, true, off, len, Pointer.to(chunk), 0, null, null);
        }
        return new ClMatrix(mem, w.format(), w.rows(), w.cols());
    }

    // ---- layer operations

    @Override
    public void rmsNorm(Tensor x, int rows, Tensor weight, float eps, Tensor out) {
        ClTensor xt = floats(x);
        DeviceArguments.rows(xt, rows);
        if (rows == 0) return;
        int g = tiles.reductionGroup();
        launch(layer.kernel("rms_norm"), new long[] {(long) rows * g}, new long[] {g}, xt, floats(weight), floats(out), xt.cols(), eps);
    }

    @Override
    public void gemm(Tensor a, int rows, ResidentMatrix w, Tensor c) {
        ClMatrix m = (ClMatrix) w;
        ClTensor at = floats(a), ct = floats(c);
        DeviceArguments.gemm(at, rows, m, ct);
        if (rows == 0) return;
        KernelProgram p = gemm.computeIfAbsent(m.format(), f -> new KernelProgram(context, device.id(), "gemm.cl",
                tiles.defines() + " -DWEIGHT_FORMAT=" + switch (f) {
                    case F32 -> 0;
                    case F16 -> 1;
                    case BF16 -> 2;
                    case Q8_0, Q4_0 -> throw new AssertionError();
                }));
        if (rows == 1) {
            int g = tiles.reductionGroup();
            launch(p.kernel("gemv"), new long[] {(long) m.rows() * g}, new long[] {g}, at, m.mem(), ct, m.rows(), m.cols());
        } else {
            int ts = tiles.gemmTile(), block = tiles.gemmBlock();
            launch(p.kernel("gemm"), new long[] {roundUp(m.rows(), block) / block * ts, roundUp(rows, block) / block * ts},
                    new long[] {ts, ts}, at, m.mem(), ct, rows, m.rows(), m.cols());
        }
    }

    @Override
    public void addBias(Tensor x, int rows, Tensor bias) {
        ClTensor xt = floats(x);
        DeviceArguments.rows(xt, rows);
        if (rows == 0) return;
        launch(layer.kernel("add_bias"), new long[] {xt.cols(), rows}, null, xt, floats(bias), xt.cols());
    }

    @Override
    public void rope(Tensor x, int rows, int heads, Rope rope, Tensor positions) {
        ClTensor xt = floats(x);
        DeviceArguments.rope(xt, rows, heads, rope);
        if (rows == 0) return;
        ClTensor freq = invFreq.computeIfAbsent(rope, r -> (ClTensor) vector(r.inverseFrequencies()));
        launch(layer.kernel("rope"), new long[] {rope.headDim() / 2, (long) rows * heads}, null, xt, ints(positions), freq, heads,
                rope.headDim(), rope.style() == RopeStyle.INTERLEAVED ? 1 : 0);
    }

    @Override
    public void siluMul(Tensor gate, Tensor up, int rows) {
        ClTensor g = floats(gate);
        DeviceArguments.rows(g, rows);
        if (rows == 0) return;
        launch(layer.kernel("silu_mul"), new long[] {(long) rows * g.cols()}, null, g, floats(up));
    }

    @Override
    public void geluMul(Tensor gate, Tensor up, int rows, GeluForm form) {
        ClTensor g = floats(gate);
        DeviceArguments.rows(g, rows);
        if (rows == 0) return;
        launch(layer.kernel("gelu_mul"), new long[] {(long) rows * g.cols()}, null, g, floats(up), form.ordinal());
    }

    @Override
    public void add(Tensor acc, Tensor x, int rows) {
        ClTensor a = floats(acc);
        DeviceArguments.rows(a, rows);
        if (rows == 0) return;
        launch(layer.kernel("add"), new long[] {(long) rows * a.cols()}, null, a, floats(x));
    }

    @Override
    public void appendKv(Tensor k, Tensor v, Tensor positions, int rows, KvLayer cache, int start) {
        DeviceArguments.appendKv(cache, start, rows);
        if (rows == 0) return;
        int width = cache.kvHeads() * cache.headDim();
        launch(layer.kernel("kv_append"), new long[] {width, rows}, null, floats(k), floats(v), ints(positions),
                floats(cache.keys()), floats(cache.values()), ints(cache.positions()), cache.kvHeads(), cache.headDim(),
                cache.capacity(), start);
    }

    @Override
    public float[] attention(Tensor q, int nq, Tensor qPositions, KvLayer cache, int nk, AttentionShape shape, Tensor out,
                             ContributionProbe probe) {
        int d = shape.headDim();
        ClTensor qt = floats(q);
        DeviceArguments.attention(qt, nq, cache, nk, shape, probe);
        int[] probeRows = probe == null ? null : probe.queryRows();
        float scale = (float) (1 / Math.sqrt(d));
        KernelProgram p = attention.computeIfAbsent(d, dim -> new KernelProgram(context, device.id(), "attention.cl",
                tiles.defines() + " -DHEAD_DIM=" + dim));
        long statCount = 2L * Math.max(1, nq) * shape.heads();
        if (stats == null || (long) stats.rows() < statCount) {
            if (stats != null) free(stats);
            stats = buffer(Math.toIntExact(statCount), 1, false);
        }
        if (nq > 0) {
            launch(p.kernel("attention"), new long[] {nq, shape.heads()}, null, qt, ints(qPositions), floats(cache.keys()),
                    floats(cache.values()), ints(cache.positions()), floats(out), stats, nq, nk, shape.heads(), shape.group(),
                    cache.capacity(), scale);
        }
        if (probe == null) return null;
        float[] contribution = new float[probe.keyCount()];
        if (probe.keyCount() == 0) return contribution;
        ClTensor rows = buffer(Math.max(1, probeRows.length), 1, true);
        ClTensor result = buffer(probe.keyCount(), 1, false);
        try {
            writeInts(rows, probeRows, probeRows.length);
            launch(p.kernel("contribution"), new long[] {probe.keyCount()}, null, qt, ints(qPositions), floats(cache.keys()),
                    ints(cache.positions()), stats, rows, probeRows.length, probe.keyStart(), probe.keyCount(), shape.heads(),
                    shape.group(), cache.capacity(), scale, result);
            read(result, 0, probe.keyCount(), contribution);
        } finally {
            free(rows);
            free(result);
        }
        return contribution;
    }

    @Override
    public void gatherRows(Tensor src, int[] rows, Tensor dst) {
        ClTensor s = floats(src), t = floats(dst);
        DeviceArguments.gatherRows(s, rows, t);
        if (rows.length == 0) return;
        ClTensor list = buffer(rows.length, 1, true);
        try {
            writeInts(list, rows, rows.length);
            launch(layer.kernel("gather_rows"), new long[] {s.cols(), rows.length}, null, s, list, t, s.cols());
        } finally {
            free(list); // the queue is in order and the release waits for the kernel that uses it
        }
    }

    @Override
    public void copyRows(Tensor src, int from, int rows, Tensor dst, int dstFrom) {
        ClTensor s = floats(src), t = floats(dst);
        DeviceArguments.copyRows(s, from, rows, t, dstFrom);
        if (rows == 0) return;
        long w = (long) s.cols() * 4;
        clEnqueueCopyBuffer(queue, s.mem(), t.mem(), from * w, dstFrom * w, rows * w, 0, null, null);
    }

    @Override
    public void close() {
        try {
            clFinish(queue);
        } finally {
            for (cl_mem m : new ArrayList<>(live)) clReleaseMemObject(m);
            live.clear();
            List<KernelProgram> programs = new ArrayList<>(gemm.values());
            programs.addAll(attention.values());
            programs.add(layer);
            programs.forEach(KernelProgram::close);
            clReleaseCommandQueue(queue);
            clReleaseContext(context);
        }
    }

    // ---- helpers

    /** Sets the arguments (tensors, matrices, buffers, ints, floats) and queues the kernel. */
    private void launch(cl_kernel kernel, long[] global, long[] local, Object... args) {
        for (int i = 0; i < args.length; i++) {
            Object a = args[i];
            switch (a) {
                case ClTensor t -> clSetKernelArg(kernel, i, Sizeof.cl_mem, Pointer.to(t.mem()));
                case cl_mem m -> clSetKernelArg(kernel, i, Sizeof.cl_mem, Pointer.to(m));
                case Integer v -> clSetKernelArg(kernel, i, Sizeof.cl_int, Pointer.to(new int[] {v}));
                case Float v -> clSetKernelArg(kernel, i, Sizeof.cl_float, Pointer.to(new float[] {v}));
                default -> throw new IllegalArgumentException("kernel argument of type " + a.getClass());
            }
        }
        clEnqueueNDRangeKernel(queue, kernel, global.length, null, global, local, 0, null, null);
    }

    private static long roundUp(long n, long multiple) {
        return (n + multiple - 1) / multiple * multiple;
    }

    private static ClTensor floats(Tensor t) {
        ClTensor c = (ClTensor) t;
        DeviceArguments.floats(c, c.ints());
        return c;
    }

    private static ClTensor ints(Tensor t) {
        ClTensor c = (ClTensor) t;
        DeviceArguments.ints(c, c.ints());
        return c;
    }
}
