package org.adatoken3d.pruning;

import org.adatoken3d.kernels.EngineArgumentException;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.function.ToDoubleFunction;
import org.adatoken3d.pruning.FlopsModel.Logits;
import org.adatoken3d.pruning.GatePolicy.AdaptiveGate;
import org.adatoken3d.pruning.PruningProfile.LayerProfile;
import org.adatoken3d.pruning.PruningProfile.TargetMetric;

/**
 * Attention pattern mining (DESIGN.md §2.1, "automatic strategy"): from unpruned runs over a few inputs, choose the
 * gate layer K and the threshold τ for a model, and write them down as a {@link PruningProfile}.
 *
 * <p><b>Stability.</b> For layer l and one input, the mean Spearman rank correlation between c^l and c^m over every
 * deeper layer m &gt; l; {@link #stability()} averages that over inputs. It asks: if we ranked spatial tokens at
 * layer l, would the deeper layers (the ones we prune) agree on which tokens matter? Ties get average ranks; a
 * constant c (nothing to rank) correlates 0 with anything. The last layer has no deeper layer: NaN.
 *
 * <p><b>K</b> = 1 + the earliest layer whose stability reaches the bound ({@link #DEFAULT_STABILITY_BOUND} 0.5),
 * so the gate reads the first layer whose ranking already predicts the deeper ones. If none reaches it, the most
 * stable layer is taken (the profile records the bound, so {@link PruningProfile#stableGate()} tells).
 * Why 0.5: for N ≈ 1400 tokens a Spearman correlation above about 0.05 already rules out chance, so the bound is
 * about substance, not significance: at 0.5 the two rankings share a majority of their ordering (for
 * Gaussian-like scores, ρ = 0.5 keeps most of the top tokens of one ranking in the top of the other), while a
 * bound near 1 would push K deep into the model and forfeit most of the saving (only layers ≥ K are cheaper).
 *
 * <p><b>τ</b> is searched on {@link #TAU_GRID}: for a FLOPs target, the smallest τ whose mean predicted prefill
 * saving (FLOPs model, per-input keep counts from the calibration inputs' own c^{K−1}, LM head on the last token)
 * reaches the target; for an agreement target, the largest τ such that the caller's evaluator stays at or above
 * it for that τ and every smaller grid τ (evaluation stops at the first miss; if even the smallest misses, τ = 0).
 */
public final class Calibration {

    /** The default bound on {@link #stability()}; see the class comment for why 0.5. */
    public static final double DEFAULT_STABILITY_BOUND = 0.5;
    /** The τ reported as R^l(τ) in profiles: the paper's "under 5%". */
    public static final double REDUNDANCY_TAU = 0.05;
    /** Candidate thresholds, ascending: fine steps where budgets move fast, coarse beyond. */
    public static final List<Double> TAU_GRID = List.of(0.005, 0.01, 0.02, 0.03, 0.04, 0.05, 0.06, 0.08, 0.10, 0.12,
            0.15, 0.20, 0.25, 0.30, 0.35, 0.40, 0.45, 0.50);

    private final String model;
    private final String family;
    private final DecoderShape shape;
    private final QuerySet query;
    private final List<CalibrationSample> samples;
    private final int minKeep;
    private final int maxKeep;
    private final double stabilityBound;
    private double[] stability; // computed on first use

    /**
     * @param model   the model's name or id, written into the profile
     * @param family  its decoder family (e.g. {@code llama}, {@code qwen2})
     * @param shape   its decoder shape, for the FLOPs model; {@code shape.layers()} stats per sample
     * @param query   the query set the samples' contributions were measured with
     * @param samples the calibration inputs' unpruned statistics
     */
    public Calibration(String model, String family, DecoderShape shape, QuerySet query, List<CalibrationSample> samples) {
        this(model, family, shape, query, samples, 1, AdaptiveGate.UNBOUNDED, DEFAULT_STABILITY_BOUND);
    }

    private Calibration(String model, String family, DecoderShape shape, QuerySet query, List<CalibrationSample> samples,
            int minKeep, int maxKeep, double stabilityBound) {
        if (model == null || model.isBlank()) throw new IllegalArgumentException("calibration: model name is empty");
        if (family == null) throw new IllegalArgumentException("calibration: family is null");
        if (shape == null || query == null) throw new IllegalArgumentException("calibration: shape and query are required");
        if (shape.layers() < 2) {
            throw new EngineArgumentException("model", "cannot be calibrated: a gate needs at least 2 layers, the model has " + shape.layers());
        }
        if (samples == null || samples.isEmpty()) throw new IllegalArgumentException("calibration: no inputs");
        for (int i = 0; i < samples.size(); i++) {
            if (samples.get(i).layers().size() != shape.layers()) {
                throw new IllegalArgumentException("calibration: input " + i + " has stats for "
                        + samples.get(i).layers().size() + " layers, the model has " + shape.layers());
            }
        }
        new AdaptiveGate(1, 0, minKeep, maxKeep); // validates the bounds
        if (!Double.isFinite(stabilityBound)) throw new IllegalArgumentException("calibration: stability bound is not a number");
        this.model = model;
        this.family = family;
        this.shape = shape;
        this.query = query;
        this.samples = List.copyOf(samples);
        this.minKeep = minKeep;
        this.maxKeep = maxKeep;
        this.stabilityBound = stabilityBound;
    }

    /** The same calibration with keep-count bounds for the gate it chooses. */
    public Calibration withKeepBounds(int min, int max) {
        return new Calibration(model, family, shape, query, samples, min, max, stabilityBound);
    }

    /** The same calibration with another bound on rank stability. */
    public Calibration withStabilityBound(double bound) {
        return new Calibration(model, family, shape, query, samples, minKeep, maxKeep, bound);
    }

    /** Mean S^l over inputs, per layer. */
    public double[] meanSpatialShare() {
        double[] s = new double[shape.layers()];
        for (CalibrationSample sample : samples) {
            for (int l = 0; l < s.length; l++) s[l] += sample.layer(l).spatialShare() / samples.size();
        }
        return s;
    }

    /** Mean R^l(τ) over inputs, per layer. */
    public double[] meanRedundancy(double tau) {
        double[] r = new double[shape.layers()];
        for (CalibrationSample sample : samples) {
            for (int l = 0; l < r.length; l++) r[l] += sample.layer(l).redundancy(tau) / samples.size();
        }
        return r;
    }

    /** Per layer, the mean over inputs of the mean Spearman correlation of c^l with deeper layers; last: NaN. */
    public double[] stability() {
        if (stability == null) {
            int layers = shape.layers();
            double[] s = new double[layers];
            for (CalibrationSample sample : samples) {
                double[][] ranks = new double[layers][];
                for (int l = 0; l < layers; l++) ranks[l] = ranks(sample.layer(l).contribution());
                for (int l = 0; l < layers - 1; l++) {
                    double sum = 0;
                    for (int m = l + 1; m < layers; m++) sum += pearson(ranks[l], ranks[m]);
                    s[l] += sum / (layers - 1 - l) / samples.size();
                }
            }
            s[layers - 1] = Double.NaN;
            stability = s;
        }
        return stability.clone();
    }

    /** K: one past the earliest layer whose stability reaches the bound, else one past the most stable layer. */
    public int gateLayer() {
        double[] s = stability();
        int best = 0;
        for (int l = 0; l < s.length - 1; l++) {
            if (s[l] >= stabilityBound) return l + 1;
            if (s[l] > s[best]) best = l;
        }
        return best + 1;
    }

    /** The adaptive gate this calibration would prescribe at threshold {@code tau}. */
    public AdaptiveGate gate(double tau) {
        return new AdaptiveGate(gateLayer(), tau, minKeep, maxKeep, query);
    }

    /**
     * Mean over the calibration inputs of the predicted prefill FLOPs saving of {@code policy}, each input's keep
     * count taken from its own contribution at layer K−1 (LM head on the last token).
     */
    public double meanPredictedSaving(GatePolicy policy) {
        if (!policy.gates()) return 0;
        policy.checkLayers(shape.layers());
        FlopsModel flops = new FlopsModel(shape);
        double sum = 0;
        for (CalibrationSample sample : samples) {
            KeepSet keep = policy.keepSet(sample.layer(policy.layer() - 1).contribution());
            sum += flops.report(sample.promptTokens(), policy.layer(), keep, Logits.LAST_TOKEN).prefillSaving();
        }
        return sum / samples.size();
    }

    /** The profile whose τ is the smallest grid value with a mean predicted prefill saving of at least {@code saving}. */
    public PruningProfile targetFlops(double saving) {
        if (!(saving > 0 && saving < 1)) {
            throw new EngineArgumentException("targetFlops", "must be a saving in (0, 1), e.g. 0.63; got " + saving);
        }
        double tau = TAU_GRID.getLast();
        double achieved = Double.NaN;
        for (double t : TAU_GRID) {
            double s = meanPredictedSaving(gate(t));
            if (s >= saving) {
                tau = t;
                achieved = s;
                break;
            }
        }
        // Not reached: the saving grows with τ, so the largest τ comes closest; the profile says targetMet() false.
        if (Double.isNaN(achieved)) achieved = meanPredictedSaving(gate(tau));
        return profile(tau, TargetMetric.FLOPS_SAVING, saving, achieved);
    }

    /**
     * The profile whose τ is the largest grid value for which {@code evaluator} (e.g. greedy agreement with the
     * unpruned model on the calibration inputs) stays at or above {@code agreement}, for it and every smaller τ.
     */
    public PruningProfile targetAgreement(double agreement, ToDoubleFunction<GatePolicy> evaluator) {
        if (!(agreement > 0 && agreement <= 1)) {
            throw new EngineArgumentException("targetAgreement", "must be in (0, 1], e.g. 0.99; got " + agreement);
        }
        double tau = Double.NaN;
        double achieved = Double.NaN;
        for (double t : TAU_GRID) {
            double a = evaluator.applyAsDouble(gate(t));
            if (!(a >= agreement)) break;
            tau = t;
            achieved = a;
        }
        if (Double.isNaN(tau)) {
            tau = 0;
            achieved = evaluator.applyAsDouble(gate(0));
        }
        return profile(tau, TargetMetric.AGREEMENT, agreement, achieved);
    }

    private PruningProfile profile(double tau, TargetMetric metric, double target, double achieved) {
        double[] share = meanSpatialShare();
        double[] redundancy = meanRedundancy(REDUNDANCY_TAU);
        double[] stable = stability();
        List<LayerProfile> rows = new ArrayList<>();
        for (int l = 0; l < shape.layers(); l++) rows.add(new LayerProfile(l, share[l], redundancy[l], stable[l]));
        return new PruningProfile(model, family, shape.layers(), gateLayer(), tau, query, minKeep, maxKeep,
                stabilityBound, REDUNDANCY_TAU, rows, metric, target, achieved, meanPredictedSaving(gate(tau)),
                samples.size(), Instant.now().truncatedTo(ChronoUnit.SECONDS).toString());
    }

    /** Ranks 1..n of {@code values}, ties sharing their average rank. */
    static double[] ranks(double[] values) {
        int n = values.length;
        Integer[] order = new Integer[n];
        for (int i = 0; i < n; i++) order[i] = i;
        Arrays.sort(order, (a, b) -> Double.compare(values[a], values[b]));
        double[] rank = new double[n];
        for (int i = 0; i < n; ) {
            int j = i;
            while (j + 1 < n && values[order[j + 1]] == values[order[i]]) j++;
            double average = (i + j) / 2.0 + 1;
            for (int k = i; k <= j; k++) rank[order[k]] = average;
            i = j + 1;
        }
        return rank;
    }

    /** Spearman's ρ of two samples: Pearson's r of their ranks; 0 when either has no spread. */
    static double spearman(double[] x, double[] y) {
        return pearson(ranks(x), ranks(y));
    }

    private static double pearson(double[] x, double[] y) {
        int n = x.length;
        if (n != y.length) throw new IllegalArgumentException("rank correlation of different lengths " + n + ", " + y.length);
        if (n < 2) return 0;
        double mx = 0, my = 0;
        for (int i = 0; i < n; i++) {
            mx += x[i];
            my += y[i];
        }
        mx /= n;
        my /= n;
        double sxy = 0, sxx = 0, syy = 0;
        for (int i = 0; i < n; i++) {
            double dx = x[i] - mx, dy = y[i] - my;
            sxy += dx * dy;
            sxx += dx * dx;
            syy += dy * dy;
        }
        if (sxx == 0 || syy == 0) return 0;
        return Math.max(-1, Math.min(1, sxy / Math.sqrt(sxx * syy)));
    }
}
