package org.adatoken3d.conformance;

import java.nio.file.Path;
import java.util.Map;
import org.adatoken3d.model.decoder.SpatialBlock;
import org.adatoken3d.pruning.GatePolicy;
import org.adatoken3d.pruning.QuerySet;
import org.adatoken3d.weights.InvalidFileException;
import org.adatoken3d.weights.SafetensorsFile;
import org.adatoken3d.weights.Tensor;

/**
 * One request of the {@code forward} oracle interface, read from an inputs file (conformance/FORMAT.md):
 * tensors {@code input_ids} and optionally {@code spatial_embeds}; the rest in {@code __metadata__}.
 */
public record ForwardRequest(int[] inputIds, SpatialBlock spatial, float[] spatialEmbeds, int spatialEmbedWidth,
        GatePolicy gate, QuerySet query, int generate) {

    public static ForwardRequest read(SafetensorsFile in) {
        Path file = in.path();
        Tensor ids = in.tensor("input_ids");
        if (ids.rank() != 1 || !(ids.dtype().name().equals("I64") || ids.dtype().name().equals("I32"))) {
            throw new InvalidFileException(file, "input_ids must be I64 or I32 of shape [n], got " + ids.dtype() + " " + ids.shapeString());
        }
        int n = Math.toIntExact(ids.elementCount());
        int[] inputIds = new int[n];
        for (int i = 0; i < n; i++) inputIds[i] = Math.toIntExact(ids.getLong(i));
        Map<String, String> meta = in.metadata();

        SpatialBlock spatial = null;
        if (meta.containsKey("spatial_start") || meta.containsKey("spatial_count")) {
            spatial = new SpatialBlock(intValue(file, meta, "spatial_start", -1), intValue(file, meta, "spatial_count", -1));
            try {
                spatial.checkWithin(n);
            } catch (IllegalArgumentException e) {
                throw new InvalidFileException(file, e.getMessage());
            }
        }
        float[] embeds = null;
        int width = 0;
        var st = in.find("spatial_embeds");
        if (st.isPresent()) {
            Tensor t = st.get();
            if (spatial == null || t.rank() != 2 || t.dim(0) != spatial.count()) {
                throw new InvalidFileException(file, "spatial_embeds " + t.shapeString() + " needs metadata spatial_start/spatial_count with count = its rows");
            }
            embeds = t.toFloatArray();
            width = Math.toIntExact(t.dim(1));
        }

        QuerySet query;
        try {
            query = QuerySet.parse(meta.getOrDefault("query", QuerySet.LAST.spec()));
        } catch (IllegalArgumentException e) {
            throw new InvalidFileException(file, "metadata query: " + e.getMessage());
        }
        String prune = meta.getOrDefault("prune", "none").trim();
        int layer = intValue(file, meta, "prune_layer", 2);
        int count = spatial == null ? 0 : spatial.count();
        int minKeep = intValue(file, meta, "min_keep", 1);
        int maxKeep = intValue(file, meta, "max_keep", count);
        GatePolicy gate;
        try {
            if (prune.equals("none")) {
                gate = new GatePolicy.NoPruning();
            } else if (prune.startsWith("tau=")) {
                gate = new GatePolicy.AdaptiveGate(layer, Double.parseDouble(prune.substring(4)), minKeep, maxKeep, query);
            } else if (prune.startsWith("keep=")) {
                gate = new GatePolicy.KeepRatio(layer, Double.parseDouble(prune.substring(5)), minKeep, maxKeep, query);
            } else {
                throw new InvalidFileException(file, "metadata prune=" + prune + " is not one of none, tau=T, keep=R");
            }
        } catch (NumberFormatException e) {
            throw new InvalidFileException(file, "metadata prune=" + prune + " has a malformed number");
        }
        return new ForwardRequest(inputIds, spatial, embeds, width, gate, query, intValue(file, meta, "generate", 0));
    }

    private static int intValue(Path file, Map<String, String> meta, String key, int fallback) {
        String v = meta.get(key);
        if (v == null) {
            if (fallback < 0) throw new InvalidFileException(file, "metadata " + key + " is missing");
            return fallback;
        }
        try {
            return Integer.parseInt(v.trim());
        } catch (NumberFormatException e) {
            throw new InvalidFileException(file, "metadata " + key + "=" + v + " is not an integer");
        }
    }
}
