package org.adatoken3d.conformance;

import java.nio.file.Path;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Pattern;
import org.adatoken3d.model.decoder.SpatialBlock;
import org.adatoken3d.pruning.GatePolicy;
import org.adatoken3d.pruning.QuerySet;
import org.adatoken3d.weights.DType;
import org.adatoken3d.weights.InvalidFileException;
import org.adatoken3d.weights.DecoderConfig;
import org.adatoken3d.weights.SafetensorsFile;
import org.adatoken3d.weights.Tensor;

/**
 * One request of the {@code forward} oracle interface, read from an inputs file and checked against the model it is
 * for (conformance/FORMAT.md §5.1): tensors {@code input_ids} and optionally {@code spatial_embeds}; the rest in
 * {@code __metadata__}. Everything §5.1 calls an error is refused here, naming the file, as the oracle's
 * {@code request.py} refuses it.
 */
public record ForwardRequest(int[] inputIds, SpatialBlock spatial, float[] spatialEmbeds, int spatialEmbedWidth,
        GatePolicy gate, QuerySet query, int generate) {

    /** The metadata keys of §5.1; {@code format} is written by other safetensors writers and carries no request. */
    static final Set<String> KEYS = Set.of("spatial_start", "spatial_count", "prune", "prune_layer", "min_keep", "max_keep", "query", "generate");
    private static final Set<String> IGNORED_KEYS = Set.of("format");
    static final int MAX_GENERATE = 4096;
    private static final Pattern INTEGER = Pattern.compile("-?[0-9]+");
    private static final Pattern DECIMAL = Pattern.compile("([0-9]+\\.?[0-9]*|\\.[0-9]+)([eE][+-]?[0-9]+)?");

    public static ForwardRequest read(SafetensorsFile in, DecoderConfig config) {
        Path file = in.path();
        Map<String, String> meta = in.metadata();
        Set<String> unknown = new TreeSet<>(meta.keySet());
        unknown.removeAll(KEYS);
        unknown.removeAll(IGNORED_KEYS);
        if (!unknown.isEmpty()) throw new InvalidFileException(file, "unknown request keys " + unknown + " in the metadata; known: " + new TreeSet<>(KEYS));
        Set<String> tensors = new TreeSet<>();
        for (Tensor t : in.tensors()) tensors.add(t.name());
        tensors.removeAll(Set.of("input_ids", "spatial_embeds"));
        if (!tensors.isEmpty()) throw new InvalidFileException(file, "unexpected tensors " + tensors + "; expected input_ids and optionally spatial_embeds");

        int[] inputIds = inputIds(file, in.find("input_ids").orElseThrow(() -> new InvalidFileException(file, "has no tensor input_ids")), config);
        int n = inputIds.length;

        SpatialBlock spatial = null;
        if (meta.containsKey("spatial_start") != meta.containsKey("spatial_count")) {
            throw new InvalidFileException(file, "give both spatial_start and spatial_count in the metadata, or neither");
        }
        if (meta.containsKey("spatial_start")) {
            int s = integer(file, meta, "spatial_start", 0, 0, Integer.MAX_VALUE);
            int count = integer(file, meta, "spatial_count", 0, 1, Integer.MAX_VALUE);
            if ((long) s + count >= n) {
                throw new InvalidFileException(file, "spatial block [" + s + ", " + ((long) s + count) + ") must end before the last prompt token (n = " + n
                        + "): at least one text token follows the block");
            }
            spatial = new SpatialBlock(s, count);
        }
        float[] embeds = null;
        int width = 0;
        var st = in.find("spatial_embeds");
        if (st.isPresent()) {
            Tensor t = st.get();
            if (spatial == null) throw new InvalidFileException(file, "spatial_embeds given without spatial_start/spatial_count");
            if (t.dtype() != DType.F32 || t.rank() != 2 || t.dim(0) != spatial.count() || t.dim(1) != config.hiddenSize()) {
                throw new InvalidFileException(file, "spatial_embeds must be F32 [" + spatial.count() + ", " + config.hiddenSize() + "], got "
                        + t.dtype() + " " + t.shapeString());
            }
            embeds = t.toFloatArray();
            for (float v : embeds) if (!Float.isFinite(v)) throw new InvalidFileException(file, "spatial_embeds holds non-finite values");
            width = config.hiddenSize();
        }

        String queryText = meta.getOrDefault("query", QuerySet.LAST.spec()).strip();
        QuerySet query;
        try {
            query = QuerySet.parse(queryText);
        } catch (IllegalArgumentException e) {
            throw new InvalidFileException(file, "metadata query must be 'last' or 'instruction', got '" + queryText + "'");
        }
        GatePolicy gate = gate(file, meta, spatial, query, config.numLayers());
        int generate = integer(file, meta, "generate", 0, 0, MAX_GENERATE);
        // Every position, prompt and generated, lies in the model's context (FORMAT.md §5.1).
        if ((long) n + generate > config.maxPositionEmbeddings()) {
            throw new InvalidFileException(file, n + " prompt tokens and generate=" + generate + " exceed the model's context of "
                    + config.maxPositionEmbeddings() + " tokens (max_position_embeddings)");
        }
        return new ForwardRequest(inputIds, spatial, embeds, width, gate, query, generate);
    }

    private static int[] inputIds(Path file, Tensor ids, DecoderConfig config) {
        if (ids.rank() != 1 || !(ids.dtype() == DType.I64 || ids.dtype() == DType.I32)) {
            throw new InvalidFileException(file, "input_ids must be I64 or I32 of shape [n], got " + ids.dtype() + " " + ids.shapeString());
        }
        long n = ids.elementCount();
        if (n == 0) throw new InvalidFileException(file, "input_ids is empty");
        if (n > config.maxPositionEmbeddings()) {
            throw new InvalidFileException(file, "input_ids holds " + n + " tokens, more than the model's context of " + config.maxPositionEmbeddings()
                    + " tokens (max_position_embeddings)");
        }
        int vocab = config.vocabSize();
        int[] out = new int[(int) n];
        for (int i = 0; i < out.length; i++) {
            long id = ids.getLong(i);
            if (id < 0 || id >= vocab) throw new InvalidFileException(file, "input_ids[" + i + "] = " + id + " is outside the vocabulary [0, " + vocab + ")");
            out[i] = (int) id;
        }
        return out;
    }

    /** The gate of §5.1's prune keys; {@code prune_layer}, {@code min_keep} and {@code max_keep} are read only when pruning. */
    private static GatePolicy gate(Path file, Map<String, String> meta, SpatialBlock spatial, QuerySet query, int layers) {
        String prune = meta.getOrDefault("prune", "none").strip();
        if (prune.equals("none")) return new GatePolicy.NoPruning();
        int eq = prune.indexOf('=');
        String kind = eq < 0 ? prune : prune.substring(0, eq);
        String number = eq < 0 ? "" : prune.substring(eq + 1);
        if (!(kind.equals("tau") || kind.equals("keep")) || eq < 0) {
            throw new InvalidFileException(file, "metadata prune must be 'none', 'tau=T' or 'keep=R', got '" + prune + "'");
        }
        if (!DECIMAL.matcher(number).matches()) {
            throw new InvalidFileException(file, "metadata prune=" + prune + ": '" + number + "' is not a plain decimal number such as 0.05 or 5e-2");
        }
        double value = Double.parseDouble(number);
        if (!(value >= 0 && value <= 1)) throw new InvalidFileException(file, "metadata prune=" + prune + ": the value must lie in [0, 1]");
        if (spatial == null) throw new InvalidFileException(file, "metadata prune=" + prune + " needs a spatial block (spatial_start, spatial_count)");
        int layer = integer(file, meta, "prune_layer", GatePolicy.DEFAULT_LAYER, 1, Integer.MAX_VALUE);
        if (layer > layers) throw new InvalidFileException(file, "metadata prune_layer=" + layer + " exceeds the model's " + layers + " layers");
        int minKeep = integer(file, meta, "min_keep", 1, 0, Integer.MAX_VALUE);
        int maxKeep = integer(file, meta, "max_keep", spatial.count(), 0, Integer.MAX_VALUE);
        if (maxKeep < minKeep) throw new InvalidFileException(file, "metadata max_keep=" + maxKeep + " is below min_keep=" + minKeep);
        try {
            return kind.equals("tau") ? new GatePolicy.AdaptiveGate(layer, value, minKeep, maxKeep, query)
                    : new GatePolicy.KeepRatio(layer, value, minKeep, maxKeep, query);
        } catch (IllegalArgumentException e) {
            // The engine's gates are narrower than §5.1 at two edges (tau=1, max_keep=0): say so rather than fail.
            throw new InvalidFileException(file, "metadata prune=" + prune + " is not supported by this engine: " + e.getMessage());
        }
    }

    /** A plain decimal integer ({@code -?[0-9]+}) in {@code [low, high]}, or {@code fallback} when the key is absent. */
    private static int integer(Path file, Map<String, String> meta, String key, int fallback, int low, int high) {
        String v = meta.get(key);
        if (v == null) return fallback;
        String text = v.strip();
        if (!INTEGER.matcher(text).matches()) throw new InvalidFileException(file, "metadata " + key + "=" + v + " is not an integer");
        long value;
        try {
            value = Long.parseLong(text);
        } catch (NumberFormatException e) {
            value = text.startsWith("-") ? Long.MIN_VALUE : Long.MAX_VALUE;
        }
        if (value < low) throw new InvalidFileException(file, "metadata " + key + "=" + text + " must be at least " + low);
        if (value > high) throw new InvalidFileException(file, "metadata " + key + "=" + text + " exceeds " + high);
        return (int) value;
    }
}
