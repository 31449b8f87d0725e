package org.adatoken3d.pruning;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.adatoken3d.weights.InvalidFileException;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.List;
import org.adatoken3d.pruning.GatePolicy.AdaptiveGate;

/**
 * A model's pruning profile (DESIGN.md §2.1, "automatic strategy"): the gate {@link Calibration} chose for it and
 * the evidence it chose from, saved as a small JSON file and reused by {@code --prune auto}.
 *
 * <p>{@code perLayer} holds, for every layer l, the mean spatial share S^l, the mean redundancy R^l(redundancyTau)
 * and the rank stability of c^l against deeper layers (NaN for the last layer, which has none; null in JSON).
 * {@code maxKeep} {@link AdaptiveGate#UNBOUNDED} is written as null. {@code achieved} is the figure the target is
 * about (mean predicted prefill FLOPs saving, or the caller's agreement); {@code predictedFlopsSaving} is the mean
 * predicted prefill saving on the calibration inputs in either case.
 */
public record PruningProfile(String model, String family, int layers, int gateLayer, double tau, QuerySet query,
        int minKeep, int maxKeep, double stabilityBound, double redundancyTau, List<LayerProfile> perLayer,
        TargetMetric targetMetric, double target, double achieved, double predictedFlopsSaving, int inputs,
        String createdAt) {

    /** The value of the {@code format} field: names the file type and its version. */
    public static final String FORMAT = "adatoken3d-pruning-profile/1";
    /** Profiles are a few kilobytes; anything far larger is not one. */
    private static final long MAX_FILE_BYTES = 16L << 20;

    /** One row of the per-layer table. */
    public record LayerProfile(int layer, double spatialShare, double redundancy, double stability) {}

    /** What the calibration aimed for. */
    public enum TargetMetric {
        /** Mean predicted prefill FLOPs saving on the calibration inputs (smallest τ that reaches it). */
        FLOPS_SAVING("flops-saving"),
        /** The caller's agreement figure against the unpruned model (largest τ that keeps it). */
        AGREEMENT("agreement");

        private final String spec;

        TargetMetric(String spec) {
            this.spec = spec;
        }

        public String spec() {
            return spec;
        }

        static TargetMetric parse(String text) {
            for (TargetMetric m : values()) if (m.spec.equals(text)) return m;
            throw new IllegalArgumentException("target metric '" + text + "' is not one of: flops-saving, agreement");
        }
    }

    public PruningProfile {
        require(model != null && !model.isBlank(), "model is empty");
        require(family != null, "family is missing");
        require(layers >= 2, "layers must be >= 2, got " + layers);
        require(gateLayer >= 1 && gateLayer <= layers - 1,
                "gateLayer " + gateLayer + " must be in 1.." + (layers - 1) + " for " + layers + " layers");
        require(tau >= 0 && tau < 1, "tau must be in [0, 1), got " + tau);
        require(query != null, "query is missing");
        require(minKeep >= 0, "minKeep must be >= 0, got " + minKeep);
        require(maxKeep >= 1 && maxKeep >= minKeep, "maxKeep " + maxKeep + " must be >= 1 and >= minKeep " + minKeep);
        require(Double.isFinite(stabilityBound), "stabilityBound must be a number");
        require(redundancyTau >= 0 && redundancyTau <= 1, "redundancyTau must be in [0, 1], got " + redundancyTau);
        require(perLayer != null && perLayer.size() == layers,
                "perLayer must hold one row per layer (" + layers + "), got " + (perLayer == null ? "none" : perLayer.size()));
        perLayer = List.copyOf(perLayer);
        for (int l = 0; l < layers; l++) {
            LayerProfile row = perLayer.get(l);
            require(row.layer() == l, "perLayer[" + l + "] is for layer " + row.layer() + "; rows must be in layer order");
            require(row.spatialShare() >= 0 && Double.isFinite(row.spatialShare()),
                    "perLayer[" + l + "].spatialShare must be finite and >= 0");
            require(row.redundancy() >= 0 && row.redundancy() <= 1, "perLayer[" + l + "].redundancy must be in [0, 1]");
            require(Double.isNaN(row.stability()) || (row.stability() >= -1 && row.stability() <= 1),
                    "perLayer[" + l + "].stability must be in [-1, 1] or null");
        }
        require(targetMetric != null, "target metric is missing");
        require(Double.isFinite(target) && Double.isFinite(achieved) && Double.isFinite(predictedFlopsSaving),
                "target, achieved and predictedFlopsSaving must be numbers");
        require(inputs >= 1, "inputs must be >= 1, got " + inputs);
        require(createdAt != null, "createdAt is missing");
        try {
            Instant.parse(createdAt);
        } catch (DateTimeParseException e) {
            throw new IllegalArgumentException("createdAt '" + createdAt + "' is not an ISO-8601 instant");
        }
    }

    /** The gate this profile prescribes. */
    public GatePolicy policy() {
        return new AdaptiveGate(gateLayer, tau, minKeep, maxKeep, query);
    }

    /** Whether the calibration found a layer as stable as it asked for (else it fell back to the most stable). */
    public boolean stableGate() {
        return perLayer.get(gateLayer - 1).stability() >= stabilityBound;
    }

    /** Whether the achieved figure meets the target. */
    public boolean targetMet() {
        return achieved >= target;
    }

    /** Writes the profile as pretty-printed JSON. */
    public void save(Path file) throws IOException {
        ObjectMapper json = new ObjectMapper();
        ObjectNode root = json.createObjectNode();
        root.put("format", FORMAT);
        root.put("model", model);
        root.put("family", family);
        root.put("layers", layers);
        root.put("gateLayer", gateLayer);
        root.put("tau", tau);
        root.put("query", query.spec());
        root.put("minKeep", minKeep);
        if (maxKeep == AdaptiveGate.UNBOUNDED) root.putNull("maxKeep");
        else root.put("maxKeep", maxKeep);
        root.put("stabilityBound", stabilityBound);
        root.put("redundancyTau", redundancyTau);
        ObjectNode target = root.putObject("target");
        target.put("metric", targetMetric.spec());
        target.put("value", this.target);
        root.put("achieved", achieved);
        root.put("predictedFlopsSaving", predictedFlopsSaving);
        root.put("inputs", inputs);
        root.put("createdAt", createdAt);
        ArrayNode rows = root.putArray("perLayer");
        for (LayerProfile p : perLayer) {
            ObjectNode row = rows.addObject();
            row.put("layer", p.layer());
            row.put("spatialShare", p.spatialShare());
            row.put("redundancy", p.redundancy());
            if (Double.isNaN(p.stability())) row.putNull("stability");
            else row.put("stability", p.stability());
        }
        Files.writeString(file, json.writerWithDefaultPrettyPrinter().writeValueAsString(root) + "\n");
    }

    /** Reads a profile; any problem is an {@link InvalidFileException} naming the file. */
    public static PruningProfile load(Path file) {
        byte[] bytes;
        try {
            if (!Files.isRegularFile(file)) throw new InvalidFileException(file, "no such profile file");
            if (Files.size(file) > MAX_FILE_BYTES) {
                throw new InvalidFileException(file, "is " + Files.size(file) + " bytes; a pruning profile is a few KB");
            }
            bytes = Files.readAllBytes(file);
        } catch (IOException e) {
            throw new InvalidFileException(file, "cannot read: " + e.getMessage(), e);
        }
        return parse(file, bytes);
    }

    /** The profile in {@code bytes} (a profile file's content); {@code file} names it in errors. */
    static PruningProfile parse(Path file, byte[] bytes) {
        try {
            return fromJson(bytes);
        } catch (IllegalArgumentException e) {
            throw new InvalidFileException(file, e.getMessage(), e);
        }
    }

    private static PruningProfile fromJson(byte[] bytes) {
        JsonNode root;
        try {
            ObjectMapper json = new ObjectMapper().enable(JsonParser.Feature.STRICT_DUPLICATE_DETECTION);
            root = json.readTree(bytes);
        } catch (JsonProcessingException e) {
            var at = e.getLocation();
            throw new IllegalArgumentException("not valid JSON" + (at == null ? "" : " at line " + at.getLineNr()
                    + ", column " + at.getColumnNr()) + ": " + e.getOriginalMessage());
        } catch (IOException e) {
            throw new IllegalArgumentException("not valid JSON: " + e.getMessage());
        }
        require(root != null && root.isObject(), "not a pruning profile: expected a JSON object");
        String format = text(root, "format");
        require(FORMAT.equals(format), "not a pruning profile: format is '" + format + "', expected '" + FORMAT + "'");
        JsonNode rowsNode = field(root, "perLayer");
        require(rowsNode.isArray(), "field 'perLayer' must be an array");
        int layers = integer(root, "layers");
        require(rowsNode.size() == layers, "perLayer has " + rowsNode.size() + " rows, layers says " + layers);
        List<LayerProfile> rows = new ArrayList<>();
        for (int i = 0; i < rowsNode.size(); i++) {
            JsonNode row = rowsNode.get(i);
            require(row.isObject(), "perLayer[" + i + "] must be an object");
            String where = "perLayer[" + i + "].";
            JsonNode stability = field(row, "stability", where);
            rows.add(new LayerProfile(integer(row, "layer", where), number(row, "spatialShare", where),
                    number(row, "redundancy", where), stability.isNull() ? Double.NaN : number(row, "stability", where)));
        }
        JsonNode target = field(root, "target");
        require(target.isObject(), "field 'target' must be an object with metric and value");
        JsonNode maxKeep = field(root, "maxKeep");
        String metricText = text(target, "metric", "target.");
        String queryText = text(root, "query");
        TargetMetric metric;
        QuerySet query;
        try {
            metric = TargetMetric.parse(metricText);
            query = QuerySet.parse(queryText);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("field " + e.getMessage());
        }
        return new PruningProfile(text(root, "model"), text(root, "family"), layers, integer(root, "gateLayer"),
                number(root, "tau"), query, integer(root, "minKeep"),
                maxKeep.isNull() ? AdaptiveGate.UNBOUNDED : integer(root, "maxKeep"),
                number(root, "stabilityBound"), number(root, "redundancyTau"), rows, metric,
                number(target, "value", "target."), number(root, "achieved"), number(root, "predictedFlopsSaving"),
                integer(root, "inputs"), text(root, "createdAt"));
    }

    private static JsonNode field(JsonNode node, String name) {
        return field(node, name, "");
    }

    private static JsonNode field(JsonNode node, String name, String where) {
        JsonNode v = node.get(name);
        require(v != null, "field '" + where + name + "' is missing");
        return v;
    }

    private static String text(JsonNode node, String name) {
        return text(node, name, "");
    }

    private static String text(JsonNode node, String name, String where) {
        JsonNode v = field(node, name, where);
        require(v.isTextual(), "field '" + where + name + "' must be a string, got " + v.getNodeType());
        return v.asText();
    }

    private static int integer(JsonNode node, String name) {
        return integer(node, name, "");
    }

    private static int integer(JsonNode node, String name, String where) {
        JsonNode v = field(node, name, where);
        require(v.isIntegralNumber() && v.canConvertToInt(), "field '" + where + name + "' must be an integer, got " + v);
        return v.intValue();
    }

    private static double number(JsonNode node, String name) {
        return number(node, name, "");
    }

    private static double number(JsonNode node, String name, String where) {
        JsonNode v = field(node, name, where);
        require(v.isNumber() && Double.isFinite(v.doubleValue()), "field '" + where + name + "' must be a number, got " + v);
        return v.doubleValue();
    }

    private static void require(boolean ok, String problem) {
        if (!ok) throw new IllegalArgumentException(problem);
    }
}
