package org.adatoken3d.conformance;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Iterator;
import java.util.Map;
import java.util.stream.Stream;
import org.adatoken3d.weights.InvalidFileException;

/**
 * One conformance case folder (conformance/FORMAT.md): {@code model/}, {@code inputs.safetensors},
 * {@code expected.safetensors} and {@code case.json} with the tolerances and tie thresholds.
 */
public record Fixture(Path dir, String name, String weightDtype, Map<String, Tolerance> tolerances, Map<String, Double> tieThresholds,
        String replay) {

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
        JsonNode root;
        try {
            root = new ObjectMapper().readTree(caseJson.toFile());
        } catch (IOException e) {
            throw new InvalidFileException(caseJson, "cannot be read as JSON: " + e.getMessage());
        }
        Map<String, Tolerance> tolerances = new HashMap<>();
        for (Iterator<Map.Entry<String, JsonNode>> it = root.path("tolerances").fields(); it.hasNext(); ) {
            Map.Entry<String, JsonNode> e = it.next();
            tolerances.put(e.getKey(), new Tolerance(e.getValue().path("atol").asDouble(), e.getValue().path("rtol").asDouble()));
        }
        Map<String, Double> ties = new HashMap<>();
        for (Iterator<Map.Entry<String, JsonNode>> it = root.path("tie_thresholds").fields(); it.hasNext(); ) {
            Map.Entry<String, JsonNode> e = it.next();
            ties.put(e.getKey(), e.getValue().asDouble());
        }
        if (tolerances.isEmpty()) throw new InvalidFileException(caseJson, "has no tolerances");
        for (Path p : new Path[] {dir.resolve("model"), dir.resolve("inputs.safetensors"), dir.resolve("expected.safetensors")}) {
            if (!Files.exists(p)) throw new InvalidFileException(dir, "is missing " + p.getFileName());
        }
        return new Fixture(dir, root.path("case").asText(dir.getFileName().toString()), root.path("weight_dtype").asText("?"),
                Map.copyOf(tolerances), Map.copyOf(ties),
                root.path("replay").asText(""));
    }

    /** Every case folder under {@code root} (folders holding a case.json), in name order. */
    public static java.util.List<Fixture> findAll(Path root) {
        if (!Files.isDirectory(root)) throw new InvalidFileException(root, "is not a folder of fixtures");
        try (Stream<Path> s = Files.walk(root, 3)) {
            return s.filter(p -> p.getFileName().toString().equals("case.json"))
                    .map(Path::getParent)
                    .sorted()
                    .map(Fixture::read)
                    .toList();
        } catch (IOException e) {
            throw new InvalidFileException(root, "cannot be listed: " + e.getMessage());
        }
    }
}
