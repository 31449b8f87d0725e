package org.adatoken3d.bench;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;
import java.util.function.Consumer;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;
import org.adatoken3d.kernels.Attention;
import org.adatoken3d.kernels.AttentionShape;
import org.adatoken3d.kernels.ContributionProbe;
import org.adatoken3d.kernels.Gemm;
import org.adatoken3d.kernels.Parallel;
import org.adatoken3d.kernels.WeightFormat;
import org.adatoken3d.kernels.WeightMatrix;

/**
 * Timings of the kernels at LLaVA-3D's shapes, for {@code ./adatoken3d bench kernels}. Every figure is the median
 * of several timed runs after warm-up runs; weights are random values in off-heap memory, as a mapped checkpoint
 * would be once resident.
 *
 * <p>GEMV is measured the way decoding meets it: each matrix is read once per use from memory, not from cache.
 * It cycles over enough copies of the matrix that they do not fit in the last-level cache together; the
 * bandwidth it is compared with is a multi-threaded streaming read of a buffer well beyond that cache.
 */
public final class KernelBench implements AutoCloseable {
    /**
     * Copies of a GEMV matrix span at least this many bytes. Far more than the L3 is not enough on a shared VM:
     * with 256 MiB, F32 GEMV read faster than the 512 MiB streaming read it is compared with (80 against 50 GB/s),
     * so part of the working set was served from some cache the guest cannot see; at 1 GiB every format and the
     * streaming read agreed.
     */
    static final long GEMV_WORKING_SET = 1L << 30;
    static final long BANDWIDTH_BUFFER = 512L << 20;
    private static final VectorSpecies<Float> F = FloatVector.SPECIES_PREFERRED;

    private final int warmups;
    private final int repeats;
    private final Consumer<String> progress;
    private final Arena arena = Arena.ofShared();
    private MemorySegment bandwidthBuffer;
    /** Where read sums go, so that the JIT cannot drop the reads. */
    private volatile double sink;

    public KernelBench(int warmups, int repeats, Consumer<String> progress) {
        this.warmups = warmups;
        this.repeats = repeats;
        this.progress = progress;
    }

    @Override
    public void close() {
        arena.close();
    }

    /** Median seconds of {@code repeats} runs of {@code work} after {@code warmups} untimed runs; all samples kept. */
    public record Timing(double median, double[] samples) {
        /** The median of {@code samples}, with the samples. */
        public static Timing of(double[] samples) {
            return new Timing(KernelBench.median(samples), samples.clone());
        }
    }

    public record GemmResult(WeightFormat format, int m, int n, int k, Timing timing) {
        public double gflops() {
            return 2.0 * m * n * k / timing.median() / 1e9;
        }
    }

    /** {@code readBandwidth}: bytes per second of the streaming read timed in the same rounds as this GEMV. */
    public record GemvResult(WeightFormat format, int n, int k, long bytes, Timing timing, Timing readBandwidth) {
        public double gbPerSecond() {
            return bytes / timing.median() / 1e9;
        }

        public double ratioToReadBandwidth() {
            return bytes / timing.median() / readBandwidth.median();
        }
    }

    public record AttentionResult(int tokens, int heads, int headDim, int probeRows, Timing plain, Timing probed) {
        /** Extra time of the probed run, as a percentage of the plain one. */
        public double overheadPercent() {
            return 100 * (probed.median() / plain.median() - 1);
        }
    }

    Timing time(Runnable work) {
        for (int i = 0; i < warmups; i++) work.run();
        double[] samples = new double[repeats];
        for (int i = 0; i < repeats; i++) {
            long t = System.nanoTime();
            work.run();
            samples[i] = (System.nanoTime() - t) / 1e9;
        }
        return new Timing(median(samples), samples);
    }

    static double median(double[] samples) {
        double[] s = samples.clone();
        Arrays.sort(s);
        return s.length % 2 == 1 ? s[s.length / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
    }

    /**
     * Runs small problems through every kernel until the JIT has compiled them: the interpreter runs Vector API
     * code orders of magnitude slower, and a first large call would otherwise be timed (or waited for) mostly
     * interpreted.
     */
    public void warmUpJit() {
        progress.accept("warming up the JIT on small problems");
        try (Arena arena = Arena.ofShared()) {
            SplittableRandom rnd = new SplittableRandom(1);
            for (WeightFormat f : new WeightFormat[] {WeightFormat.F32, WeightFormat.BF16}) {
                WeightMatrix w = WeightMatrix.of(randomWeights(arena, f, 512, 512, rnd), f, 512, 512);
                float[] a = random(rnd, 48 * 512), c = new float[48 * 512];
                for (int i = 0; i < 40; i++) Gemm.multiply(a, 48, w, c);
                for (int i = 0; i < 2000; i++) Gemm.multiply(a, 1, w, c);
                if (f == WeightFormat.F32) {
                    for (WeightMatrix q : List.of(w.toQ8_0(), w.toQ4_0())) {
                        for (int i = 0; i < 2000; i++) Gemm.multiply(a, 1, q, c);
                    }
                }
            }
            AttentionShape shape = new AttentionShape(4, 4, 128);
            float[] q = random(rnd, 200 * 512), k = random(rnd, 4 * 200 * 128), v = random(rnd, 4 * 200 * 128), out = new float[200 * 512];
            int[] pos = positions(200);
            for (int i = 0; i < 30; i++) {
                Attention.compute(q, 200, pos, k, v, 200, 200, pos, shape, out, new ContributionProbe(new int[] {199}, 10, 150));
            }
        }
    }

    /**
     * GEMM throughput: {@code m × k} activations times an {@code n × k} weight matrix stored in each of
     * {@code formats}. The formats' runs alternate, so that load drifting on a shared machine hits them alike and
     * their ratio stays meaningful.
     */
    public List<GemmResult> gemm(List<WeightFormat> formats, int m, int n, int k) {
        return gemm(formats, m, n, k, null).ours();
    }

    /** Our GEMMs at one shape, and OpenBLAS's sgemm timed in the same rounds (null without a peer). */
    public record GemmRound(List<GemmResult> ours, Timing openBlas) {}

    /** As {@link #gemm(List, int, int, int)}, with {@code peer}'s sgemm (if not null) as one more run of each round. */
    public GemmRound gemm(List<WeightFormat> formats, int m, int n, int k, OpenBlasSession peer) {
        progress.accept("GEMM " + formats + " " + m + " x " + n + " x " + k + (peer == null ? "" : ", OpenBLAS sgemm in the same rounds"));
        try (Arena arena = Arena.ofShared()) {
            SplittableRandom rnd = new SplittableRandom(n * 31L + k);
            List<TimedRun> runs = new ArrayList<>();
            float[] a = random(rnd, m * k), c = new float[m * n];
            for (WeightFormat f : formats) {
                WeightMatrix w = WeightMatrix.of(randomWeights(arena, f, n, k, rnd), f, n, k);
                runs.add(wallClock(() -> Gemm.multiply(a, m, w, c)));
            }
            if (peer != null) runs.add(() -> peer.sgemm(m, n, k));
            List<Timing> timings = alternateTimed(runs, repeats);
            List<GemmResult> results = new ArrayList<>();
            for (int i = 0; i < formats.size(); i++) results.add(new GemmResult(formats.get(i), m, n, k, timings.get(i)));
            return new GemmRound(results, peer == null ? null : timings.getLast());
        }
    }

    /**
     * One thread count's figures in {@link #threadScaling}: the F32 GEMM's GFLOP/s, the BF16 GEMV's and the
     * streaming read's GB/s, the last two timed in the same rounds.
     */
    public record ScalingPoint(int threads, double gemmGflops, double gemvGbps, double readGbps) {}

    /**
     * The same F32 GEMM ({@code m × n × k}) and BF16 GEMV ({@code n × k}, from memory), with the streaming read
     * beside it, at every thread count from 1 to {@code maxThreads}; the pool's thread count is restored after.
     * Thread counts alternate within each round, so that load drifting on a shared machine hits them alike.
     */
    public List<ScalingPoint> threadScaling(int maxThreads, int m, int n, int k) {
        progress.accept("thread scaling 1.." + maxThreads + ": GEMM F32 " + m + " x " + n + " x " + k + ", GEMV BF16 " + n + " x " + k + ", read");
        int before = Parallel.threads();
        try (Arena local = Arena.ofShared()) {
            SplittableRandom rnd = new SplittableRandom(n * 13L + k);
            float[] a = random(rnd, m * k), c = new float[m * n], x = random(rnd, k), y = new float[n];
            WeightMatrix w = WeightMatrix.of(randomWeights(local, WeightFormat.F32, n, k, rnd), WeightFormat.F32, n, k);
            List<WeightMatrix> copies = new ArrayList<>();
            for (long total = 0; total < GEMV_WORKING_SET; total += copies.getLast().bytes()) {
                copies.add(WeightMatrix.of(randomWeights(local, WeightFormat.BF16, n, k, rnd), WeightFormat.BF16, n, k));
            }
            MemorySegment buffer = bandwidthBuffer();
            List<Runnable> runs = new ArrayList<>();
            for (int t = 1; t <= maxThreads; t++) {
                int threads = t;
                runs.add(() -> {
                    Parallel.setThreads(threads);
                    Gemm.multiply(a, m, w, c);
                });
                runs.add(() -> {
                    Parallel.setThreads(threads);
                    for (WeightMatrix copy : copies) Gemm.multiply(x, 1, copy, y);
                });
                runs.add(() -> {
                    Parallel.setThreads(threads);
                    sink += sum(buffer);
                });
            }
            List<Timing> t = alternate(runs);
            List<ScalingPoint> points = new ArrayList<>();
            double gemvBytes = copies.size() * (double) copies.getFirst().bytes();
            for (int i = 0; i < maxThreads; i++) {
                points.add(new ScalingPoint(i + 1, 2.0 * m * n * k / t.get(3 * i).median() / 1e9,
                        gemvBytes / t.get(3 * i + 1).median() / 1e9, buffer.byteSize() / t.get(3 * i + 2).median() / 1e9));
            }
            return points;
        } finally {
            Parallel.setThreads(before);
        }
    }

    /** Times several pieces of work, each warmed up, then their timed runs interleaved round-robin. */
    List<Timing> alternate(List<Runnable> runs) {
        return alternate(runs, repeats);
    }

    List<Timing> alternate(List<Runnable> runs, int repeats) {
        return alternateTimed(runs.stream().map(KernelBench::wallClock).toList(), repeats);
    }

    /** A run that reports its own seconds: the wall clock around our kernels, the peer's own timer for OpenBLAS. */
    @FunctionalInterface
    interface TimedRun {
        double seconds();
    }

    static TimedRun wallClock(Runnable work) {
        return () -> {
            long t = System.nanoTime();
            work.run();
            return (System.nanoTime() - t) / 1e9;
        };
    }

    List<Timing> alternateTimed(List<TimedRun> runs, int repeats) {
        for (TimedRun r : runs) {
            for (int i = 0; i < warmups; i++) r.seconds();
        }
        double[][] samples = new double[runs.size()][repeats];
        for (int i = 0; i < repeats; i++) {
            for (int w = 0; w < runs.size(); w++) samples[w][i] = runs.get(w).seconds();
        }
        List<Timing> out = new ArrayList<>();
        for (double[] s : samples) out.add(new Timing(median(s), s));
        return out;
    }

    /**
     * GEMV bandwidth (bytes of W per second) for an {@code n × k} matrix in each of {@code formats} (Q8_0 and Q4_0
     * quantised from F32 as at load), timed in rounds together with the streaming read that it is compared with.
     */
    public List<GemvResult> gemv(List<WeightFormat> formats, int n, int k) {
        progress.accept("GEMV " + formats + " " + n + " x " + k + ", with the read bandwidth in the same rounds");
        try (Arena local = Arena.ofShared()) {
            SplittableRandom rnd = new SplittableRandom(n * 17L + k);
            float[] x = random(rnd, k), y = new float[n];
            List<Runnable> runs = new ArrayList<>();
            MemorySegment buffer = bandwidthBuffer();
            int readPasses = 2;
            runs.add(() -> {
                for (int p = 0; p < readPasses; p++) sink += sum(buffer);
            });
            int[] passes = new int[formats.size()];
            long[] bytes = new long[formats.size()];
            for (int f = 0; f < formats.size(); f++) {
                WeightFormat format = formats.get(f);
                boolean quantised = format == WeightFormat.Q8_0 || format == WeightFormat.Q4_0;
                List<WeightMatrix> copies = new ArrayList<>();
                long total = 0;
                // A quantised copy is made from one F32 matrix, each in memory of its own: an F32 source per copy would
                // hold 4 GiB (Q8_0) or 7 GiB (Q4_0) of sources for 1 GiB of copies. Equal contents read as fast as any.
                try (Arena sources = Arena.ofShared()) {
                    WeightMatrix source = quantised ? WeightMatrix.of(randomWeights(sources, WeightFormat.F32, n, k, rnd), WeightFormat.F32, n, k) : null;
                    while (total < GEMV_WORKING_SET) {
                        WeightMatrix w = switch (format) {
                            case Q8_0 -> source.toQ8_0();
                            case Q4_0 -> source.toQ4_0();
                            default -> WeightMatrix.of(randomWeights(local, format, n, k, rnd), format, n, k);
                        };
                        copies.add(w);
                        total += w.bytes();
                    }
                }
                bytes[f] = copies.getFirst().bytes();
                int count = copies.size() * Math.max(1, (int) Math.ceil(2.0 * GEMV_WORKING_SET / total));
                passes[f] = count;
                runs.add(() -> {
                    for (int i = 0; i < count; i++) Gemm.multiply(x, 1, copies.get(i % copies.size()), y);
                });
            }
            List<Timing> t = alternate(runs);
            Timing read = bytesPerSecond(t.getFirst(), readPasses * (double) buffer.byteSize());
            List<GemvResult> results = new ArrayList<>();
            for (int f = 0; f < formats.size(); f++) {
                results.add(new GemvResult(formats.get(f), n, k, bytes[f], perCall(t.get(f + 1), passes[f]), read));
            }
            return results;
        }
    }

    /** Seconds per call, from runs of {@code calls} calls each. */
    private static Timing perCall(Timing t, int calls) {
        double[] s = Arrays.stream(t.samples()).map(x -> x / calls).toArray();
        return new Timing(median(s), s);
    }

    /** Bytes per second, from runs that read {@code bytes} bytes each. */
    private static Timing bytesPerSecond(Timing t, double bytes) {
        double[] s = Arrays.stream(t.samples()).map(x -> bytes / x).toArray();
        return new Timing(median(s), s);
    }

    private MemorySegment bandwidthBuffer() {
        if (bandwidthBuffer == null) {
            MemorySegment b = arena.allocate(BANDWIDTH_BUFFER, 4096);
            Parallel.forRange((int) (BANDWIDTH_BUFFER >> 20), (from, to) ->
                    b.asSlice((long) from << 20, (long) (to - from) << 20).fill((byte) 0x3F)); // 0x3F3F3F3F: a normal float
            bandwidthBuffer = b;
        }
        return bandwidthBuffer;
    }

    /** Multi-threaded streaming read of a buffer far larger than the caches: bytes per second. */
    public Timing readBandwidth() {
        progress.accept("memory read bandwidth (" + (BANDWIDTH_BUFFER >> 20) + " MiB, " + Parallel.threads() + " threads)");
        MemorySegment buffer = bandwidthBuffer();
        int passes = 4;
        Timing t = time(() -> {
            for (int p = 0; p < passes; p++) sink += sum(buffer);
        });
        return bytesPerSecond(t, passes * (double) buffer.byteSize());
    }

    /**
     * Sums the buffer, each thread reading 1 MiB chunks as four concurrent sequential streams: one stream per
     * thread leaves DRAM bandwidth unused (too few misses in flight), and the GEMV loops read four rows at once.
     */
    private static double sum(MemorySegment buffer) {
        int chunks = (int) (buffer.byteSize() >> 20);
        double[] partial = new double[chunks];
        int quarter = 1 << 18;
        Parallel.forRange(chunks, (from, to) -> {
            for (int c = from; c < to; c++) {
                long s0 = (long) c << 20, s1 = s0 + quarter, s2 = s1 + quarter, s3 = s2 + quarter;
                FloatVector a0 = FloatVector.zero(F), a1 = a0, a2 = a0, a3 = a0;
                int step = F.vectorByteSize();
                // An int induction variable: C2 hoists the segment's bounds checks out of int loops, not long ones.
                for (int i = 0; i < quarter; i += step) {
                    a0 = a0.add(FloatVector.fromMemorySegment(F, buffer, s0 + i, ByteOrder.nativeOrder()));
                    a1 = a1.add(FloatVector.fromMemorySegment(F, buffer, s1 + i, ByteOrder.nativeOrder()));
                    a2 = a2.add(FloatVector.fromMemorySegment(F, buffer, s2 + i, ByteOrder.nativeOrder()));
                    a3 = a3.add(FloatVector.fromMemorySegment(F, buffer, s3 + i, ByteOrder.nativeOrder()));
                }
                partial[c] = a0.add(a1).add(a2).add(a3).reduceLanes(VectorOperators.ADD);
            }
        });
        double s = 0;
        for (double p : partial) s += p;
        return s;
    }

    /**
     * Causal self-attention of {@code tokens} queries over as many keys (prefill), without and with a contribution
     * probe for the last {@code probeRows} rows over the keys after a 35-token text prefix. Plain and probed runs
     * alternate so that drifting machine load hits both alike.
     */
    public AttentionResult attention(int tokens, int heads, int headDim, int probeRows) {
        progress.accept("attention " + tokens + " tokens x " + heads + " heads x " + headDim + ", probe " + probeRows + " row(s)");
        SplittableRandom rnd = new SplittableRandom(tokens);
        AttentionShape shape = new AttentionShape(heads, heads, headDim);
        float[] q = random(rnd, tokens * heads * headDim), k = random(rnd, heads * tokens * headDim),
                v = random(rnd, heads * tokens * headDim), out = new float[tokens * heads * headDim];
        int[] pos = positions(tokens);
        int[] rows = new int[probeRows];
        for (int i = 0; i < probeRows; i++) rows[i] = tokens - probeRows + i;
        int prefix = Math.min(35, tokens - 1);
        ContributionProbe probe = new ContributionProbe(rows, prefix, tokens - prefix);
        Runnable plain = () -> Attention.compute(q, tokens, pos, k, v, tokens, tokens, pos, shape, out, null);
        Runnable probed = () -> Attention.compute(q, tokens, pos, k, v, tokens, tokens, pos, shape, out, probe);
        // The probe's cost is small next to the noise of a shared machine: three times the repeats for this one.
        List<Timing> t = alternate(List.of(plain, probed), 3 * repeats);
        return new AttentionResult(tokens, heads, headDim, probeRows, t.get(0), t.get(1));
    }

    private static int[] positions(int n) {
        int[] p = new int[n];
        for (int i = 0; i < n; i++) p[i] = i;
        return p;
    }

    private static float[] random(SplittableRandom rnd, int n) {
        float[] a = new float[n];
        for (int i = 0; i < n; i++) a[i] = (float) (rnd.nextDouble() - 0.5);
        return a;
    }

    /** Random values in [-0.5, 0.5) stored little-endian as {@code format} (F32, F16 or BF16). */
    static MemorySegment randomWeights(Arena arena, WeightFormat format, int n, int k, SplittableRandom rnd) {
        long count = (long) n * k;
        boolean f32 = format == WeightFormat.F32;
        MemorySegment seg = arena.allocate(count * (f32 ? 4 : 2), 64);
        ValueLayout.OfFloat fl = ValueLayout.JAVA_FLOAT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
        ValueLayout.OfShort sl = ValueLayout.JAVA_SHORT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
        for (long i = 0; i < count; i++) {
            float x = (float) (rnd.nextDouble() - 0.5);
            switch (format) {
                case F32 -> seg.set(fl, i * 4, x);
                case BF16 -> seg.set(sl, i * 2, (short) (Float.floatToRawIntBits(x) >>> 16));
                case F16 -> seg.set(sl, i * 2, Float.floatToFloat16(x));
                case Q8_0, Q4_0 -> throw new IllegalArgumentException(format + " is quantised from F32");
            }
        }
        return seg.asReadOnly();
    }
}
