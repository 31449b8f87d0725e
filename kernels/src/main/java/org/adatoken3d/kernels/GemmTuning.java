package org.adatoken3d.kernels;

import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.SplittableRandom;
import java.util.function.Consumer;

/**
 * Measures GEMM plans on this machine and keeps the fastest in the wisdom file ({@link GemmWisdom}), which every
 * later process reads at start. The derived plan ({@link GemmPlan#forMachine}) is one of the candidates, so the
 * chosen plan is never one that measured slower than it.
 *
 * <p>Candidates: the tile heights that fit the registers, block depths kc of 256 to 2048, and the derived
 * panel count or 16 panels per block. Each is timed on a prefill-shaped GEMM (F32 W 2048 × 4096, 1470 rows of A: LLaVA-3D's prefill),
 * in interleaved rounds so that a burst of load on a shared machine hits every candidate alike; the figure is the
 * median round.
 */
public final class GemmTuning {
    static final int ROUNDS = 3;

    /** One candidate's median speed. */
    public record Timing(String plan, double gflops, boolean derived) {}

    /**
     * @param machine what the plan is keyed by: CPU model and vector width
     * @param timings every candidate, in the order timed
     * @param best    the fastest, the plan to keep
     */
    public record Result(String machine, List<Timing> timings, Timing best) {}

    private GemmTuning() {}

    /** Where the wisdom goes by default and every process reads it. */
    public static Path wisdomFile() {
        return GemmWisdom.file();
    }

    /** The plan this process runs with, e.g. "mr=4,kc=512,panels=8". */
    public static String currentPlan() {
        return GemmWisdom.format(GemmPlan.MACHINE);
    }

    /**
     * Refuses a wisdom file that could not be written or whose entries could not be kept, before the measuring is
     * spent; creates its folder if missing.
     */
    public static void requireWritable(Path file) throws IOException {
        GemmWisdom.requireWritable(file);
    }

    /** Times the candidates (about 20 s on two cores). */
    public static Result tune(Consumer<String> progress) {
        return measure(1470, 2048, 4096, progress);
    }

    /** The wisdom file's new text: {@code file}'s entries with this machine's set to the fastest plan of {@code r}. */
    public static String wisdomWith(Path file, Result r) throws IOException {
        return GemmWisdom.updated(file, r.machine(), GemmWisdom.parse(r.best().plan()));
    }

    static Result measure(int m, int n, int k, Consumer<String> progress) {
        GemmPlan derived = GemmPlan.forMachine(Simd.REGISTERS, CpuCaches.MACHINE);
        List<GemmPlan> plans = candidates(derived);
        SplittableRandom rnd = new SplittableRandom(17);
        MemorySegment ws = Arena.ofAuto().allocate((long) n * k * 4, 64);
        for (long i = 0; i < (long) n * k; i++) ws.setAtIndex(ValueLayout.JAVA_FLOAT, i, (float) (rnd.nextDouble() - 0.5));
        WeightMatrix w = WeightMatrix.of(ws, WeightFormat.F32, n, k);
        float[] a = new float[m * k];
        for (int i = 0; i < a.length; i++) a[i] = (float) (rnd.nextDouble() - 0.5);
        float[] c = new float[m * n];
        double[][] seconds = new double[plans.size()][ROUNDS];
        for (int round = -1; round < ROUNDS; round++) { // round -1 warms up every candidate's code
            progress.accept(round < 0 ? "warming up " + plans.size() + " GEMM plans" : "round " + (round + 1) + " of " + ROUNDS);
            for (int p = 0; p < plans.size(); p++) {
                long t0 = System.nanoTime();
                PackedGemm.multiply(plans.get(p), a, 0, m, w, c, 0);
                if (round >= 0) seconds[p][round] = (System.nanoTime() - t0) / 1e9;
            }
        }
        double flop = 2.0 * m * n * k;
        List<Timing> timings = new ArrayList<>();
        Timing best = null;
        for (int p = 0; p < plans.size(); p++) {
            double[] s = seconds[p].clone();
            Arrays.sort(s);
            Timing t = new Timing(GemmWisdom.format(plans.get(p)), flop / s[ROUNDS / 2] / 1e9, plans.get(p).equals(derived));
            timings.add(t);
            if (best == null || t.gflops() > best.gflops()) best = t;
        }
        return new Result(GemmWisdom.machineKey(), List.copyOf(timings), best);
    }

    static List<GemmPlan> candidates(GemmPlan derived) {
        Set<GemmPlan> plans = new LinkedHashSet<>();
        plans.add(derived);
        for (int mr : GemmPlan.TILE_ROWS) {
            if (mr > derived.mr() || mr < derived.mr() - 2) continue; // taller tiles than derived spill, see GemmPlan
            for (int kc : new int[] {256, 512, 1024, 2048}) {
                int panelsInHalfL2 = (int) Math.clamp(CpuCaches.MACHINE.l2() / 2 / ((long) PackedGemm.NR * kc * 4), 1, 64);
                plans.add(new GemmPlan(mr, kc, panelsInHalfL2));
                plans.add(new GemmPlan(mr, kc, 16));
            }
        }
        return List.copyOf(plans);
    }
}
