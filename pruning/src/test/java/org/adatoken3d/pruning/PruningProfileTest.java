package org.adatoken3d.pruning;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.adatoken3d.pruning.GatePolicy.AdaptiveGate;
import org.adatoken3d.pruning.PruningProfile.LayerProfile;
import org.adatoken3d.pruning.PruningProfile.TargetMetric;
import org.adatoken3d.testing.SeededCases;
import org.adatoken3d.weights.InvalidFileException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class PruningProfileTest {

    /** A valid profile for tests elsewhere too. */
    static PruningProfile sample(int layers, int gateLayer, double tau) {
        List<LayerProfile> rows = new ArrayList<>();
        for (int l = 0; l < layers; l++) {
            rows.add(new LayerProfile(l, 0.3 + 0.01 * l, 0.5 + 0.02 * l, l == layers - 1 ? Double.NaN : 0.1 * (l % 10)));
        }
        return new PruningProfile("test-model", "llama", layers, gateLayer, tau, QuerySet.LAST, 1, AdaptiveGate.UNBOUNDED,
                0.5, 0.05, rows, TargetMetric.FLOPS_SAVING, 0.6, 0.61, 0.61, 4, "2025-01-02T03:04:05Z");
    }

    @Test
    void savedProfilesLoadBackEqual(@TempDir Path dir) {
        SeededCases.run("savedProfilesLoadBackEqual", 100, r -> {
            int layers = SeededCases.between(r, 2, 80);
            List<LayerProfile> rows = new ArrayList<>();
            for (int l = 0; l < layers; l++) {
                rows.add(new LayerProfile(l, r.nextDouble(), r.nextDouble(),
                        l == layers - 1 || r.nextInt(5) == 0 ? Double.NaN : r.nextDouble() * 2 - 1));
            }
            int min = r.nextInt(100);
            PruningProfile p = new PruningProfile("model \"" + r.nextInt() + "\" ü", r.nextBoolean() ? "llama" : "qwen2",
                    layers, SeededCases.between(r, 1, layers - 1), r.nextDouble() * 0.99,
                    r.nextBoolean() ? QuerySet.LAST : QuerySet.INSTRUCTION, min,
                    r.nextBoolean() ? AdaptiveGate.UNBOUNDED : SeededCases.between(r, Math.max(1, min), 5000),
                    r.nextDouble(), 0.05, rows, r.nextBoolean() ? TargetMetric.FLOPS_SAVING : TargetMetric.AGREEMENT,
                    r.nextDouble(), r.nextDouble(), r.nextDouble(), SeededCases.between(r, 1, 100), "2030-06-07T08:09:10Z");
            Path file = dir.resolve("p" + r.nextInt(1000) + ".json");
            p.save(file);
            assertEquals(p, PruningProfile.load(file));
            assertEquals(p.policy(), PruningProfile.load(file).policy());
        });
    }

    @Test
    void theFileIsPrettyJsonAHumanCanRead(@TempDir Path dir) throws Exception {
        Path file = dir.resolve("p.json");
        sample(4, 2, 0.05).save(file);
        String text = Files.readString(file);
        assertTrue(text.contains("\"format\" : \"adatoken3d-pruning-profile/1\""), text);
        assertTrue(text.contains("\"maxKeep\" : null"), text);
        assertTrue(text.contains("\"query\" : \"last\""), text);
        assertTrue(text.contains("\"stability\" : null"), text);
        assertTrue(text.lines().count() > 30, "one field per line");
    }

    private static ObjectNode validJson(Path dir) throws Exception {
        Path file = dir.resolve("valid.json");
        sample(4, 2, 0.05).save(file);
        return (ObjectNode) new ObjectMapper().readTree(file.toFile());
    }

    private static String loadError(Path dir, String content) throws Exception {
        Path file = dir.resolve("bad.json");
        Files.writeString(file, content);
        var e = assertThrows(InvalidFileException.class, () -> PruningProfile.load(file));
        assertTrue(e.getMessage().startsWith(file.toString() + ": "), e.getMessage());
        return e.getMessage();
    }

    @Test
    void badFilesNameTheFileAndTheProblem(@TempDir Path dir) throws Exception {
        assertTrue(assertThrows(InvalidFileException.class, () -> PruningProfile.load(dir.resolve("missing.json")))
                .getMessage().contains("missing.json: no such profile file"));
        assertTrue(loadError(dir, "").contains("not a pruning profile"));
        assertTrue(loadError(dir, "{\"format\": ").contains("not valid JSON at line 1"));
        assertTrue(loadError(dir, "[1,2]").contains("expected a JSON object"));
        assertTrue(loadError(dir, "{\"format\":\"safetensors\"}").contains("format is 'safetensors'"));
        assertTrue(loadError(dir, "{\"format\":\"x\",\"format\":\"y\"}").contains("Duplicate field 'format'"));

        ObjectMapper json = new ObjectMapper();
        for (String field : List.of("model", "family", "layers", "gateLayer", "tau", "query", "minKeep", "maxKeep",
                "stabilityBound", "redundancyTau", "target", "achieved", "predictedFlopsSaving", "inputs", "createdAt",
                "perLayer")) {
            ObjectNode node = validJson(dir);
            node.remove(field);
            String message = loadError(dir, json.writeValueAsString(node));
            assertTrue(message.contains("field '" + field + "' is missing"), message);
        }
        String[][] bad = {
            {"tau", "1.5", "tau must be in [0, 1)"},
            {"tau", "\"0.05\"", "field 'tau' must be a number"},
            {"layers", "4.5", "field 'layers' must be an integer"},
            {"layers", "99999999999", "field 'layers' must be an integer"},
            {"gateLayer", "4", "gateLayer 4 must be in 1..3"},
            {"gateLayer", "0", "gateLayer 0 must be in 1..3"},
            {"minKeep", "-1", "minKeep must be >= 0"},
            {"maxKeep", "0", "maxKeep 0 must be >= 1"},
            {"query", "\"first\"", "query 'first' is not one of"},
            {"query", "3", "field 'query' must be a string"},
            {"inputs", "0", "inputs must be >= 1"},
            {"createdAt", "\"yesterday\"", "createdAt 'yesterday' is not an ISO-8601 instant"},
            {"target", "0.6", "field 'target' must be an object"},
            {"target", "{\"metric\":\"speed\",\"value\":1}", "target metric 'speed' is not one of"},
            {"target", "{\"metric\":\"agreement\"}", "field 'target.value' is missing"},
            {"perLayer", "{}", "field 'perLayer' must be an array"},
            {"perLayer", "[]", "perLayer has 0 rows, layers says 4"},
            {"perLayer", "[1,2,3,4]", "perLayer[0] must be an object"},
        };
        for (String[] c : bad) {
            ObjectNode node = validJson(dir);
            node.set(c[0], json.readTree(c[1]));
            String message = loadError(dir, json.writeValueAsString(node));
            assertTrue(message.contains(c[2]), c[0] + "=" + c[1] + " -> " + message);
        }
        ObjectNode node = validJson(dir);
        ((ObjectNode) node.withArray("perLayer").get(2)).remove("redundancy");
        assertTrue(loadError(dir, json.writeValueAsString(node)).contains("field 'perLayer[2].redundancy' is missing"));
        node = validJson(dir);
        ((ObjectNode) node.withArray("perLayer").get(1)).put("layer", 7);
        assertTrue(loadError(dir, json.writeValueAsString(node)).contains("perLayer[1] is for layer 7"));
        node = validJson(dir);
        ((ObjectNode) node.withArray("perLayer").get(1)).put("stability", 3.0);
        assertTrue(loadError(dir, json.writeValueAsString(node)).contains("perLayer[1].stability must be in [-1, 1]"));
    }

    @Test
    void corruptedProfilesFailWithAMessageNeverACrash(@TempDir Path dir) throws Exception {
        Path good = dir.resolve("good.json");
        sample(6, 2, 0.05).save(good);
        byte[] original = Files.readAllBytes(good);
        SeededCases.run("corruptedProfilesFailWithAMessageNeverACrash", 300, r -> {
            byte[] b = original.clone();
            int edits = SeededCases.between(r, 1, 4);
            for (int i = 0; i < edits; i++) {
                int at = r.nextInt(b.length);
                switch (r.nextInt(3)) {
                    case 0 -> b[at] = (byte) r.nextInt(256);
                    case 1 -> b[at] = (byte) "0123456789-.e{}[]\",:n".charAt(r.nextInt(21));
                    default -> b = java.util.Arrays.copyOf(b, at);
                }
            }
            Path file = dir.resolve("mutant.json");
            Files.write(file, b);
            try {
                PruningProfile p = PruningProfile.load(file);
                p.policy(); // a mutant that still parses must still be a usable profile
            } catch (InvalidFileException e) {
                assertTrue(e.getMessage().startsWith(file.toString()), e.getMessage());
                assertFalse(e.getMessage().isBlank());
            }
        });
        assertEquals(sample(6, 2, 0.05), PruningProfile.load(good));
        assertTrue(new String(original, StandardCharsets.UTF_8).endsWith("\n"));
    }
}
