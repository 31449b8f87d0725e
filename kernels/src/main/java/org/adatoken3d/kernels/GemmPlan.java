package org.adatoken3d.kernels;

import java.nio.file.Path;
import java.util.Optional;

/**
 * The shape of {@link PackedGemm}'s work on one machine: the micro-kernel's tile and the cache blocks around it.
 *
 * <p>Derived from the machine ({@link #forMachine}) as follows:
 * <ul>
 *   <li><b>Tile</b>: {@code mr} rows of A times one panel of {@link PackedGemm#NR} = 2 vectors of W's rows, with
 *       the 2·mr accumulators, 2 panel vectors and a broadcast in registers. With 32 vector registers (AVX-512,
 *       Arm) that is 8×2 (19 live); with 16 (AVX2) it is 4×2 (11 live). The 6×2 tile (15 live) would fit 16
 *       registers, but C2 hoists its broadcasts and spills an accumulator: on a Zen 3 core it ran at less than half
 *       the 4-row kernel's speed from L1 (one thread), and {@code tune} chose 4 rows over 6 on Zen 1 (1.18×) and
 *       Zen 3 (1.6-1.8×).
 *   <li><b>kc</b>, the depth of a block: the mr×kc slice of A is re-read for every panel, so it must stay in L1d;
 *       it gets a quarter of it (the panel stream and C's tile share the rest), rounded down to a power of two.
 *       On the Zen 5 VM (48 KiB L1d) this gives 256, which measured faster there than 384 or 512.
 *   <li><b>blockPanels</b>, the panels packed together: they are swept once per mr rows of A, so they must stay
 *       in L2, with half of it left for A's rows, C and the other thread's lines: packed block ≤ L2/2.
 * </ul>
 * These rules are a starting point, not an optimum: on the Zen 1 VM kc 1024 beat 256 by 10% (two threads), on the
 * Zen 5 VM 256 beat 512. {@link GemmTuning} measures candidates and keeps the best per CPU model
 * ({@link GemmWisdom}); the system property {@value #PROPERTY} overrides any of the three, e.g.
 * {@code -Dadatoken3d.gemm=mr=8,kc=128}.
 *
 * @param mr          rows of A per micro-kernel call: 4, 6 or 8
 * @param kc          columns of A (and W) per cache block, a positive multiple of 8
 * @param blockPanels W panels packed per block, at least 1
 */
record GemmPlan(int mr, int kc, int blockPanels) {
    static final String PROPERTY = "adatoken3d.gemm";
    /** The micro-kernels that exist; see {@link PackedGemm#tile}. */
    static final int[] TILE_ROWS = {4, 6, 8};

    /**
     * The plan every GEMM of this process uses: the one {@link GemmTuning} measured best on this CPU model if the
     * wisdom file has it, else the derived one; {@value #PROPERTY} overrides either.
     */
    static final GemmPlan MACHINE;
    /** Where {@link #MACHINE} came from, for reports: "derived", "tuned (FILE)", with "-Dadatoken3d.gemm" where set. */
    static final String MACHINE_SOURCE;

    static {
        Path wisdom = GemmWisdom.file();
        Optional<GemmPlan> tuned = GemmWisdom.read(wisdom, GemmWisdom.machineKey());
        String override = System.getProperty(PROPERTY);
        MACHINE = withOverrides(tuned.orElseGet(() -> forMachine(Simd.REGISTERS, CpuCaches.MACHINE)), override);
        String base = tuned.isPresent() ? "tuned (" + wisdom + ")" : "derived";
        MACHINE_SOURCE = override == null || override.isBlank() ? base : base + ", -D" + PROPERTY + "=" + override;
    }

    GemmPlan {
        if (mr != 4 && mr != 6 && mr != 8) throw new IllegalArgumentException("GEMM tile rows must be 4, 6 or 8, got " + mr);
        if (kc < 8 || kc % 8 != 0) throw new IllegalArgumentException("GEMM block depth kc must be a positive multiple of 8, got " + kc);
        if (blockPanels < 1) throw new IllegalArgumentException("GEMM block must hold at least one panel, got " + blockPanels);
    }

    static GemmPlan forMachine(int registers, CpuCaches caches) {
        int mr = registers >= 32 ? 8 : 4;
        long aSlice = caches.l1d() / 4 / (mr * 4L);
        int kc = (int) Math.clamp(Long.highestOneBit(Math.max(aSlice, 1)), 64, 1024);
        long panelBytes = (long) PackedGemm.NR * kc * 4;
        int panels = (int) Math.clamp(caches.l2() / 2 / panelBytes, 1, 64);
        return new GemmPlan(mr, kc, panels);
    }

    /** {@code spec}: comma-separated {@code mr=N}, {@code kc=N}, {@code panels=N}, each optional; null or blank keeps the plan. */
    static GemmPlan withOverrides(GemmPlan plan, String spec) {
        return withOverrides(plan, spec, "-D" + PROPERTY + "=" + spec);
    }

    /** As {@link #withOverrides(GemmPlan, String)}, errors naming the spec as {@code label}. */
    static GemmPlan withOverrides(GemmPlan plan, String spec, String label) {
        if (spec == null || spec.isBlank()) return plan;
        int mr = plan.mr, kc = plan.kc, panels = plan.blockPanels;
        for (String part : spec.split(",")) {
            String[] kv = part.trim().split("=", 2);
            int value;
            try {
                value = kv.length == 2 ? Integer.parseInt(kv[1].trim()) : -1;
            } catch (NumberFormatException e) {
                value = -1;
            }
            if (value < 0) throw new IllegalArgumentException(label + ": expected mr=N, kc=N or panels=N, got \"" + part.trim() + "\"");
            switch (kv[0].trim()) {
                case "mr" -> mr = value;
                case "kc" -> kc = value;
                case "panels" -> panels = value;
                default -> throw new IllegalArgumentException(label + ": unknown key \"" + kv[0].trim() + "\" (mr, kc, panels)");
            }
        }
        return new GemmPlan(mr, kc, panels);
    }

    /** Floats of one packed block: the per-thread scratch size. */
    int packedFloats() {
        return blockPanels * PackedGemm.NR * kc;
    }

    @Override
    public String toString() {
        return mr + "x" + PackedGemm.NR + " tile, kc " + kc + ", " + blockPanels + " panels per block";
    }
}
