package org.adatoken3d.kernels.tornado;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;
import java.util.IdentityHashMap;
import java.util.Map;
import org.adatoken3d.kernels.AttentionShape;
import org.adatoken3d.kernels.ContributionProbe;
import org.adatoken3d.kernels.Rope;
import org.adatoken3d.kernels.RopeStyle;
import org.adatoken3d.kernels.WeightFormat;
import org.adatoken3d.kernels.WeightMatrix;
import org.adatoken3d.kernels.backend.Backend;
import org.adatoken3d.kernels.backend.DeviceArguments;
import org.adatoken3d.kernels.backend.KvLayer;
import org.adatoken3d.kernels.backend.ResidentMatrix;
import org.adatoken3d.kernels.backend.Tensor;
import org.adatoken3d.kernels.tornado.DevicePlan.Kernel;
import uk.ac.manchester.tornado.api.common.TornadoDevice;

/**
 * The decoder's operations as TornadoVM kernels on one device. Weights are copied to the device once (F32 as f32,
 * BF16 and F16 as their 16 bits, widened in the kernel); activations and the KV cache live there; each operation
 * runs one task graph of {@link DevicePlan} with its offsets and sizes as arguments, and the host reads back only
 * what {@link #read} asks for and the contribution vector.
 *
 * <p>Tensors are ranges of three pools sized when the backend opens ({@code -Dadatoken3d.tornado.f32MiB},
 * {@code .halfMiB}, {@code .intMiB}), because a TornadoVM execution plan cannot take new buffers once built.
 */
final class TornadoBackend implements Backend {
    static final String F32_MIB = "adatoken3d.tornado.f32MiB", HALF_MIB = "adatoken3d.tornado.halfMiB", INT_MIB = "adatoken3d.tornado.intMiB";
    private static final ValueLayout.OfFloat F32 = ValueLayout.JAVA_FLOAT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
    private static final ValueLayout.OfShort I16 = ValueLayout.JAVA_SHORT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);

    private final TornadoDevice device;
    private final int index;
    private final DevicePlan plan;
    private final Pool floats, ints, halves;
    private final Map<Rope, DeviceTensor> invFreq = new IdentityHashMap<>();
    /** Powers of two that scale a 16-bit weight's integer mantissa to its value, indexed by its exponent field. */
    private final DeviceTensor bf16Scale, f16Scale;
    private DeviceTensor stats;

    TornadoBackend(TornadoDevice device, int index) {
        this.device = device;
        this.index = index;
        long maxAlloc = Math.max(1, device.getMaxAllocMemory());
        int f = elements(F32_MIB, 256, 4, maxAlloc), h = elements(HALF_MIB, 256, 2, maxAlloc), i = elements(INT_MIB, 8, 4, maxAlloc);
        floats = new Pool("f32", F32_MIB, f);
        halves = new Pool("16-bit weight", HALF_MIB, h);
        ints = new Pool("i32", INT_MIB, i);
        plan = new DevicePlan(device, f, i, h);
        float[] bf = new float[256], hf = new float[32];
        for (int e = 0; e < 256; e++) bf[e] = e == 255 ? Float.POSITIVE_INFINITY : Math.scalb(1f, Math.max(e, 1) - 127 - 7);
        for (int e = 0; e < 32; e++) hf[e] = e == 31 ? Float.POSITIVE_INFINITY : Math.scalb(1f, Math.max(e, 1) - 15 - 10);
        bf16Scale = (DeviceTensor) vector(bf);
        f16Scale = (DeviceTensor) vector(hf);
    }

    /** A pool size from its property in MiB, in elements of {@code bytes}, within the device's largest buffer. */
    private static int elements(String property, int defaultMiB, int bytes, long maxAlloc) {
        long mib = Long.getLong(property, defaultMiB);
        if (mib <= 0) throw new IllegalArgumentException("-D" + property + "=" + mib + ": the pool size must be a positive number of MiB");
        long n = Math.min(mib << 20, maxAlloc) / bytes;
        return (int) Math.min(n, Integer.MAX_VALUE - 8);
    }

    @Override
    public String description() {
        return "tornado:" + index + " " + device.getPhysicalDevice().getDeviceName().trim() + " (" + device.getPlatformName().trim()
                + ", TornadoVM " + device.getTornadoVMBackend() + ", pools f32 " + (floats.capacity() >> 18) + " MiB, 16-bit "
                + (halves.capacity() >> 19) + " MiB, i32 " + (ints.capacity() >> 18) + " MiB)";
    }

    // ---- memory

    @Override
    public Tensor allocate(int rows, int cols) {
        return tensor(rows, cols, false);
    }

    @Override
    public Tensor allocateInts(int length) {
        return tensor(length, 1, true);
    }

    private DeviceTensor tensor(int rows, int cols, boolean isInts) {
        DeviceArguments.shape(rows, cols);
        long n = (long) rows * cols;
        DeviceTensor t = new DeviceTensor((isInts ? ints : floats).allocate(n), rows, cols, isInts);
        if (n > 0) plan.arg(0, t.offset()).arg(1, isInts ? 1 : 0).run(Kernel.ZERO, n, 1);
        return t;
    }

    @Override
    public void free(Tensor t) {
        DeviceTensor d = (DeviceTensor) t;
        (d.ints() ? ints : floats).release(d.offset(), d.length());
    }

    @Override
    public void write(Tensor dst, float[] src, int rows) {
        DeviceTensor t = floats(dst);
        DeviceArguments.rows(t, rows);
        plan.uploadFloats(src, 0, rows * t.cols(), t.offset());
    }

    @Override
    public void writeInts(Tensor dst, int[] src, int length) {
        DeviceTensor t = ints(dst);
        DeviceArguments.rows(t, length);
        plan.uploadInts(src, length, t.offset());
    }

    @Override
    public void read(Tensor src, int rowFrom, int rows, float[] dst) {
        DeviceTensor t = floats(src);
        DeviceArguments.readRange(t, rowFrom, rows);
        plan.readFloats(t.offset() + rowFrom * t.cols(), rows * t.cols(), dst);
    }

    /** Reads i32 values back (tests check the KV cache's positions with it). */
    void readInts(Tensor src, int length, int[] dst) {
        plan.readInts(ints(src).offset(), length, dst);
    }

    @Override
    public ResidentMatrix resident(WeightMatrix w) {
        DeviceArguments.deviceWeights(w, "tornado");
        MemorySegment data = w.data();
        long n = (long) w.rows() * w.cols();
        switch (w.format()) {
            case F32 -> {
                int offset = floats.allocate(n);
                float[] chunk = new float[DevicePlan.STAGE];
                for (long done = 0; done < n; done += chunk.length) {
                    int len = (int) Math.min(chunk.length, n - done);
                    for (int i = 0; i < len; i++) chunk[i] = data.getAtIndex(F32, done + i);
                    plan.uploadFloats(chunk, 0, len, Math.toIntExact(offset + done));
                }
                return new DeviceMatrix(offset, w.format(), w.rows(), w.cols());
            }
            case BF16, F16 -> {
                int offset = halves.allocate(n);
                plan.uploadHalves(i -> data.getAtIndex(I16, i), n, offset);
                return new DeviceMatrix(offset, w.format(), w.rows(), w.cols());
            }
            default -> throw new AssertionError(w.format());
        }
    }

    // ---- layer operations

    @Override
    public void rmsNorm(Tensor x, int rows, Tensor weight, float eps, Tensor out) {
        DeviceTensor xt = floats(x);
        DeviceArguments.rows(xt, rows);
        plan.arg(0, xt.offset()).arg(1, floats(weight).offset()).arg(2, floats(out).offset()).arg(3, xt.cols()).floatArg(0, eps)
                .run(Kernel.RMS_NORM, rows, 1);
    }

    @Override
    public void gemm(Tensor a, int rows, ResidentMatrix w, Tensor c) {
        DeviceMatrix m = (DeviceMatrix) w;
        DeviceTensor at = floats(a), ct = floats(c);
        DeviceArguments.gemm(at, rows, m, ct);
        plan.arg(0, at.offset()).arg(1, m.offset()).arg(2, ct.offset()).arg(3, m.rows()).arg(4, m.cols());
        switch (m.format()) {
            case F32 -> plan.run(Kernel.GEMM_F32, m.rows(), rows);
            case BF16 -> plan.arg(5, bf16Scale.offset()).run(Kernel.GEMM_BF16, m.rows(), rows);
            case F16 -> plan.arg(5, f16Scale.offset()).run(Kernel.GEMM_F16, m.rows(), rows);
            default -> throw new AssertionError(m.format());
        }
    }

    @Override
    public void addBias(Tensor x, int rows, Tensor bias) {
        DeviceTensor xt = floats(x);
        DeviceArguments.rows(xt, rows);
        plan.arg(0, xt.offset()).arg(1, floats(bias).offset()).arg(2, xt.cols()).run(Kernel.ADD_BIAS, xt.cols(), rows);
    }

    @Override
    public void rope(Tensor x, int rows, int heads, Rope rope, Tensor positions) {
        DeviceTensor xt = floats(x);
        DeviceArguments.rope(xt, rows, heads, rope);
        DeviceTensor freq = invFreq.computeIfAbsent(rope, r -> (DeviceTensor) vector(r.inverseFrequencies()));
        plan.arg(0, xt.offset()).arg(1, ints(positions).offset()).arg(2, freq.offset()).arg(3, heads).arg(4, rope.headDim())
                .arg(5, rope.style() == RopeStyle.INTERLEAVED ? 1 : 0).run(Kernel.ROPE, rope.headDim() / 2, (long) rows * heads);
    }

    @Override
    public void geluMul(Tensor gate, Tensor up, int rows, org.adatoken3d.kernels.GeluForm form) {
        // No GELU kernel is written for TornadoVM yet: a GELU-gated checkpoint is refused, never run as SiLU.
        throw new org.adatoken3d.kernels.EngineArgumentException("device",
                "tornado runs SiLU-gated MLPs only; hidden_act " + form + " runs on the cpu and opencl devices");
    }

    @Override
    public void siluMul(Tensor gate, Tensor up, int rows) {
        DeviceTensor g = floats(gate);
        DeviceArguments.rows(g, rows);
        plan.arg(0, g.offset()).arg(1, floats(up).offset()).run(Kernel.SILU_MUL, (long) rows * g.cols(), 1);
    }

    @Override
    public void add(Tensor acc, Tensor x, int rows) {
        DeviceTensor a = floats(acc);
        DeviceArguments.rows(a, rows);
        plan.arg(0, a.offset()).arg(1, floats(x).offset()).run(Kernel.ADD, (long) rows * a.cols(), 1);
    }

    @Override
    public void appendKv(Tensor k, Tensor v, Tensor positions, int rows, KvLayer cache, int start) {
        DeviceArguments.appendKv(cache, start, rows);
        int width = cache.kvHeads() * cache.headDim();
        plan.arg(0, floats(k).offset()).arg(1, floats(v).offset()).arg(2, ints(positions).offset()).arg(3, floats(cache.keys()).offset())
                .arg(4, floats(cache.values()).offset()).arg(5, ints(cache.positions()).offset()).arg(6, cache.kvHeads())
                .arg(7, cache.headDim()).arg(8, cache.capacity()).arg(9, start).run(Kernel.APPEND_KV, width, rows);
    }

    @Override
    public float[] attention(Tensor q, int nq, Tensor qPositions, KvLayer cache, int nk, AttentionShape shape, Tensor out,
                             ContributionProbe probe) {
        int d = shape.headDim();
        DeviceTensor qt = floats(q);
        DeviceArguments.attention(qt, nq, cache, nk, shape, probe);
        int[] probeRows = probe == null ? null : probe.queryRows();
        float scale = (float) (1 / Math.sqrt(d));
        int statCount = 2 * Math.max(1, nq) * shape.heads();
        if (stats == null || stats.rows() < statCount) {
            if (stats != null) free(stats);
            stats = (DeviceTensor) allocate(statCount, 1);
        }
        plan.arg(0, qt.offset()).arg(1, ints(qPositions).offset()).arg(2, floats(cache.keys()).offset()).arg(3, floats(cache.values()).offset())
                .arg(4, ints(cache.positions()).offset()).arg(5, floats(out).offset()).arg(6, stats.offset()).arg(7, nk)
                .arg(8, shape.heads()).arg(9, shape.group()).arg(10, cache.capacity()).arg(11, d).floatArg(0, scale)
                .run(Kernel.ATTENTION, nq, shape.heads());
        if (probe == null) return null;
        float[] contribution = new float[probe.keyCount()];
        if (probe.keyCount() == 0) return contribution;
        DeviceTensor rows = (DeviceTensor) allocateInts(Math.max(1, probeRows.length));
        DeviceTensor result = (DeviceTensor) allocate(probe.keyCount(), 1);
        try {
            writeInts(rows, probeRows, probeRows.length);
            plan.arg(0, qt.offset()).arg(1, ints(qPositions).offset()).arg(2, floats(cache.keys()).offset())
                    .arg(3, ints(cache.positions()).offset()).arg(4, stats.offset()).arg(5, rows.offset()).arg(6, probeRows.length)
                    .arg(7, probe.keyStart()).arg(8, shape.heads()).arg(9, shape.group()).arg(10, cache.capacity()).arg(11, d)
                    .arg(12, result.offset()).floatArg(0, scale).run(Kernel.CONTRIBUTION, probe.keyCount(), 1);
            read(result, 0, probe.keyCount(), contribution);
        } finally {
            free(rows);
            free(result);
        }
        return contribution;
    }

    @Override
    public void gatherRows(Tensor src, int[] rows, Tensor dst) {
        DeviceTensor s = floats(src), t = floats(dst);
        DeviceArguments.gatherRows(s, rows, t);
        if (rows.length == 0) return;
        DeviceTensor list = (DeviceTensor) allocateInts(rows.length);
        try {
            writeInts(list, rows, rows.length);
            plan.arg(0, s.offset()).arg(1, list.offset()).arg(2, t.offset()).arg(3, s.cols()).run(Kernel.GATHER_ROWS, s.cols(), rows.length);
        } finally {
            free(list); // runs are synchronous: the kernel that reads the list is done
        }
    }

    @Override
    public void copyRows(Tensor src, int from, int rows, Tensor dst, int dstFrom) {
        DeviceTensor s = floats(src), t = floats(dst);
        DeviceArguments.copyRows(s, from, rows, t, dstFrom);
        plan.arg(0, s.offset() + from * s.cols()).arg(1, t.offset() + dstFrom * t.cols()).run(Kernel.COPY, (long) rows * s.cols(), 1);
    }

    @Override
    public void close() {
        plan.close();
    }

    // ---- helpers

    private static DeviceTensor floats(Tensor t) {
        DeviceTensor c = (DeviceTensor) t;
        DeviceArguments.floats(c, c.ints());
        return c;
    }

    private static DeviceTensor ints(Tensor t) {
        DeviceTensor c = (DeviceTensor) t;
        DeviceArguments.ints(c, c.ints());
        return c;
    }
}
