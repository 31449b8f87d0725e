package org.adatoken3d.pruning;

import org.adatoken3d.kernels.EngineArgumentException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;
import org.adatoken3d.pruning.GatePolicy.AdaptiveGate;
import org.adatoken3d.pruning.GatePolicy.FastV;
import org.adatoken3d.pruning.GatePolicy.KeepRatio;
import org.adatoken3d.pruning.GatePolicy.NoPruning;
import org.adatoken3d.pruning.GatePolicy.RandomGate;

/**
 * The command-line form of a gate policy ({@code --prune}):
 *
 * <pre>
 *   none                      no pruning
 *   fastv                     FastV: K = 2, keep 50% by last-token attention
 *   tau=T[,opts]              AdaToken: keep the fewest tokens holding at least 1−T of the contribution
 *   keep=R[,opts]             keep round(R·N) tokens by contribution
 *   random[,opts]             a seeded random subset at AdaToken's budget (tau=T, default 0.05) or at keep=R
 *   auto                      K, τ and the rest from the model's pruning profile
 *
 *   opts: layer=K (default 2), min=N (default 1), max=N (default: no limit), query=last|instruction,
 *         and for random: seed=S (default 0). min and max bound the tau budget only.
 * </pre>
 */
public final class PruneSpec {

    /** The file {@code auto} reads from the model folder when no profile is named. */
    public static final String PROFILE_FILE_NAME = "adatoken-profile.json";

    private static final String FORMS = "accepted forms: none | fastv | auto | tau=T | keep=R | random,"
            + " optionally followed by ,layer=K ,min=N ,max=N ,query=last|instruction (random also takes ,seed=S"
            + " and a tau=T or keep=R budget); e.g. tau=0.05,layer=2 or keep=0.3 or random,tau=0.05,seed=7";
    private static final Pattern DECIMAL = Pattern.compile("[0-9]*\\.?[0-9]+([eE][-+]?[0-9]+)?");
    private static final Pattern INTEGER = Pattern.compile("-?[0-9]{1,10}");
    private static final Pattern LONG = Pattern.compile("-?[0-9]{1,19}");

    private final String text;
    private final GatePolicy policy; // null for auto

    private PruneSpec(String text, GatePolicy policy) {
        this.text = text;
        this.policy = policy;
    }

    /** Parses the command-line form; the exception message names the problem and lists the accepted forms. */
    public static PruneSpec parse(String text) {
        if (text == null || text.isBlank()) throw error(text, "empty");
        String[] parts = text.trim().split(",", -1);
        Map<String, String> options = new LinkedHashMap<>();
        for (int i = 1; i < parts.length; i++) {
            String part = parts[i].trim();
            int eq = part.indexOf('=');
            if (eq <= 0) throw error(text, "'" + part + "' is not key=value");
            String key = part.substring(0, eq).trim().toLowerCase(Locale.ROOT);
            if (options.put(key, part.substring(eq + 1).trim()) != null) throw error(text, key + " is given twice");
        }
        String head = parts[0].trim().toLowerCase(Locale.ROOT);
        int eq = head.indexOf('=');
        String kind = eq < 0 ? head : head.substring(0, eq).trim();
        String value = eq < 0 ? null : head.substring(eq + 1).trim();
        if (value != null && !kind.equals("tau") && !kind.equals("keep")) throw error(text, "'" + kind + "' takes no value");
        GatePolicy policy = switch (kind) {
            case "none" -> {
                allow(text, options, Set.of());
                yield new NoPruning();
            }
            case "fastv" -> {
                allow(text, options, Set.of());
                yield new FastV();
            }
            case "auto" -> {
                allow(text, options, Set.of());
                yield null;
            }
            case "tau" -> {
                allow(text, options, Set.of("layer", "min", "max", "query"));
                yield adaptive(text, tau(text, value), options);
            }
            case "keep" -> {
                allow(text, options, Set.of("layer", "query"));
                yield keepRatio(text, value, options);
            }
            case "random" -> {
                allow(text, options, Set.of("layer", "min", "max", "query", "seed", "tau", "keep"));
                long seed = options.containsKey("seed") ? parseLong(text, "seed", options.get("seed")) : 0L;
                GatePolicy budget;
                if (options.containsKey("keep")) {
                    if (options.containsKey("tau") || options.containsKey("min") || options.containsKey("max")) {
                        throw error(text, "random takes either keep=R or tau=T[,min=N,max=N] as its budget, not both");
                    }
                    budget = keepRatio(text, options.get("keep"), options);
                } else {
                    double tau = options.containsKey("tau") ? tau(text, options.get("tau")) : GatePolicy.DEFAULT_TAU;
                    budget = adaptive(text, tau, options);
                }
                yield new RandomGate(seed, budget);
            }
            default -> throw error(text, "'" + kind + "' is not a pruning policy");
        };
        return new PruneSpec(text.trim(), policy);
    }

    /** True for {@code auto}: the policy comes from a pruning profile. */
    public boolean isAuto() {
        return policy == null;
    }

    /** The policy; for {@code auto} use {@link #resolve} instead. */
    public GatePolicy policy() {
        if (policy == null) throw new IllegalStateException("prune spec 'auto' needs a profile: call resolve");
        return policy;
    }

    /**
     * The policy, reading {@code auto}'s from {@code profile} if given, else from {@value #PROFILE_FILE_NAME} in
     * {@code modelDir}, and checking that it fits a model of {@code layers} layers.
     */
    public GatePolicy resolve(Path modelDir, Path profile, int layers) {
        GatePolicy p;
        if (policy != null) {
            p = policy;
        } else {
            Path file = profile != null ? profile : modelDir.resolve(PROFILE_FILE_NAME);
            if (profile == null && !Files.exists(file)) {
                throw new EngineArgumentException("prune", "auto: no pruning profile at " + file
                        + "; calibrate the model to make one, or give a profile file");
            }
            PruningProfile loaded;
            try {
                loaded = PruningProfile.load(file);
            } catch (IllegalArgumentException e) {
                // load's message starts with the file's name: a damaged profile is a value the caller gave, not a bug.
                throw new EngineArgumentException("profile", e.getMessage());
            }
            if (loaded.layers() != layers) {
                throw new EngineArgumentException("profile", file + ": was calibrated on a " + loaded.layers()
                        + "-layer model, this model has " + layers + " layers");
            }
            p = loaded.policy();
        }
        p.checkLayers(layers);
        return p;
    }

    /** The text as given (trimmed). */
    @Override
    public String toString() {
        return text;
    }

    /** The canonical command-line form of {@code policy}: {@code parse(format(p))} gives back an equal policy. */
    public static String format(GatePolicy policy) {
        return switch (policy) {
            case NoPruning n -> "none";
            case FastV f -> "fastv";
            case AdaptiveGate a -> "tau=" + a.tau() + adaptiveOptions(a);
            case KeepRatio k -> "keep=" + k.ratio() + ratioOptions(k);
            case RandomGate r -> "random," + switch (r.budget()) {
                case AdaptiveGate a -> "tau=" + a.tau() + adaptiveOptions(a);
                case KeepRatio k -> "keep=" + k.ratio() + ratioOptions(k);
                case FastV f -> "keep=0.5,layer=2";
                default -> throw new IllegalStateException("random gate with budget " + r.budget());
            } + ",seed=" + r.seed();
        };
    }

    private static String adaptiveOptions(AdaptiveGate a) {
        return options(a.layer(), a.minKeep(), a.maxKeep(), a.query());
    }

    private static String ratioOptions(KeepRatio k) {
        return options(k.layer(), k.minKeep(), k.maxKeep(), k.query());
    }

    private static String options(int layer, int minKeep, int maxKeep, QuerySet query) {
        return ",layer=" + layer + (minKeep != 1 ? ",min=" + minKeep : "")
                + (maxKeep != AdaptiveGate.UNBOUNDED ? ",max=" + maxKeep : "")
                + (query != QuerySet.LAST ? ",query=" + query.spec() : "");
    }

    /** The {@code min} and {@code max} options: the bounds the kept count is clamped to. */
    private static int[] keepBounds(String text, Map<String, String> options) {
        int min = options.containsKey("min") ? parseInt(text, "min", options.get("min")) : 1;
        int max = options.containsKey("max") ? parseInt(text, "max", options.get("max")) : AdaptiveGate.UNBOUNDED;
        if (min < 0) throw error(text, "min must be >= 0, got " + min);
        if (max < 1) throw error(text, "max must be >= 1, got " + max);
        if (min > max) throw error(text, "min " + min + " exceeds max " + max);
        return new int[] {min, max};
    }

    private static AdaptiveGate adaptive(String text, double tau, Map<String, String> options) {
        int[] bounds = keepBounds(text, options);
        return new AdaptiveGate(layer(text, options), tau, bounds[0], bounds[1], query(text, options));
    }

    private static KeepRatio keepRatio(String text, String value, Map<String, String> options) {
        double ratio = parseDecimal(text, "keep", value);
        if (!(ratio > 0 && ratio <= 1)) throw error(text, "keep must be a ratio in (0, 1], e.g. keep=0.3; got " + value);
        int[] bounds = keepBounds(text, options);
        return new KeepRatio(layer(text, options), ratio, bounds[0], bounds[1], query(text, options));
    }

    private static double tau(String text, String value) {
        double tau = parseDecimal(text, "tau", value);
        if (!(tau >= 0 && tau < 1)) throw error(text, "tau must be in [0, 1), e.g. tau=0.05; got " + value);
        return tau;
    }

    private static int layer(String text, Map<String, String> options) {
        if (!options.containsKey("layer")) return GatePolicy.DEFAULT_LAYER;
        int layer = parseInt(text, "layer", options.get("layer"));
        if (layer < 1) throw error(text, "layer K must be >= 1 (the gate reads layer K-1), got " + layer);
        return layer;
    }

    private static QuerySet query(String text, Map<String, String> options) {
        String q = options.get("query");
        if (q == null) return QuerySet.LAST;
        try {
            return QuerySet.parse(q.toLowerCase(Locale.ROOT));
        } catch (IllegalArgumentException e) {
            throw error(text, e.getMessage());
        }
    }

    private static void allow(String text, Map<String, String> options, Set<String> allowed) {
        for (String key : options.keySet()) {
            if (!allowed.contains(key)) {
                String head = text.trim().split(",", 2)[0].trim();
                throw error(text, allowed.isEmpty() ? "'" + head + "' takes no options, got " + key
                        : "'" + key + "' does not apply to '" + head + "' (it takes " + String.join(", ", allowed) + ")");
            }
        }
    }

    private static double parseDecimal(String text, String key, String value) {
        if (value == null || !DECIMAL.matcher(value).matches()) {
            throw error(text, key + " must be a decimal number, got '" + value + "'");
        }
        return Double.parseDouble(value);
    }

    private static int parseInt(String text, String key, String value) {
        if (!INTEGER.matcher(value).matches()) throw error(text, key + " must be an integer, got '" + value + "'");
        long v = Long.parseLong(value);
        if (v != (int) v) throw error(text, key + " is out of range: " + value);
        return (int) v;
    }

    private static long parseLong(String text, String key, String value) {
        try {
            if (!LONG.matcher(value).matches()) throw new NumberFormatException();
            return Long.parseLong(value);
        } catch (NumberFormatException e) {
            throw error(text, key + " must be an integer, got '" + value + "'");
        }
    }

    private static EngineArgumentException error(String text, String problem) {
        return new EngineArgumentException("prune", "'" + text + "': " + problem + "; " + FORMS);
    }
}
