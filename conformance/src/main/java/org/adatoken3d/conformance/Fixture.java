package org.adatoken3d.conformance;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.adatoken3d.weights.InvalidFileException;

/**
 * One conformance case folder (conformance/FORMAT.md): {@code model/}, {@code inputs.safetensors},
 * {@code expected.safetensors} and {@code case.json} with the tolerances and tie thresholds.
 *
 * @param outputs the dtype and shape case.json gives each expected tensor, as {@code "F32 [2, 365]"}; empty when it
 *     gives none
 */
public record Fixture(Path dir, String name, String weightDtype, Map<String, Tolerance> tolerances, Map<String, Double> tieThresholds,
        String replay, Map<String, String> outputs) {
    public static final String FORMAT = "adatoken3d-conformance/1";
    /** Every float output §7 compares needs a tolerance, every discrete decision a tie threshold. */
    static final List<String> TOLERANCES = List.of("logits", "hidden_states", "contribution", "spatial_share");
    static final List<String> TIE_THRESHOLDS = List.of("gate_margin", "greedy_margin");
    /** case.json is a few kilobytes. */
    static final long MAX_CASE_BYTES = 1L << 20;

    public Path model() {
        return dir.resolve("model");
    }

    public Path inputs() {
        return dir.resolve("inputs.safetensors");
    }

    public Path expected() {
        return dir.resolve("expected.safetensors");
    }

    public static Fixture read(Path dir) {
        Path caseJson = dir.resolve("case.json");
        byte[] bytes;
        try {
            if (Files.size(caseJson) > MAX_CASE_BYTES) throw new InvalidFileException(caseJson, "is larger than " + MAX_CASE_BYTES + " bytes, too large for a case.json");
            bytes = Files.readAllBytes(caseJson);
        } catch (IOException e) {
            throw new InvalidFileException(caseJson, "cannot be read: " + e.getMessage(), e);
        }
        Fixture f = parse(dir, caseJson, bytes);
        for (Path p : new Path[] {f.model(), f.inputs(), f.expected()}) {
            if (!Files.exists(p)) throw new InvalidFileException(dir, "is missing " + p.getFileName());
        }
        return f;
    }

    /** The case described by {@code bytes} (case.json's content); {@code caseJson} names it in errors. */
    static Fixture parse(Path dir, Path caseJson, byte[] bytes) {
        JsonNode root;
        try {
            root = new ObjectMapper().readTree(bytes);
        } catch (JsonProcessingException e) {
            throw new InvalidFileException(caseJson, "is not valid JSON: " + String.valueOf(e.getOriginalMessage()).lines().findFirst().orElse(""));
        } catch (IOException e) {
            throw new InvalidFileException(caseJson, "cannot be read: " + e.getMessage(), e);
        }
        if (root == null || !root.isObject()) throw new InvalidFileException(caseJson, "does not hold a JSON object");
        if (!FORMAT.equals(root.path("format").textValue())) {
            throw new InvalidFileException(caseJson, "format is " + abbreviate(root.path("format").toString()) + ", expected \"" + FORMAT + "\"");
        }
        Map<String, Tolerance> tolerances = new HashMap<>();
        for (String name : TOLERANCES) {
            JsonNode t = root.path("tolerances").path(name);
            tolerances.put(name, new Tolerance(bound(caseJson, t.path("atol"), "tolerances." + name + ".atol"),
                    bound(caseJson, t.path("rtol"), "tolerances." + name + ".rtol")));
        }
        Map<String, Double> ties = new HashMap<>();
        for (String name : TIE_THRESHOLDS) ties.put(name, bound(caseJson, root.path("tie_thresholds").path(name), "tie_thresholds." + name));
        Map<String, String> outputs = new HashMap<>();
        root.path("outputs").properties().forEach(e -> outputs.put(e.getKey(),
                e.getValue().path("dtype").asText("?") + " " + e.getValue().path("shape").toString().replace(",", ", ")));
        String fallbackName = dir.getFileName() == null ? dir.toString() : dir.getFileName().toString();
        return new Fixture(dir, root.path("case").asText(fallbackName), root.path("weight_dtype").asText("?"),
                Map.copyOf(tolerances), Map.copyOf(ties), root.path("replay").asText(""), Map.copyOf(outputs));
    }

    /** A tolerance or threshold: a finite number >= 0. */
    private static double bound(Path caseJson, JsonNode v, String field) {
        if (!v.isNumber() || !Double.isFinite(v.doubleValue()) || v.doubleValue() < 0) {
            throw new InvalidFileException(caseJson, field + " is " + (v.isMissingNode() ? "missing" : abbreviate(v.toString())) + "; it must be a finite number >= 0");
        }
        return v.doubleValue();
    }

    private static String abbreviate(String s) {
        return s.length() <= 40 ? s : s.substring(0, 40) + "...";
    }

    /** Every case folder under {@code root} (folders holding a case.json), in name order, each read. */
    public static List<Fixture> findAll(Path root) {
        return findDirs(root).stream().map(Fixture::read).toList();
    }

    /**
     * Every case folder under {@code root} (folders holding a case.json), in name order, unread: a run reads each in
     * turn, so that one damaged case.json is reported and does not stop the others.
     */
    public static List<Path> findDirs(Path root) {
        if (!Files.isDirectory(root)) throw new InvalidFileException(root, "is not a folder of fixtures");
        try (Stream<Path> s = Files.walk(root, 3)) {
            return new ArrayList<>(s.filter(p -> p.getFileName() != null && p.getFileName().toString().equals("case.json"))
                    .map(Path::getParent)
                    .sorted()
                    .toList());
        } catch (IOException | java.io.UncheckedIOException e) {
            throw new InvalidFileException(root, "cannot be listed: " + e.getMessage());
        }
    }
}
