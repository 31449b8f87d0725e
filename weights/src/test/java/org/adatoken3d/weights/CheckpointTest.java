package org.adatoken3d.weights;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.lang.foreign.ValueLayout;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.function.Consumer;
import java.util.stream.Stream;
import org.adatoken3d.testing.SeededCases;
import org.adatoken3d.weights.SafetensorsRoundTripTest.Spec;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class CheckpointTest {
    private static final ObjectMapper JSON = new ObjectMapper();

    @TempDir Path dir;

    private static List<String> fileNames(Path dir) throws IOException {
        try (Stream<Path> s = Files.list(dir)) {
            return s.map(p -> p.getFileName().toString()).sorted().toList();
        }
    }

    @Test
    void shardsAndIndexRoundTrip() {
        SeededCases.run("shardsAndIndexRoundTrip", 60, rnd -> {
            List<Spec> specs = new ArrayList<>();
            int n = SeededCases.between(rnd, 1, 12);
            for (int i = 0; i < n; i++) specs.add(SafetensorsRoundTripTest.randomSpec(rnd, "model.layers." + i + ".w"));
            long total = specs.stream().mapToLong(s -> s.bytes().length).sum();
            long maxShard = SeededCases.between(rnd, 1, (int) Math.max(2, total + 8));
            Path out = dir.resolve("ckpt" + rnd.nextInt(1 << 30));
            List<Path> written = ShardedCheckpointWriter.write(out, Map.of("format", "pt"),
                    specs.stream().map(Spec::source).toList(), maxShard);

            List<List<TensorSource>> expectedShards = ShardedCheckpointWriter.split(
                    specs.stream().map(Spec::source).toList(), maxShard);
            int shards = expectedShards.size();
            for (List<TensorSource> shard : expectedShards) {
                long bytes = shard.stream().mapToLong(TensorSource::byteSize).sum();
                assertTrue(bytes <= maxShard || shard.size() == 1, "a shard exceeds the limit only for one big tensor");
            }
            try (Checkpoint c = Checkpoint.open(out)) {
                assertEquals(shards, c.files().size());
                if (shards == 1) {
                    assertEquals(List.of(Checkpoint.SINGLE_FILE), fileNames(out));
                } else {
                    assertEquals(shards + 1, written.size());
                    JsonNode index = JSON.readTree(out.resolve(Checkpoint.INDEX_FILE).toFile());
                    assertEquals(total, index.get("metadata").get("total_size").asLong());
                    assertEquals(specs.size(), index.get("weight_map").size());
                    for (int i = 0; i < shards; i++) {
                        assertEquals(String.format("model-%05d-of-%05d.safetensors", i + 1, shards),
                                c.files().get(i).path().getFileName().toString());
                    }
                }
                assertEquals(specs.size(), c.tensors().size());
                for (int i = 0; i < specs.size(); i++) {
                    Spec s = specs.get(i);
                    Tensor t = c.tensor(s.name());
                    assertEquals(t, c.tensors().get(i), "shard by shard, file order: the order written");
                    assertEquals(s.dtype(), t.dtype());
                    assertArrayEquals(s.shape(), t.shape());
                    assertArrayEquals(s.bytes(), t.data().toArray(ValueLayout.JAVA_BYTE));
                    assertEquals(Map.of("format", "pt"), c.files().get(0).metadata());
                }
                assertTrue(c.find("absent").isEmpty());
                InvalidFileException e = assertThrows(InvalidFileException.class, () -> c.tensor("absent"));
                assertTrue(e.getMessage().contains("no tensor absent"), e.getMessage());
            }
        });
    }

    @Test
    void rewritingAFolderRemovesWeightsOfTheOldLayout() throws IOException {
        List<TensorSource> tensors = new ArrayList<>();
        for (int i = 0; i < 4; i++) tensors.add(TensorSource.ofInts("t" + i, new long[] {4}, new int[] {i, i, i, i}));
        Path out = dir.resolve("m");
        ShardedCheckpointWriter.write(out, Map.of(), tensors, 16);
        Files.writeString(out.resolve("config.json"), "{}");
        assertEquals(List.of("config.json", "model-00001-of-00004.safetensors", "model-00002-of-00004.safetensors",
                "model-00003-of-00004.safetensors", "model-00004-of-00004.safetensors", Checkpoint.INDEX_FILE), fileNames(out));
        ShardedCheckpointWriter.write(out, Map.of(), tensors, 32);
        assertEquals(List.of("config.json", "model-00001-of-00002.safetensors", "model-00002-of-00002.safetensors",
                Checkpoint.INDEX_FILE), fileNames(out));
        ShardedCheckpointWriter.write(out, Map.of(), tensors, 1 << 20);
        assertEquals(List.of("config.json", Checkpoint.SINGLE_FILE), fileNames(out));
    }

    private Path twoShards() throws IOException {
        Path out = dir.resolve("sharded");
        ShardedCheckpointWriter.write(out, Map.of(), List.of(
                TensorSource.ofInts("a", new long[] {2}, new int[] {1, 2}),
                TensorSource.ofInts("b", new long[] {2}, new int[] {3, 4})), 8);
        return out;
    }

    private void rewriteIndex(Path out, Consumer<ObjectNode> edit) throws IOException {
        Path index = out.resolve(Checkpoint.INDEX_FILE);
        ObjectNode json = (ObjectNode) JSON.readTree(index.toFile());
        edit.accept(json);
        Files.write(index, JSON.writeValueAsBytes(json));
    }

    private static void assertOpenFails(Path path, String... fragments) {
        InvalidFileException e = assertThrows(InvalidFileException.class, () -> Checkpoint.open(path).close());
        for (String f : fragments) assertTrue(e.getMessage().contains(f), () -> "expected \"" + f + "\" in: " + e.getMessage());
    }

    @Test
    void missingShardIsNamed() throws IOException {
        Path out = twoShards();
        Files.delete(out.resolve("model-00002-of-00002.safetensors"));
        assertOpenFails(out, Checkpoint.INDEX_FILE + ": lists shard model-00002-of-00002.safetensors, which is not in");
    }

    @Test
    void indexListingATensorTheShardLacksIsNamed() throws IOException {
        Path out = twoShards();
        rewriteIndex(out, j -> ((ObjectNode) j.get("weight_map")).put("c", "model-00001-of-00002.safetensors"));
        assertOpenFails(out, "lists tensor c in model-00001-of-00002.safetensors, but that shard has no such tensor");
        rewriteIndex(out, j -> {
            ((ObjectNode) j.get("weight_map")).remove("c");
            ((ObjectNode) j.get("weight_map")).put("a", "model-00002-of-00002.safetensors");
            ((ObjectNode) j.get("weight_map")).put("b", "model-00001-of-00002.safetensors");
        });
        assertOpenFails(out, "lists tensor a in model-00002-of-00002.safetensors", "(it is in model-00001-of-00002.safetensors)");
    }

    @Test
    void badIndexes() throws IOException {
        Path out = twoShards();
        rewriteIndex(out, j -> ((ObjectNode) j.get("weight_map")).put("a", "../elsewhere/model.safetensors"));
        assertOpenFails(out, "not a file name in the same folder");
        rewriteIndex(out, j -> j.remove("weight_map"));
        assertOpenFails(out, "has no weight_map object");
        Files.writeString(out.resolve(Checkpoint.INDEX_FILE), "{\"weight_map\": ");
        assertOpenFails(out, Checkpoint.INDEX_FILE + ": not valid JSON");
    }

    @Test
    void aTensorInTwoShardsIsAnError() throws IOException {
        Path out = twoShards();
        SafetensorsWriter.write(out.resolve("model-00002-of-00002.safetensors"), Map.of(), List.of(
                TensorSource.ofInts("a", new long[] {2}, new int[] {3, 4}),
                TensorSource.ofInts("b", new long[] {2}, new int[] {3, 4})));
        assertOpenFails(out, "tensor a is in two shards");
    }

    @Test
    void openAcceptsAFolderAnIndexOrASingleFile() throws IOException {
        Path out = twoShards();
        try (Checkpoint c = Checkpoint.open(out.resolve(Checkpoint.INDEX_FILE))) {
            assertEquals(2, c.tensors().size());
            assertEquals(out.toAbsolutePath(), c.directory());
        }
        try (Checkpoint c = Checkpoint.open(out.resolve("model-00002-of-00002.safetensors"))) {
            assertEquals(List.of("b"), c.tensors().stream().map(Tensor::name).toList());
        }
        assertOpenFails(dir.resolve("nothing-here"), "no such file or folder");
        Files.createDirectories(dir.resolve("empty"));
        assertOpenFails(dir.resolve("empty"), "holds neither model.safetensors nor model.safetensors.index.json");
    }

    /** A random decoder checkpoint for {@code config}, in F32 or BF16. */
    static List<TensorSource> decoderTensors(ModelConfig config, SplittableRandom rnd) {
        List<TensorSource> out = new ArrayList<>();
        DType dtype = rnd.nextBoolean() ? DType.F32 : DType.BF16;
        for (TensorNames.Expected e : TensorNames.decoder(config.decoder())) {
            float[] values = SeededCases.uniform(rnd, (int) Tensor.elementCount(e.shape()), 0.1f);
            out.add(TensorSource.ofFloats(e.name(), dtype, e.shape(), values));
        }
        return out;
    }

    @Test
    void validateAcceptsMatchingCheckpointsAndCatchesATransposedTensor() {
        SeededCases.run("validateCatchesATransposedTensor", 40, rnd -> {
            ModelConfig config = ModelConfigTest.randomConfig(rnd);
            List<TensorSource> tensors = decoderTensors(config, rnd);
            Path out = dir.resolve("v" + rnd.nextInt(1 << 30));
            ShardedCheckpointWriter.write(out, Map.of(), tensors, 4096);
            Files.writeString(out.resolve("config.json"), config.toJson());
            try (Checkpoint c = Checkpoint.open(out)) {
                assertEquals(config, c.config().orElseThrow());
                c.validate(config);
            }
            // Transpose one 2-D weight whose two dims differ.
            List<Integer> candidates = new ArrayList<>();
            for (int i = 0; i < tensors.size(); i++) {
                long[] s = tensors.get(i).shape();
                if (s.length == 2 && s[0] != s[1]) candidates.add(i);
            }
            if (candidates.isEmpty()) return;
            int victim = candidates.get(rnd.nextInt(candidates.size()));
            TensorSource t = tensors.get(victim);
            long[] s = t.shape();
            long[] transposed = {s[1], s[0]};
            tensors.set(victim, TensorSource.ofFloats(t.name(), t.dtype(), transposed, new float[(int) (s[0] * s[1])]));
            ShardedCheckpointWriter.write(out, Map.of(), tensors, 4096);
            try (Checkpoint c = Checkpoint.open(out)) {
                InvalidFileException e = assertThrows(InvalidFileException.class, () -> c.validate(config));
                Path shard = c.tensor(t.name()).file();
                assertEquals(shard + ": tensor " + t.name() + " has shape " + Tensor.shapeString(transposed)
                        + ", config says " + Tensor.shapeString(s), e.getMessage());
            }
        });
    }

    @Test
    void validateNamesAMissingOrIntegerTensor() throws IOException {
        ModelConfig config = ModelConfig.builder(DecoderConfig.Family.LLAMA).hiddenSize(8).intermediateSize(12)
                .numLayers(2).numHeads(2).vocabSize(10).build();
        List<TensorSource> tensors = decoderTensors(config, new SplittableRandom(1));
        tensors.removeIf(t -> t.name().equals("model.layers.1.mlp.up_proj.weight"));
        Path out = dir.resolve("missing");
        ShardedCheckpointWriter.write(out, Map.of(), tensors, 1 << 20);
        try (Checkpoint c = Checkpoint.open(out)) {
            InvalidFileException e = assertThrows(InvalidFileException.class, () -> c.validate(config));
            assertEquals(out.resolve("model.safetensors") + ": no tensor model.layers.1.mlp.up_proj.weight, which the"
                    + " config's llama decoder needs", e.getMessage());
        }
        tensors.add(TensorSource.ofInts("model.layers.1.mlp.up_proj.weight", new long[] {12, 8}, new int[96]));
        ShardedCheckpointWriter.write(out, Map.of(), tensors, 1 << 20);
        try (Checkpoint c = Checkpoint.open(out)) {
            InvalidFileException e = assertThrows(InvalidFileException.class, () -> c.validate(config));
            assertTrue(e.getMessage().endsWith("tensor model.layers.1.mlp.up_proj.weight is I32; decoder weights must be"
                    + " F32, F16, BF16 or F64"), e.getMessage());
        }
    }

    @Test
    void validateRefusesTensorsTheConfigDoesNotAccountFor() throws IOException {
        ModelConfig four = ModelConfig.builder(DecoderConfig.Family.LLAMA).hiddenSize(8).intermediateSize(12)
                .numLayers(4).numHeads(2).vocabSize(10).build();
        ModelConfig five = ModelConfig.builder(DecoderConfig.Family.LLAMA).hiddenSize(8).intermediateSize(12)
                .numLayers(5).numHeads(2).vocabSize(10).build();
        Path out = dir.resolve("five-layers");
        ShardedCheckpointWriter.write(out, Map.of(), decoderTensors(five, new SplittableRandom(2)), 1 << 20);
        try (Checkpoint c = Checkpoint.open(out)) {
            c.validate(five);
            InvalidFileException e = assertThrows(InvalidFileException.class, () -> c.validate(four));
            assertEquals(out.resolve("model.safetensors") + ": tensor model.layers.4.self_attn.q_proj.weight is not"
                    + " accounted for by config.json: num_hidden_layers is 4", e.getMessage());
        }

        List<TensorSource> tensors = decoderTensors(four, new SplittableRandom(3));
        // transformers before 4.31 saved RoPE's buffer; it is derived from the config, so it may be there.
        tensors.add(TensorSource.ofFloats("model.layers.0.self_attn.rotary_emb.inv_freq", DType.F32, new long[] {2}, new float[2]));
        tensors.add(TensorSource.ofFloats("model.mm_projector.0.weight", DType.F32, new long[] {8, 4}, new float[32]));
        Path llava = dir.resolve("with-projector");
        ShardedCheckpointWriter.write(llava, Map.of(), tensors, 1 << 20);
        try (Checkpoint c = Checkpoint.open(llava)) {
            InvalidFileException e = assertThrows(InvalidFileException.class, () -> c.validate(four));
            assertEquals(llava.resolve("model.safetensors") + ": tensor model.mm_projector.0.weight is not accounted"
                    + " for by config.json: it has no mm_* fields", e.getMessage());
            c.validate(ModelConfig.builder(DecoderConfig.Family.LLAMA).hiddenSize(8).intermediateSize(12).numLayers(4)
                    .numHeads(2).vocabSize(10).mmHiddenSize(4).build());
        }

        tensors = decoderTensors(four, new SplittableRandom(4));
        tensors.add(1, TensorSource.ofFloats("model.layers.0.mlp.up_proj.bias", DType.F32, new long[] {12}, new float[12]));
        Path biased = dir.resolve("stray-bias");
        ShardedCheckpointWriter.write(biased, Map.of(), tensors, 1 << 20);
        try (Checkpoint c = Checkpoint.open(biased)) {
            InvalidFileException e = assertThrows(InvalidFileException.class, () -> c.validate(four));
            assertEquals(biased.resolve("model.safetensors") + ": tensor model.layers.0.mlp.up_proj.bias is not accounted"
                    + " for by config.json: the llama decoder it describes has no such tensor", e.getMessage());
        }
    }

    /** {@code weight} replaced by Q4_0 codes and scales of the right size (contents do not matter to validate). */
    private static void asQ4(List<TensorSource> tensors, String weight, long[] codesShape, long[] scalesShape) {
        TensorSource t = tensors.stream().filter(x -> x.name().equals(weight)).findFirst().orElseThrow();
        int at = tensors.indexOf(t);
        TensorNames.Q4 q4 = TensorNames.q4(weight);
        tensors.set(at, TensorSource.ofBytes(q4.codes(), DType.U8, codesShape, new byte[(int) Tensor.elementCount(codesShape)]));
        tensors.add(at + 1, TensorSource.ofBytes(q4.scales(), DType.BF16, scalesShape, new byte[2 * (int) Tensor.elementCount(scalesShape)]));
    }

    @Test
    void validateAcceptsQ4LinearWeightsAndNamesAMisshapenOrMissingPart() throws IOException {
        // intermediate 40: the down projection's rows end in a part block (40 = 32 + 8), so it has 2 blocks.
        ModelConfig config = ModelConfig.builder(DecoderConfig.Family.LLAMA).hiddenSize(64).intermediateSize(40)
                .numLayers(2).numHeads(2).vocabSize(10).build();
        List<TensorSource> tensors = decoderTensors(config, new SplittableRandom(5));
        for (int l = 0; l < 2; l++) {
            TensorNames.Layer n = TensorNames.layer(l);
            asQ4(tensors, n.q().weight(), new long[] {64, 32}, new long[] {64, 2});
            asQ4(tensors, n.down().weight(), new long[] {64, 32}, new long[] {64, 2});
            asQ4(tensors, n.up().weight(), new long[] {40, 32}, new long[] {40, 2});
        }
        asQ4(tensors, TensorNames.LM_HEAD, new long[] {10, 32}, new long[] {10, 2});
        Path out = dir.resolve("q4");
        ShardedCheckpointWriter.write(out, Map.of(), tensors, 1 << 20);
        try (Checkpoint c = Checkpoint.open(out)) {
            c.validate(config);
        }
        Path file = out.resolve("model.safetensors");
        String scales = "model.layers.1.mlp.down_proj.weight.q4_scales";
        List<TensorSource> misshapen = new ArrayList<>(tensors);
        misshapen.replaceAll(t -> t.name().equals(scales) ? TensorSource.ofBytes(scales, DType.BF16, new long[] {64, 1}, new byte[128]) : t);
        ShardedCheckpointWriter.write(out, Map.of(), misshapen, 1 << 20);
        try (Checkpoint c = Checkpoint.open(out)) {
            InvalidFileException e = assertThrows(InvalidFileException.class, () -> c.validate(config));
            assertEquals(file + ": tensor " + scales + " has shape [64, 1], config says [64, 2] (the Q4_0 scales of a [64, 40] weight)",
                    e.getMessage());
        }
        List<TensorSource> wrongType = new ArrayList<>(tensors);
        wrongType.replaceAll(t -> t.name().equals(scales) ? TensorSource.ofBytes(scales, DType.U8, new long[] {64, 2}, new byte[128]) : t);
        ShardedCheckpointWriter.write(out, Map.of(), wrongType, 1 << 20);
        try (Checkpoint c = Checkpoint.open(out)) {
            InvalidFileException e = assertThrows(InvalidFileException.class, () -> c.validate(config));
            assertEquals(file + ": tensor " + scales + " is U8; Q4_0 scales are BF16", e.getMessage());
        }
        List<TensorSource> alone = new ArrayList<>(tensors);
        alone.removeIf(t -> t.name().equals(scales));
        ShardedCheckpointWriter.write(out, Map.of(), alone, 1 << 20);
        try (Checkpoint c = Checkpoint.open(out)) {
            InvalidFileException e = assertThrows(InvalidFileException.class, () -> c.validate(config));
            assertEquals(file + ": no tensor " + scales + ", which the Q4_0 weight model.layers.1.mlp.down_proj.weight needs beside "
                    + "model.layers.1.mlp.down_proj.weight.q4_codes", e.getMessage());
        }
        List<TensorSource> twice = new ArrayList<>(tensors);
        twice.add(TensorSource.ofFloats("model.layers.0.self_attn.q_proj.weight", DType.F32, new long[] {64, 64}, new float[64 * 64]));
        ShardedCheckpointWriter.write(out, Map.of(), twice, 1 << 20);
        try (Checkpoint c = Checkpoint.open(out)) {
            InvalidFileException e = assertThrows(InvalidFileException.class, () -> c.validate(config));
            assertEquals(file + ": tensor model.layers.0.self_attn.q_proj.weight is stored twice: as itself and as Q4_0 "
                    + "(model.layers.0.self_attn.q_proj.weight.q4_codes, model.layers.0.self_attn.q_proj.weight.q4_scales)", e.getMessage());
        }
        // Only linear weights may be Q4_0: the embedding table is read a row at a time, as stored.
        List<TensorSource> embedding = new ArrayList<>(tensors);
        asQ4(embedding, TensorNames.EMBED_TOKENS, new long[] {10, 32}, new long[] {10, 2});
        ShardedCheckpointWriter.write(out, Map.of(), embedding, 1 << 20);
        try (Checkpoint c = Checkpoint.open(out)) {
            InvalidFileException e = assertThrows(InvalidFileException.class, () -> c.validate(config));
            assertEquals(out.resolve("model.safetensors") + ": no tensor model.embed_tokens.weight, which the config's llama decoder needs",
                    e.getMessage());
        }
    }

    @Test
    void configIsOptionalButMustBeValidWhenPresent() throws IOException {
        Path out = twoShards();
        try (Checkpoint c = Checkpoint.open(out)) {
            assertTrue(c.config().isEmpty());
        }
        Files.writeString(out.resolve("config.json"), "{\"model_type\": \"llama\"}");
        try (Checkpoint c = Checkpoint.open(out)) {
            InvalidFileException e = assertThrows(InvalidFileException.class, c::config);
            assertTrue(e.getMessage().endsWith("config.json: required field hidden_size is missing"), e.getMessage());
        }
    }

    @Test
    void stories260KOpensAndMatchesItsConfig() {
        try (Checkpoint c = Checkpoint.open(SafetensorsRoundTripTest.STORIES)) {
            ModelConfig config = c.config().orElseThrow();
            assertEquals(48, c.tensors().size());
            assertEquals(1, c.files().size());
            c.validate(config); // tied head, but lm_head.weight is stored too and must fit
            assertArrayEquals(new long[] {32, 64}, c.tensor("model.layers.4.self_attn.k_proj.weight").shape());
            assertArrayEquals(new long[] {64, 172}, c.tensor("model.layers.0.mlp.down_proj.weight").shape());
            assertFalse(c.tensors().stream().anyMatch(t -> t.dtype() != DType.F32));
        }
    }
}
