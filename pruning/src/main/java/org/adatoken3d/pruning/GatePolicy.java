package org.adatoken3d.pruning;

import java.util.Arrays;
import java.util.SplittableRandom;
import org.adatoken3d.kernels.EngineArgumentException;

/**
 * When and how the spatial block is cut (DESIGN.md §2.1). A policy with {@link #layer()} K gates after layer
 * K−1: layers 0..K−1 see every token, the contribution measured in layer K−1 picks the {@link KeepSet}, and
 * layers K..L−1 (hidden states and KV caches) hold only the kept spatial tokens.
 *
 * <p>Every policy that gates ranks tokens the same way: by normalised contribution c descending, ties broken by
 * the lower index first. It differs only in how many tokens it keeps (or, for {@link RandomGate}, which).
 */
public sealed interface GatePolicy {
    /**
     * A policy as written on a command line ({@code none}, {@code tau=0.05}, {@code keep=0.3}, {@code fastv},
     * {@code random}, with options); see {@link PruneSpec}. {@code auto} needs the model's profile:
     * {@link PruneSpec#resolve}.
     */
    static GatePolicy parse(String spec) {
        return PruneSpec.parse(spec).policy();
    }


    /** DESIGN.md's default gate layer: gate after layer 1, on layer 1's contribution. */
    int DEFAULT_LAYER = 2;
    /** DESIGN.md's default τ: drop tokens that together hold at most 5% of the contribution. */
    double DEFAULT_TAU = 0.05;
    /** {@link #layer()} of a policy that never gates: no layer index reaches it. */
    int NEVER = Integer.MAX_VALUE;

    /** K: the first layer that sees the pruned block. {@link #NEVER} for {@link NoPruning}. */
    int layer();

    /** The query rows whose attention the contribution is measured over. */
    QuerySet query();

    /**
     * The spatial tokens to keep, given normalised contributions c measured in layer K−1 (as
     * {@link Contribution#normalized()} gives them: finite, non-negative, summing to 1).
     */
    KeepSet keepSet(double[] contribution);

    /** The spatial tokens to keep, given the attention a measured in layer K−1. */
    default KeepSet keepSet(Contribution contribution) {
        return keepSet(contribution.normalized());
    }

    /** False for {@link NoPruning}: the decoder need not collect attention statistics at all. */
    default boolean gates() {
        return true;
    }

    /** Throws unless K leaves at least one layer on each side of the gate in a model of {@code layers} layers. */
    default void checkLayers(int layers) {
        if (gates() && (layer() < 1 || layer() > layers - 1)) {
            throw new EngineArgumentException("prune", "gate layer K=" + layer() + " does not fit a model with " + layers
                    + " layers: K must be in 1.." + (layers - 1) + " (gate after layer K-1, prune layers K.."
                    + (layers - 1) + ")");
        }
    }

    /** Keeps every token: the unpruned baseline. */
    record NoPruning() implements GatePolicy {
        @Override
        public int layer() {
            return NEVER;
        }

        @Override
        public QuerySet query() {
            return QuerySet.LAST;
        }

        @Override
        public boolean gates() {
            return false;
        }

        @Override
        public KeepSet keepSet(double[] contribution) {
            return KeepSet.all(contribution.length);
        }
    }

    /**
     * AdaToken-3D's dynamic budget: the smallest set of tokens whose summed c is at least 1−τ, clamped to
     * [minKeep, min(maxKeep, N)] (the upper bound wins when N &lt; minKeep).
     *
     * <p>Implemented as its exact-arithmetic equivalent: drop the longest tail of the ranking whose summed c is at
     * most τ (the count {@link Redundancy#count} gives). Summing the tail, not the prefix, keeps the rule exact
     * where it matters: Σc is 1 only up to rounding, so a prefix may never "reach" 1−τ = 1, whereas the tail rule
     * at τ = 0 keeps precisely the tokens with c &gt; 0 (before clamping). Hence keptCount = N − R(τ)·N unclamped.
     */
    record AdaptiveGate(int layer, double tau, int minKeep, int maxKeep, QuerySet query) implements GatePolicy {
        /** maxKeep meaning "as many as the block holds". */
        public static final int UNBOUNDED = Integer.MAX_VALUE;

        public AdaptiveGate {
            checkLayer(layer);
            if (!(tau >= 0 && tau < 1)) throw new IllegalArgumentException("tau must be in [0, 1), got " + tau);
            if (minKeep < 0) throw new IllegalArgumentException("min keep must be >= 0, got " + minKeep);
            if (maxKeep < 1) throw new IllegalArgumentException("max keep must be >= 1, got " + maxKeep);
            if (minKeep > maxKeep) {
                throw new IllegalArgumentException("min keep " + minKeep + " exceeds max keep " + maxKeep);
            }
            if (query == null) throw new IllegalArgumentException("query set is null");
        }

        /** Last-token queries, keep at least one token, no upper bound. */
        public AdaptiveGate(int layer, double tau) {
            this(layer, tau, 1, UNBOUNDED, QuerySet.LAST);
        }

        public AdaptiveGate(int layer, double tau, int minKeep, int maxKeep) {
            this(layer, tau, minKeep, maxKeep, QuerySet.LAST);
        }

        /** DESIGN.md's defaults: K = 2, τ = 0.05, last-token queries, min 1, no max. */
        public static AdaptiveGate defaults() {
            return new AdaptiveGate(DEFAULT_LAYER, DEFAULT_TAU);
        }

        /** The budget before clamping: N minus the tokens that together hold at most τ of the contribution. */
        public int unclampedKeep(double[] c) {
            return c.length - Redundancy.count(c, tau);
        }

        @Override
        public KeepSet keepSet(double[] c) {
            int n = c.length;
            int k = Math.min(Math.max(unclampedKeep(c), minKeep), Math.min(maxKeep, n));
            return topByContribution(c, k);
        }
    }

    /**
     * A fixed share of the block: round(ratio·N) tokens by the common ranking, where round is half-up applied to
     * the decimal ratio (its shortest decimal form, as written on the command line), as the oracle does. The
     * count is clamped to [minKeep, min(maxKeep, N)] like the adaptive budget (the upper bound wins when N &lt;
     * minKeep); with the default minKeep of 1 a ratio never empties the scene.
     */
    record KeepRatio(int layer, double ratio, int minKeep, int maxKeep, QuerySet query) implements GatePolicy {
        public KeepRatio {
            checkLayer(layer);
            if (!(ratio >= 0 && ratio <= 1)) throw new IllegalArgumentException("keep ratio must be in [0, 1], got " + ratio);
            if (minKeep < 0 || maxKeep < 0) {
                throw new IllegalArgumentException("keep bounds must be non-negative, got min " + minKeep + ", max " + maxKeep);
            }
            if (query == null) throw new IllegalArgumentException("query set is null");
        }

        public KeepRatio(int layer, double ratio, QuerySet query) {
            this(layer, ratio, 1, AdaptiveGate.UNBOUNDED, query);
        }

        public KeepRatio(int layer, double ratio) {
            this(layer, ratio, QuerySet.LAST);
        }

        /** The number of tokens kept out of {@code n}. */
        public int keepCount(int n) {
            // Round the decimal the user wrote, not its binary approximation: keep=0.3 of 5 tokens is 1.5,
            // which rounds up to 2, although the double nearest 0.3 times 5 lies just below 1.5.
            int k = java.math.BigDecimal.valueOf(ratio).multiply(java.math.BigDecimal.valueOf(n))
                    .setScale(0, java.math.RoundingMode.HALF_UP).intValueExact();
            int hi = Math.min(maxKeep, n);
            return Math.min(Math.max(k, Math.min(minKeep, hi)), hi);
        }

        @Override
        public KeepSet keepSet(double[] c) {
            return topByContribution(c, keepCount(c.length));
        }
    }

    /** The FastV baseline: gate after layer 1 (K = 2), keep 50% by last-token attention. */
    record FastV() implements GatePolicy {
        private static final KeepRatio RULE = new KeepRatio(2, 0.5, QuerySet.LAST);

        @Override
        public int layer() {
            return RULE.layer();
        }

        @Override
        public QuerySet query() {
            return RULE.query();
        }

        @Override
        public KeepSet keepSet(double[] contribution) {
            return RULE.keepSet(contribution);
        }
    }

    /**
     * The random baseline: a seeded uniform subset of exactly as many tokens as {@code budget} keeps for the same
     * input, so the comparison isolates which tokens are kept from how many. The subset depends only on the seed
     * and (N, k): every input with the same sizes gets the same subset, which keeps runs repeatable.
     */
    record RandomGate(int layer, long seed, GatePolicy budget) implements GatePolicy {
        public RandomGate {
            if (budget == null || budget instanceof NoPruning || budget instanceof RandomGate) {
                throw new IllegalArgumentException("random gate needs a budget from an adaptive, keep-ratio or FastV"
                        + " gate, got " + budget);
            }
            if (layer != budget.layer()) {
                throw new IllegalArgumentException("random gate layer " + layer + " differs from its budget's layer "
                        + budget.layer());
            }
        }

        /** Mirrors {@code budget}'s layer and budget. */
        public RandomGate(long seed, GatePolicy budget) {
            this(budget == null ? 0 : budget.layer(), seed, budget);
        }

        @Override
        public QuerySet query() {
            return budget.query();
        }

        @Override
        public KeepSet keepSet(double[] contribution) {
            int n = contribution.length;
            int k = budget.keepSet(contribution).keptCount();
            // Partial Fisher-Yates: the first k slots end up a uniform k-subset.
            int[] order = new int[n];
            for (int i = 0; i < n; i++) order[i] = i;
            SplittableRandom random = new SplittableRandom(seed);
            for (int i = 0; i < k; i++) {
                int j = i + random.nextInt(n - i);
                int t = order[i];
                order[i] = order[j];
                order[j] = t;
            }
            int[] kept = Arrays.copyOf(order, k);
            Arrays.sort(kept);
            return new KeepSet(kept, n);
        }
    }

    private static void checkLayer(int layer) {
        if (layer < 1) {
            throw new IllegalArgumentException("gate layer K must be >= 1 (the gate reads layer K-1), got " + layer);
        }
    }

    /** The first {@code k} tokens by c descending (ties: lower index first), returned in ascending index order. */
    private static KeepSet topByContribution(double[] c, int k) {
        int n = c.length;
        for (int i = 0; i < n; i++) {
            if (!(c[i] >= 0) || Double.isInfinite(c[i])) {
                throw new IllegalArgumentException("contribution of spatial token " + i + " is " + c[i]
                        + "; it must be finite and >= 0");
            }
        }
        Integer[] order = new Integer[n];
        for (int i = 0; i < n; i++) order[i] = i;
        Arrays.sort(order, (x, y) -> {
            int byContribution = Double.compare(c[y], c[x]);
            return byContribution != 0 ? byContribution : Integer.compare(x, y);
        });
        int[] kept = new int[k];
        for (int i = 0; i < k; i++) kept[i] = order[i];
        Arrays.sort(kept);
        return new KeepSet(kept, n);
    }
}
