package org.adatoken3d.pruning;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import org.adatoken3d.pruning.FlopsModel.Logits;
import org.adatoken3d.pruning.GatePolicy.AdaptiveGate;
import org.adatoken3d.pruning.PruningProfile.TargetMetric;
import org.adatoken3d.testing.SeededCases;
import org.junit.jupiter.api.Test;

class CalibrationTest {

    private static final DecoderShape SHAPE = new DecoderShape(256, 688, 8, 4, 2, 64, 1000, true);

    /**
     * Synthetic unpruned statistics: layers before {@code stableFrom} attend to the scene at random; from
     * {@code stableFrom} on, every layer follows one heavy-tailed per-input importance with a little noise.
     */
    private static List<CalibrationSample> planted(SplittableRandom r, int layers, int stableFrom, int inputs) {
        List<CalibrationSample> samples = new ArrayList<>();
        for (int s = 0; s < inputs; s++) {
            int n = SeededCases.between(r, 150, 300);
            double[] importance = new double[n];
            for (int i = 0; i < n; i++) importance[i] = 3 * r.nextGaussian();
            List<LayerStats> stats = new ArrayList<>();
            for (int l = 0; l < layers; l++) {
                float[] a = new float[n];
                for (int i = 0; i < n; i++) {
                    double logit = l < stableFrom ? 3 * r.nextGaussian() : importance[i] + 0.3 * r.nextGaussian();
                    a[i] = (float) (0.4 * Math.exp(logit) / n);
                }
                stats.add(LayerStats.of(l, Contribution.of(a)));
            }
            samples.add(new CalibrationSample(n + SeededCases.between(r, 20, 80), stats));
        }
        return samples;
    }

    @Test
    void picksThePlantedStableLayer() {
        SeededCases.run("picksThePlantedStableLayer", 20, r -> {
            int stableFrom = SeededCases.between(r, 0, SHAPE.layers() - 2);
            Calibration cal = new Calibration("m", "llama", SHAPE, QuerySet.LAST, planted(r, SHAPE.layers(), stableFrom, 3));
            double[] s = cal.stability();
            for (int l = 0; l < SHAPE.layers() - 1; l++) {
                if (l < stableFrom) assertTrue(Math.abs(s[l]) < 0.2, "layer " + l + " stability " + s[l]);
                else assertTrue(s[l] > 0.9, "layer " + l + " stability " + s[l]);
            }
            assertTrue(Double.isNaN(s[SHAPE.layers() - 1]));
            assertEquals(stableFrom + 1, cal.gateLayer());
        });
    }

    @Test
    void withoutAStableLayerTheMostStableOneIsTaken() {
        SplittableRandom r = new SplittableRandom(3);
        Calibration cal = new Calibration("m", "llama", SHAPE, QuerySet.LAST, planted(r, SHAPE.layers(), 5, 3))
                .withStabilityBound(0.999);
        double[] s = cal.stability();
        int best = 0;
        for (int l = 0; l < s.length - 1; l++) if (s[l] > s[best]) best = l;
        assertEquals(best + 1, cal.gateLayer());
        assertFalse(cal.targetFlops(0.3).stableGate());
    }

    @Test
    void flopsTargetIsMetByTheSmallestSufficientTau() {
        SeededCases.run("flopsTargetIsMetByTheSmallestSufficientTau", 10, r -> {
            List<CalibrationSample> samples = planted(r, SHAPE.layers(), 2, 4);
            Calibration cal = new Calibration("m", "llama", SHAPE, QuerySet.LAST, samples);
            double target = 0.2 + 0.4 * r.nextDouble();
            PruningProfile p = cal.targetFlops(target);
            assertEquals(3, p.gateLayer());
            assertEquals(TargetMetric.FLOPS_SAVING, p.targetMetric());
            // Recompute the saving by hand: keep counts from R(tau), token counts, FLOPs before/after.
            FlopsModel flops = new FlopsModel(SHAPE);
            java.util.function.DoubleUnaryOperator saving = tau -> {
                double sum = 0;
                for (CalibrationSample s : samples) {
                    double[] c = s.layer(2).contribution();
                    int kept = Math.max(1, c.length - Redundancy.count(c, tau));
                    int[] n = new int[SHAPE.layers()];
                    for (int l = 0; l < n.length; l++) n[l] = l < 3 ? s.promptTokens() : s.promptTokens() - (c.length - kept);
                    int[] full = new int[SHAPE.layers()];
                    java.util.Arrays.fill(full, s.promptTokens());
                    sum += 1 - (double) flops.prefillFlops(n, Logits.LAST_TOKEN) / flops.prefillFlops(full, Logits.LAST_TOKEN);
                }
                return sum / samples.size();
            };
            int at = Calibration.TAU_GRID.indexOf(p.tau());
            assertTrue(at >= 0, "tau from the grid");
            assertEquals(saving.applyAsDouble(p.tau()), p.achieved(), 1e-12);
            assertEquals(p.achieved(), p.predictedFlopsSaving(), 0);
            if (p.targetMet()) {
                assertTrue(p.achieved() >= target);
                if (at > 0) assertTrue(saving.applyAsDouble(Calibration.TAU_GRID.get(at - 1)) < target, "a smaller tau sufficed");
            } else {
                assertEquals(Calibration.TAU_GRID.getLast(), p.tau());
            }
        });
    }

    @Test
    void anUnreachableFlopsTargetTakesTheLargestTauAndSaysSo() {
        Calibration cal = new Calibration("m", "llama", SHAPE, QuerySet.LAST, planted(new SplittableRandom(1), 8, 6, 2));
        PruningProfile p = cal.targetFlops(0.95);
        assertEquals(0.5, p.tau());
        assertFalse(p.targetMet());
        assertTrue(p.achieved() < 0.95 && p.achieved() > 0);
    }

    @Test
    void agreementTargetTakesTheLargestTauThatKeepsIt() {
        Calibration cal = new Calibration("m", "qwen2", SHAPE, QuerySet.INSTRUCTION, planted(new SplittableRandom(2), 8, 1, 2))
                .withKeepBounds(4, 100);
        List<Double> asked = new ArrayList<>();
        PruningProfile p = cal.targetAgreement(0.8, policy -> {
            AdaptiveGate g = (AdaptiveGate) policy;
            assertEquals(4, g.minKeep());
            assertEquals(100, g.maxKeep());
            assertEquals(QuerySet.INSTRUCTION, g.query());
            asked.add(g.tau());
            return 1 - 2 * g.tau();
        });
        assertEquals(0.10, p.tau());
        assertEquals(0.8, p.achieved(), 1e-12);
        assertEquals(List.of(0.005, 0.01, 0.02, 0.03, 0.04, 0.05, 0.06, 0.08, 0.10, 0.12), asked, "stops at the first miss");
        assertEquals(new AdaptiveGate(2, 0.10, 4, 100, QuerySet.INSTRUCTION), p.policy());
        assertEquals("qwen2", p.family());
        assertEquals(2, p.inputs());

        PruningProfile none = cal.targetAgreement(0.99, policy -> ((AdaptiveGate) policy).tau() == 0 ? 1.0 : 0.5);
        assertEquals(0.0, none.tau());
        assertEquals(1.0, none.achieved());
    }

    @Test
    void perLayerTableMatchesTheInputs() {
        List<CalibrationSample> samples = planted(new SplittableRandom(4), 8, 3, 3);
        PruningProfile p = new Calibration("m", "llama", SHAPE, QuerySet.LAST, samples).targetFlops(0.3);
        for (int l = 0; l < 8; l++) {
            double share = 0, red = 0;
            for (CalibrationSample s : samples) {
                share += s.layer(l).spatialShare() / 3;
                red += Redundancy.fraction(s.layer(l).contribution(), 0.05) / 3;
            }
            assertEquals(share, p.perLayer().get(l).spatialShare(), 1e-12);
            assertEquals(red, p.perLayer().get(l).redundancy(), 1e-12);
        }
    }

    @Test
    void spearmanMatchesTheRankDifferenceFormulaWithoutTies() {
        SeededCases.run("spearmanMatchesTheRankDifferenceFormulaWithoutTies", 200, r -> {
            int n = SeededCases.between(r, 2, 100);
            double[] x = new double[n], y = new double[n];
            for (int i = 0; i < n; i++) {
                x[i] = r.nextDouble();
                y[i] = r.nextBoolean() ? x[i] * x[i] + 0.1 * r.nextDouble() : r.nextDouble();
            }
            // rank by counting smaller elements: independent of the sort used in the code
            double d2 = 0;
            for (int i = 0; i < n; i++) {
                int rx = 0, ry = 0;
                for (int j = 0; j < n; j++) {
                    if (x[j] < x[i]) rx++;
                    if (y[j] < y[i]) ry++;
                }
                d2 += (double) (rx - ry) * (rx - ry);
            }
            double expected = 1 - 6 * d2 / (n * ((double) n * n - 1));
            assertEquals(expected, Calibration.spearman(x, y), 1e-9);
        });
    }

    @Test
    void spearmanHandlesTiesAndConstants() {
        assertEquals(1.0, Calibration.spearman(new double[] {1, 2, 3}, new double[] {10, 20, 30}), 1e-12);
        assertEquals(-1.0, Calibration.spearman(new double[] {1, 2, 3}, new double[] {3, 2, 1}), 1e-12);
        assertEquals(0.0, Calibration.spearman(new double[] {1, 1, 1}, new double[] {3, 2, 1}));
        assertEquals(List.of(1.5, 1.5, 3.0, 4.5, 4.5),
                java.util.Arrays.stream(Calibration.ranks(new double[] {0, 0, 1, 2, 2})).boxed().toList());
    }

    @Test
    void inconsistentInputsAreRejected() {
        SplittableRandom r = new SplittableRandom(5);
        List<CalibrationSample> samples = planted(r, 6, 2, 1);
        assertThrows(IllegalArgumentException.class, () -> new Calibration("m", "llama", SHAPE, QuerySet.LAST, samples));
        assertThrows(IllegalArgumentException.class, () -> new Calibration("m", "llama", SHAPE, QuerySet.LAST, List.of()));
        List<LayerStats> skipped = List.of(new LayerStats(0, 0.1, new double[] {1}), new LayerStats(2, 0.1, new double[] {1}));
        assertThrows(IllegalArgumentException.class, () -> new CalibrationSample(5, skipped));
        List<LayerStats> ragged = List.of(new LayerStats(0, 0.1, new double[] {1}), new LayerStats(1, 0.1, new double[] {0.5, 0.5}));
        assertThrows(IllegalArgumentException.class, () -> new CalibrationSample(5, ragged));
        assertThrows(IllegalArgumentException.class, () -> new Calibration("m", "llama", SHAPE.withLayers(8), QuerySet.LAST,
                planted(r, 8, 2, 1)).targetFlops(1.2));
    }
}
