package org.adatoken3d.testing;

import java.util.SplittableRandom;

/**
 * The project's one harness for property tests: many seeded random cases, each reproducible on its own.
 *
 * <p>Every case gets its own seed derived from a base seed, so a failure can be replayed alone. The base seed
 * is fixed (runs are repeatable) unless {@code -Dadatoken3d.seed} overrides it; {@code -Dadatoken3d.case=SEED}
 * replays the one case with that seed (a property with no such case fails, so a mistyped seed cannot pass);
 * {@code -Dadatoken3d.cases=N} runs N cases of every property in place of each property's own count. A failure
 * names the seed and the Maven command that replays exactly that case.
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
        run(null, property, count, check);
    }

    /**
     * As {@link #run(String, int, Case)} for a property declared in an abstract test class: the replay command names
     * {@code testClass}, the concrete class Surefire can run, in place of the class that declares the method.
     */
    public static void run(Class<?> testClass, String property, int count, Case check) {
        int ran = forEachCase(testClass, property, count, check);
        if (ran == 0) {
            throw new AssertionError("property " + property + " has no case with seed " + System.getProperty("adatoken3d.case")
                    + " among its " + cases(count) + " cases (base seed " + System.getProperty("adatoken3d.seed", "default") + ")");
        }
    }

    /**
     * Draws the inputs of the cases {@link #run} would check (fixtures for an oracle run once over all of them), and
     * none when {@code -Dadatoken3d.case} names a seed these cases lack; a failure is reported as by {@code run}.
     */
    public static void draw(String what, int count, Case draw) {
        forEachCase(null, what, count, draw);
    }

    private static int forEachCase(Class<?> testClass, String property, int count, Case check) {
        long base = parseSeed(System.getProperty("adatoken3d.seed", Long.toString(DEFAULT_BASE_SEED)));
        String only = System.getProperty("adatoken3d.case");
        int cases = cases(count);
        int ran = 0;
        for (int i = 0; i < cases; i++) {
            long seed = caseSeed(base, i);
            if (only != null && parseSeed(only) != seed) continue;
            ran++;
            try {
                check.check(new SplittableRandom(seed));
            } catch (Throwable failure) {
                String replay = String.format(
                        "property %s failed at case %d of %d, seed 0x%x%n  replay: ./run-tests -Dtest='%s' -Dsurefire.failIfNoSpecifiedTests=false -Dadatoken3d.case=0x%x%n  cause: %s",
                        property, i, cases, seed, callerTest(testClass), seed, failure);
                System.err.println(replay);
                throw new AssertionError(replay, failure);
            }
        }
        return ran;
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

    private static int cases(int count) {
        String given = System.getProperty("adatoken3d.cases");
        if (given == null) return count;
        int n = Integer.parseInt(given.trim());
        if (n < 1) throw new IllegalArgumentException("-Dadatoken3d.cases must be >= 1, got " + given);
        return n;
    }

    private static String callerTest(Class<?> testClass) {
        for (StackTraceElement e : Thread.currentThread().getStackTrace()) {
            String c = e.getClassName();
            if (!c.equals(SeededCases.class.getName()) && !c.startsWith("java.")) {
                String simple = c.substring(c.lastIndexOf('.') + 1);
                int inner = simple.indexOf('$');
                String declaring = inner < 0 ? simple : simple.substring(0, inner);
                return (testClass != null ? testClass.getSimpleName() : declaring) + "#" + e.getMethodName().replaceAll("^lambda\\$(.*)\\$\\d+$", "$1");
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
