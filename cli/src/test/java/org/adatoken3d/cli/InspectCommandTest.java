package org.adatoken3d.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.adatoken3d.weights.DType;
import org.adatoken3d.weights.ShardedCheckpointWriter;
import org.adatoken3d.weights.TensorSource;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class InspectCommandTest {
    static final Path STORIES = Path.of(System.getProperty("adatoken3d.shared", "../../shared"), "data", "stories260K");

    @TempDir Path dir;



    @Test
    void inspectsStories260K() {
        CliRun r = CliRun.of("inspect", STORIES.toString());
        assertEquals(0, r.exit(), r.stderr());
        // Figures from the model's provenance notes: 5 layers, dim 64, 8 heads / 4 KV heads, vocab 512, tied head;
        // decoder parameters 512*64 + 5*(64*64*2 + 32*64*2 + 3*64*172 + 2*64) + 64 = 260,032.
        for (String expected : List.of("layers       5", "hidden size  64 (MLP 172, silu)",
                "heads        8 query, 4 key/value", "head dim 8", "vocab        512", "260,032 in the decoder",
                "every decoder tensor matches the config", "tensors      48", "metadata     format=pt")) {
            assertTrue(r.out().contains(expected), () -> "expected \"" + expected + "\" in:\n" + r.out());
        }
        List<String> rows = r.out().lines().filter(l -> l.startsWith("model.") || l.startsWith("lm_head")).toList();
        assertEquals(48, rows.size());
        assertTrue(rows.stream().anyMatch(l -> l.matches("model\\.embed_tokens\\.weight +F32 +\\[512, 64] .*")));
        assertTrue(rows.stream().anyMatch(l -> l.matches("model\\.layers\\.4\\.self_attn\\.k_proj\\.weight +F32 +\\[32, 64] .*")));
        assertTrue(rows.stream().anyMatch(l -> l.matches("model\\.layers\\.0\\.mlp\\.down_proj\\.weight +F32 +\\[64, 172] .*")));
        assertTrue(rows.stream().allMatch(l -> l.endsWith("model.safetensors")));
    }

    @Test
    void jsonForScripts() throws IOException {
        CliRun r = CliRun.of("inspect", STORIES.toString(), "--json");
        assertEquals(0, r.exit(), r.stderr());
        JsonNode json = new ObjectMapper().readTree(r.out());
        assertEquals(64, json.get("config").get("hidden_size").asInt());
        assertEquals(260_032, json.get("config").get("parameter_count").asLong());
        assertTrue(json.get("config_check").get("ok").asBoolean());
        assertEquals(48, json.get("tensors").size());
        assertEquals(48, json.get("tensor_count").asInt());
        assertEquals(1_176_144, json.get("files").get(0).get("bytes").asLong());
        JsonNode down = json.get("tensors").get(7);
        assertEquals("model.layers.0.mlp.down_proj.weight", down.get("name").asText());
        assertEquals("[64,172]", down.get("shape").toString());
        assertEquals(64 * 172 * 4, down.get("bytes").asLong());
    }

    @Test
    void shardsWithoutConfigAndAMismatchedConfig() throws IOException {
        Path ckpt = dir.resolve("m");
        ShardedCheckpointWriter.write(ckpt, Map.of(), List.of(
                TensorSource.ofFloats("model.embed_tokens.weight", DType.BF16, new long[] {4, 2}, new float[8]),
                TensorSource.ofInts("extra", new long[] {3}, new int[3])), 8);
        CliRun r = CliRun.of("inspect", ckpt.toString());
        assertEquals(0, r.exit(), r.stderr());
        assertTrue(r.out().contains("2 shards: model-00001-of-00002.safetensors, model-00002-of-00002.safetensors"), r.out());
        assertTrue(r.out().contains("config       none"), r.out());
        assertTrue(r.out().contains("BF16 16 B (1 tensor), I32 12 B (1 tensor); total 28 B"), r.out());

        Files.writeString(ckpt.resolve("config.json"), """
                {"model_type": "llama", "hidden_size": 2, "intermediate_size": 3, "num_hidden_layers": 1,
                 "num_attention_heads": 1, "vocab_size": 5}""");
        r = CliRun.of("inspect", ckpt.toString(), "--json");
        assertEquals(1, r.exit(), "a PROBLEM is not a pass: " + r.stderr());
        JsonNode check = new ObjectMapper().readTree(r.out()).get("config_check");
        assertTrue(!check.get("ok").asBoolean());
        assertTrue(check.get("problem").asText().endsWith("model-00001-of-00002.safetensors: tensor model.embed_tokens.weight"
                + " has shape [4, 2], config says [5, 2]"), check.toString());
        r = CliRun.of("inspect", ckpt.toString());
        assertEquals(1, r.exit(), r.stderr());
        assertTrue(r.out().contains("check        PROBLEM: "), r.out());
        assertTrue(!r.out().contains("vision tower null"), r.out());
    }

    @Test
    void tensorsTheConfigDoesNotAccountForAreAProblem() throws IOException {
        Path ckpt = Files.createDirectories(dir.resolve("four-of-five"));
        Files.copy(STORIES.resolve("model.safetensors"), ckpt.resolve("model.safetensors"));
        Files.writeString(ckpt.resolve("config.json"), Files.readString(STORIES.resolve("config.json"))
                .replaceFirst("\"num_hidden_layers\": 5", "\"num_hidden_layers\": 4"));
        CliRun r = CliRun.of("inspect", ckpt.toString());
        assertEquals(1, r.exit(), r.out() + r.stderr());
        assertTrue(r.out().contains("layers       4"), r.out());
        assertTrue(r.out().contains("check        PROBLEM: " + ckpt.resolve("model.safetensors") + ": tensor model.layers.4."),
                r.out());
        assertTrue(r.out().contains(" is not accounted for by config.json: num_hidden_layers is 4"), r.out());
        assertTrue(r.out().contains("tensors      48"), "the table is still shown: " + r.out());
    }

    @Test
    void badInputIsOneLineAndExitCode2() {
        CliRun r = CliRun.of("inspect", dir.resolve("missing").toString());
        assertEquals(2, r.exit());
        assertEquals("error: " + dir.resolve("missing") + ": no such file or folder", r.err().strip());
        r = CliRun.of("inspect", STORIES.resolve("config.json").toString());
        assertEquals(2, r.exit());
        assertTrue(r.stderr().contains("is not a checkpoint"), r.stderr());
    }
}
