package org.adatoken3d.testing;

import java.util.SplittableRandom;

/**
 * The project's one harness for property tests: many seeded random cases, each reproducible on its own.
 *
 * <p>Every case gets its own seed derived from a base seed, so a failure can be replayed alone. The base seed
 * is fixed (runs are repeatable) unless {@code -Dadatoken3d.seed} overrides it; {@code -Dadatoken3d.case}
 * replays one case; {@code -Dadatoken3d.cases} scales the number of cases. A failure names the seed and the
 * Maven command that replays exactly that case.
 */
public final class SeededCases {
    /** Base seed used when none is given: fixed so that CI runs are repeatable. */
    public static final long DEFAULT_BASE_SEED = 0x5EEDADA3DL;

    @FunctionalInterface
    public interface Case {
        void check(SplittableRandom random) throws Exception;
    }

    private SeededCases() {}

    /** Runs {@code count} cases of {@code property}; on the first failure throws with the case's seed. */
    public static void run(String property, int count, Case check) {
        long base = parseSeed(System.getProperty("adatoken3d.seed", Long.toString(DEFAULT_BASE_SEED)));
        String only = System.getProperty("adatoken3d.case");
        int cases = scaled(count);
        for (int i = 0; i < cases; i++) {
            long seed = caseSeed(base, i);
            if (only != null && parseSeed(only) != seed) continue;
            try {
                check.check(new SplittableRandom(seed));
            } catch (Throwable failure) {
                String replay = String.format(
                        "property %s failed at case %d of %d, seed 0x%x%n  replay: ./run-tests -Dtest='%s' -Dsurefire.failIfNoSpecifiedTests=false -Dadatoken3d.case=0x%x%n  cause: %s",
                        property, i, cases, seed, callerTest(), seed, failure);
                System.err.println(replay);
                AssertionError error = new AssertionError(replay, failure);
                throw error;
            }
        }
    }

    /** A seed as printed (0x-prefixed hex, all 64 bits) or as a decimal. */
    public static long parseSeed(String text) {
        String t = text.trim();
        return t.startsWith("0x") || t.startsWith("0X") ? Long.parseUnsignedLong(t.substring(2), 16) : Long.parseLong(t);
    }

    /** The seed of case {@code index}: a SplitMix step so neighbouring cases are unrelated. */
    public static long caseSeed(long base, int index) {
        long z = base + 0x9E3779B97F4A7C15L * (index + 1);
        z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
        z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
        return z ^ (z >>> 31);
    }

    private static int scaled(int count) {
        String factor = System.getProperty("adatoken3d.cases");
        return factor == null ? count : Math.max(1, Integer.parseInt(factor));
    }

    private static String callerTest() {
        for (StackTraceElement e : Thread.currentThread().getStackTrace()) {
            String c = e.getClassName();
            if (!c.equals(SeededCases.class.getName()) && !c.startsWith("java.")) {
                String simple = c.substring(c.lastIndexOf('.') + 1);
                int inner = simple.indexOf('$');
                return (inner < 0 ? simple : simple.substring(0, inner)) + "#" + e.getMethodName().replaceAll("^lambda\\$(.*)\\$\\d+$", "$1");
            }
        }
        return "?";
    }

    /** Random int in [lo, hi], inclusive. */
    public static int between(SplittableRandom r, int lo, int hi) {
        return lo + r.nextInt(hi - lo + 1);
    }

    /** Array of uniform values in [-scale, scale). */
    public static float[] uniform(SplittableRandom r, int n, float scale) {
        float[] a = new float[n];
        for (int i = 0; i < n; i++) a[i] = (float) ((r.nextDouble() * 2 - 1) * scale);
        return a;
    }
}
