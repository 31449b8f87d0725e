package org.adatoken3d.kernels.tornado;

import java.util.EnumMap;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import uk.ac.manchester.tornado.api.DataRange;
import uk.ac.manchester.tornado.api.GridScheduler;
import uk.ac.manchester.tornado.api.KernelContext;
import uk.ac.manchester.tornado.api.TaskGraph;
import uk.ac.manchester.tornado.api.TornadoExecutionPlan;
import uk.ac.manchester.tornado.api.TornadoExecutionResult;
import uk.ac.manchester.tornado.api.WorkerGrid;
import uk.ac.manchester.tornado.api.WorkerGrid1D;
import uk.ac.manchester.tornado.api.WorkerGrid2D;
import uk.ac.manchester.tornado.api.common.TornadoDevice;
import uk.ac.manchester.tornado.api.enums.DataTransferMode;
import uk.ac.manchester.tornado.api.exceptions.TornadoExecutionPlanException;
import uk.ac.manchester.tornado.api.types.arrays.FloatArray;
import uk.ac.manchester.tornado.api.types.arrays.IntArray;
import uk.ac.manchester.tornado.api.types.arrays.ShortArray;

/**
 * One TornadoVM execution plan holding a task graph per kernel. The three pools (f32, i32, 16-bit weights) are
 * copied to the device once by the first graph and then passed from graph to graph on the device
 * ({@code consumeFromDevice} / {@code persistOnDevice}), so the host never copies them back; each run sends only
 * the small argument arrays. Uploads go through staging arrays and a copy kernel; reads copy just the asked range
 * of the f32 or i32 pool to the host.
 *
 * <p>TornadoVM hands a pool from graph to graph only if the previously executed graph had it as a task argument
 * (it otherwise finds no device buffer), so every kernel takes all three pools.
 */
final class DevicePlan implements AutoCloseable {
    /** The kernels, in graph order; graph 0 is the one that puts the pools on the device. */
    enum Kernel {
        INIT(1), ZERO(1), UPLOAD_FLOATS(1), UPLOAD_FLOATS_SMALL(1), UPLOAD_INTS(1), UPLOAD_HALVES(1), RMS_NORM(1),
        GEMM_F32(2), GEMM_BF16(2), GEMM_F16(2), ADD_BIAS(2), ROPE(2), SILU_MUL(1), ADD(1), COPY(1), GATHER_ROWS(2),
        APPEND_KV(2), ATTENTION(2), CONTRIBUTION(1);

        final int dimensions;

        Kernel(int dimensions) {
            this.dimensions = dimensions;
        }
    }

    static final int SMALL_STAGE = 4096;
    static final int STAGE = 1 << 20;
    private static final AtomicInteger PLANS = new AtomicInteger();

    final FloatArray heap;
    final IntArray ints;
    final ShortArray halves;
    private final IntArray p = new IntArray(16);
    private final FloatArray f = new FloatArray(4);
    private final FloatArray stage = new FloatArray(STAGE);
    private final FloatArray smallStage = new FloatArray(SMALL_STAGE);
    private final IntArray intStage = new IntArray(SMALL_STAGE);
    private final ShortArray halfStage = new ShortArray(STAGE);
    private final Map<Kernel, WorkerGrid> grids = new EnumMap<>(Kernel.class);
    private final TornadoExecutionPlan plan;
    private TornadoExecutionResult last;

    DevicePlan(TornadoDevice device, int floats, int intCount, int halfCount) {
        heap = new FloatArray(floats);
        ints = new IntArray(intCount);
        halves = new ShortArray(halfCount);
        heap.init(0f);
        ints.init(0);
        halves.init((short) 0);
        String prefix = "adatoken3d" + PLANS.incrementAndGet() + "_";
        KernelContext ctx = new KernelContext();
        GridScheduler scheduler = new GridScheduler();
        TaskGraph[] graphs = new TaskGraph[Kernel.values().length];
        for (Kernel k : Kernel.values()) {
            TaskGraph g = new TaskGraph(prefix + k.name().toLowerCase());
            if (k == Kernel.INIT) {
                g.transferToDevice(DataTransferMode.FIRST_EXECUTION, heap, ints, halves);
            } else {
                g.consumeFromDevice(heap, ints, halves);
            }
            g.transferToDevice(DataTransferMode.EVERY_EXECUTION, p, f);
            switch (k) {
                case INIT, ZERO -> g.task("k", DeviceKernels::zero, ctx, heap, ints, halves, p, f);
                case UPLOAD_FLOATS -> g.transferToDevice(DataTransferMode.EVERY_EXECUTION, stage)
                        .task("k", DeviceKernels::uploadFloats, ctx, heap, ints, halves, p, f, stage);
                case UPLOAD_FLOATS_SMALL -> g.transferToDevice(DataTransferMode.EVERY_EXECUTION, smallStage)
                        .task("k", DeviceKernels::uploadFloats, ctx, heap, ints, halves, p, f, smallStage);
                case UPLOAD_INTS -> g.transferToDevice(DataTransferMode.EVERY_EXECUTION, intStage)
                        .task("k", DeviceKernels::uploadInts, ctx, heap, ints, halves, p, f, intStage);
                case UPLOAD_HALVES -> g.transferToDevice(DataTransferMode.EVERY_EXECUTION, halfStage)
                        .task("k", DeviceKernels::uploadHalves, ctx, heap, ints, halves, p, f, halfStage);
                case RMS_NORM -> g.task("k", DeviceKernels::rmsNorm, ctx, heap, ints, halves, p, f);
                case GEMM_F32 -> g.task("k", DeviceKernels::gemmF32, ctx, heap, ints, halves, p, f);
                case GEMM_BF16 -> g.task("k", DeviceKernels::gemmBf16, ctx, heap, ints, halves, p, f);
                case GEMM_F16 -> g.task("k", DeviceKernels::gemmF16, ctx, heap, ints, halves, p, f);
                case ADD_BIAS -> g.task("k", DeviceKernels::addBias, ctx, heap, ints, halves, p, f);
                case ROPE -> g.task("k", DeviceKernels::rope, ctx, heap, ints, halves, p, f);
                case SILU_MUL -> g.task("k", DeviceKernels::siluMul, ctx, heap, ints, halves, p, f);
                case ADD -> g.task("k", DeviceKernels::add, ctx, heap, ints, halves, p, f);
                case COPY -> g.task("k", DeviceKernels::copy, ctx, heap, ints, halves, p, f);
                case GATHER_ROWS -> g.task("k", DeviceKernels::gatherRows, ctx, heap, ints, halves, p, f);
                case APPEND_KV -> g.task("k", DeviceKernels::appendKv, ctx, heap, ints, halves, p, f);
                case ATTENTION -> g.task("k", DeviceKernels::attention, ctx, heap, ints, halves, p, f);
                case CONTRIBUTION -> g.task("k", DeviceKernels::contribution, ctx, heap, ints, halves, p, f);
            }
            g.persistOnDevice(heap, ints, halves);
            WorkerGrid grid = k.dimensions == 1 ? new WorkerGrid1D(1) : new WorkerGrid2D(1, 1);
            grid.setLocalWorkToNull(); // the driver picks the work-group size, so any global size is valid
            grids.put(k, grid);
            scheduler.addWorkerGrid(g.getTaskGraphName() + ".k", grid);
            graphs[k.ordinal()] = g;
        }
        var snapshots = new uk.ac.manchester.tornado.api.ImmutableTaskGraph[graphs.length];
        for (int i = 0; i < graphs.length; i++) snapshots[i] = graphs[i].snapshot();
        plan = new TornadoExecutionPlan(snapshots);
        plan.withDevice(device).withGridScheduler(scheduler);
        p.set(0, 0);
        p.set(1, 0);
        run(Kernel.INIT, 1, 1);
    }

    /** Sets integer argument {@code i} of the next run. */
    DevicePlan arg(int i, int value) {
        p.set(i, value);
        return this;
    }

    /** Sets float argument {@code i} of the next run. */
    DevicePlan floatArg(int i, float value) {
        f.set(i, value);
        return this;
    }

    /** Runs {@code kernel} over {@code x × y} work items with the arguments set since the last run. */
    void run(Kernel kernel, long x, long y) {
        if (x <= 0 || y <= 0) return;
        grids.get(kernel).setGlobalWork(x, kernel.dimensions == 1 ? 1 : y, 1);
        last = plan.withGraph(kernel.ordinal()).execute();
    }

    /** Copies {@code src[from ..]} into the f32 pool at {@code offset}, through the staging arrays. */
    void uploadFloats(float[] src, int from, int count, int offset) {
        for (int done = 0; done < count; ) {
            boolean small = count - done <= SMALL_STAGE;
            FloatArray s = small ? smallStage : stage;
            int n = Math.min(count - done, s.getSize());
            for (int i = 0; i < n; i++) s.set(i, src[from + done + i]);
            arg(0, offset + done).run(small ? Kernel.UPLOAD_FLOATS_SMALL : Kernel.UPLOAD_FLOATS, n, 1);
            done += n;
        }
    }

    void uploadInts(int[] src, int count, int offset) {
        for (int done = 0; done < count; ) {
            int n = Math.min(count - done, SMALL_STAGE);
            for (int i = 0; i < n; i++) intStage.set(i, src[done + i]);
            arg(0, offset + done).run(Kernel.UPLOAD_INTS, n, 1);
            done += n;
        }
    }

    /** Copies 16-bit values into the weight pool at {@code offset}; {@code source.get(i)} gives value i. */
    void uploadHalves(java.util.function.IntUnaryOperator source, long count, int offset) {
        for (long done = 0; done < count; ) {
            int n = (int) Math.min(count - done, STAGE);
            for (int i = 0; i < n; i++) halfStage.set(i, (short) source.applyAsInt(Math.toIntExact(done + i)));
            arg(0, Math.toIntExact(offset + done)).run(Kernel.UPLOAD_HALVES, n, 1);
            done += n;
        }
    }

    /** Reads {@code count} floats of the f32 pool from {@code offset} into {@code dst}, after all earlier runs. */
    void readFloats(int offset, int count, float[] dst) {
        if (count == 0) return;
        last.transferToHost(new DataRange(heap).withOffset(offset).withSize(count));
        for (int i = 0; i < count; i++) dst[i] = heap.get(offset + i);
    }

    void readInts(int offset, int count, int[] dst) {
        if (count == 0) return;
        last.transferToHost(new DataRange(ints).withOffset(offset).withSize(count));
        for (int i = 0; i < count; i++) dst[i] = ints.get(offset + i);
    }

    @Override
    public void close() {
        try {
            plan.freeDeviceMemory();
            plan.close();
        } catch (TornadoExecutionPlanException e) {
            throw new IllegalStateException("TornadoVM could not release the device memory: " + e.getMessage(), e);
        }
    }
}
