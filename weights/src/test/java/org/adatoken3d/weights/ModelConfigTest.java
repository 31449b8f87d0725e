package org.adatoken3d.weights;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import org.adatoken3d.testing.SeededCases;
import org.adatoken3d.weights.DecoderConfig.Family;
import org.junit.jupiter.api.Test;

class ModelConfigTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Path NAME = Path.of("models", "x", "config.json");

    static byte[] resource(String name) throws IOException {
        try (InputStream in = ModelConfigTest.class.getResourceAsStream("configs/" + name)) {
            return in.readAllBytes();
        }
    }

    static DecoderConfig parse(String json) {
        return ModelConfig.parse(NAME, json.getBytes(StandardCharsets.UTF_8)).decoder();
    }

    /** The table's shapes by name. */
    static Map<String, long[]> shapes(DecoderConfig c) {
        Map<String, long[]> out = new LinkedHashMap<>();
        for (TensorNames.Expected e : TensorNames.decoder(c)) out.put(e.name(), e.shape());
        return out;
    }

    static String minimal(String modelType) {
        return """
                {"model_type": "%s", "hidden_size": 64, "intermediate_size": 172, "num_hidden_layers": 2,
                 "num_attention_heads": 8, "vocab_size": 512}""".formatted(modelType);
    }

    @Test
    void parsesALlava3dStyleConfig() throws IOException {
        ModelConfig file = ModelConfig.parse(NAME, resource("llava-3d-7b-style.json"));
        DecoderConfig c = file.decoder();
        LlavaConfig l = file.llava();
        assertEquals(Family.LLAMA, c.family());
        assertEquals("llava_llama", c.modelType());
        assertEquals(List.of("LlavaLlamaForCausalLM"), c.architectures());
        assertEquals(4096, c.hiddenSize());
        assertEquals(11008, c.intermediateSize());
        assertEquals(32, c.numLayers());
        assertEquals(32, c.numHeads());
        assertEquals(32, c.numKvHeads());
        assertEquals(128, c.headDim());
        assertEquals(32000, c.vocabSize());
        assertEquals(4096, c.maxPositionEmbeddings());
        assertEquals(1e-5, c.rmsNormEps());
        assertEquals(10000.0, c.ropeTheta());
        assertNull(c.ropeScaling());
        assertFalse(c.tieWordEmbeddings());
        assertFalse(c.attentionBias());
        assertFalse(c.attentionOutputBias());
        assertEquals("silu", c.hiddenAct());
        assertEquals(1, c.bosTokenId());
        assertEquals(2, c.eosTokenId());
        assertEquals("bfloat16", c.torchDtype());
        assertTrue(file.isMultimodal());
        // Only the fields something reads; image_aspect_ratio, mm_patch_merge_type and the rest load harmlessly.
        assertEquals(new LlavaConfig(1024, "mlp2x_gelu", "openai/clip-vit-large-patch14-336", "SpatialAwareModule", -2,
                "patch", 20), l);
        // LLaMA-2-7B's published size: 6,738,415,616 parameters in 291 tensors.
        assertEquals(6_738_415_616L, c.parameterCount());
        Map<String, long[]> shapes = shapes(c);
        assertEquals(291, shapes.size());
        assertArrayEquals(new long[] {11008, 4096}, shapes.get("model.layers.3.mlp.up_proj.weight"));
        assertArrayEquals(new long[] {4096, 11008}, shapes.get("model.layers.31.mlp.down_proj.weight"));
        assertArrayEquals(new long[] {32000, 4096}, shapes.get("lm_head.weight"));
    }

    @Test
    void parsesAQwen2Config() throws IOException {
        ModelConfig file = ModelConfig.parse(NAME, resource("qwen2-0.5b.json"));
        DecoderConfig c = file.decoder();
        assertEquals(Family.QWEN2, c.family());
        assertEquals(2, c.numKvHeads());
        assertEquals(64, c.headDim());
        assertEquals(7, c.queriesPerKvHead());
        assertEquals(1e6, c.ropeTheta());
        assertTrue(c.attentionBias(), "Qwen2 always has q/k/v biases");
        assertFalse(c.attentionOutputBias());
        assertTrue(c.tieWordEmbeddings());
        assertFalse(file.isMultimodal());
        assertNull(file.llava());
        Map<String, long[]> shapes = shapes(c);
        assertArrayEquals(new long[] {128}, shapes.get("model.layers.0.self_attn.k_proj.bias"));
        assertArrayEquals(new long[] {896}, shapes.get("model.layers.0.self_attn.q_proj.bias"));
        assertFalse(shapes.containsKey("model.layers.0.self_attn.o_proj.bias"));
        assertFalse(shapes.containsKey("lm_head.weight"), "tied");
        // Qwen2-0.5B's published size: 494,032,768 parameters.
        assertEquals(494_032_768L, c.parameterCount());
    }

    @Test
    void parsesTheRealStories260KConfig() {
        DecoderConfig c = ModelConfig.load(SafetensorsRoundTripTest.STORIES.resolve("config.json")).decoder();
        assertEquals(Family.LLAMA, c.family());
        assertEquals(64, c.hiddenSize());
        assertEquals(172, c.intermediateSize());
        assertEquals(5, c.numLayers());
        assertEquals(8, c.numHeads());
        assertEquals(4, c.numKvHeads());
        assertEquals(8, c.headDim());
        assertEquals(512, c.vocabSize());
        assertEquals(512, c.maxPositionEmbeddings());
        assertTrue(c.tieWordEmbeddings());
        assertEquals("float32", c.torchDtype());
        assertEquals(List.of("LlamaForCausalLM"), c.architectures());
    }

    @Test
    void familyDefaults() {
        DecoderConfig llama = parse(minimal("llama"));
        assertEquals(10_000.0, llama.ropeTheta());
        assertEquals(8, llama.numKvHeads(), "num_key_value_heads defaults to num_attention_heads");
        assertEquals(8, llama.headDim(), "head_dim defaults to hidden / heads");
        assertEquals(2048, llama.maxPositionEmbeddings());
        assertEquals(1e-6, llama.rmsNormEps());
        assertFalse(llama.tieWordEmbeddings());
        DecoderConfig qwen = parse(minimal("qwen2"));
        assertEquals(1_000_000.0, qwen.ropeTheta());
        assertTrue(qwen.attentionBias());
        DecoderConfig biased = parse(minimal("llama").replace("{", "{\"attention_bias\": true, \"mlp_bias\": true,"));
        assertTrue(biased.attentionOutputBias());
        assertArrayEquals(new long[] {64}, shapes(biased).get("model.layers.1.self_attn.o_proj.bias"));
        assertArrayEquals(new long[] {172}, shapes(biased).get("model.layers.1.mlp.up_proj.bias"));
    }

    @Test
    void modelTypesMapToFamilies() {
        for (String t : List.of("llama", "llava", "llava_llama", "LLaVA_Llama_3D", "llava_llama_3d")) {
            assertEquals(Family.LLAMA, Family.fromModelType(t), t);
        }
        for (String t : List.of("qwen2", "llava_qwen", "llava_qwen2")) assertEquals(Family.QWEN2, Family.fromModelType(t), t);
        InvalidFileException e = assertThrows(InvalidFileException.class, () -> parse(minimal("mistral")));
        assertEquals(NAME + ": unsupported model_type \"mistral\" (supported: llama, llava, llava_llama and other"
                + " llava*llama* types for LLaMA; qwen2, llava_qwen, llava_qwen2 for Qwen2)", e.getMessage());
    }

    @Test
    void missingRequiredFieldsAreNamed() throws IOException {
        for (String field : List.of("model_type", "hidden_size", "intermediate_size", "num_hidden_layers",
                "num_attention_heads", "vocab_size")) {
            ObjectNode json = (ObjectNode) JSON.readTree(minimal("llama"));
            json.remove(field);
            InvalidFileException e = assertThrows(InvalidFileException.class, () -> parse(json.toString()));
            assertEquals(NAME + ": required field " + field + " is missing", e.getMessage());
            json.putNull(field);
            e = assertThrows(InvalidFileException.class, () -> parse(json.toString()));
            assertEquals(NAME + ": required field " + field + " is missing", e.getMessage(), "null counts as missing");
        }
    }

    @Test
    void wrongTypesAndImpossibleValuesAreNamed() {
        String base = minimal("llama");
        assertMessage(base.replace("64,", "\"64\","), "hidden_size must be an integer, got \"64\"");
        assertMessage(base.replace("64,", "64.5,"), "hidden_size must be an integer, got 64.5");
        assertMessage(base.replace("64,", "1e12,"), "hidden_size must be an integer");
        assertMessage(base.replace("64,", "-64,"), "hidden_size must be positive, got -64");
        assertMessage(base.replace("{", "{\"num_key_value_heads\": 3,"), "num_attention_heads 8 is not a multiple of num_key_value_heads 3");
        assertMessage(base.replace("64,", "60,"), "hidden_size 60 is not a multiple of num_attention_heads 8");
        assertMessage(base.replace("{", "{\"rms_norm_eps\": \"small\","), "rms_norm_eps must be a number");
        assertMessage(base.replace("{", "{\"rope_theta\": -1,"), "rope_theta must be a positive number");
        assertMessage(base.replace("{", "{\"tie_word_embeddings\": 1,"), "tie_word_embeddings must be true or false, got 1");
        assertMessage(base.replace("{", "{\"rope_scaling\": 2,"), "rope_scaling must be an object or null");
        assertMessage(base.replace("\"num_hidden_layers\": 2", "\"num_hidden_layers\": 2000000000"),
                "num_hidden_layers 2000000000 is beyond any real model");
        assertMessage(base.replace("172", "172000000000"), "intermediate_size must be an integer below 2^31, got 172000000000");
        assertMessage("[1]", "expected a JSON object");
        assertMessage("{\"model_type\": ", "not valid JSON");
        assertMessage(base + "}", "not valid JSON");
    }

    @Test
    void slidingWindowAttentionIsRefusedNotIgnored() {
        String qwen = minimal("qwen2");
        assertMessage(qwen.replace("{", "{\"use_sliding_window\": true, \"sliding_window\": 4096,"),
                "use_sliding_window=true: sliding-window attention is not supported");
        // Qwen2 configs commonly name a window they do not use.
        assertEquals(parse(qwen).hiddenSize(), parse(qwen.replace("{", "{\"use_sliding_window\": false, \"sliding_window\": 4096,")).hiddenSize());
    }

    @Test
    void hiddenActIsRunAsWrittenOrRefused() {
        String base = minimal("llama");
        assertEquals(DecoderConfig.Activation.SILU, parse(base).activation(), "transformers' default");
        Map<String, DecoderConfig.Activation> known = Map.of("silu", DecoderConfig.Activation.SILU, "swish",
                DecoderConfig.Activation.SILU, "gelu", DecoderConfig.Activation.GELU, "gelu_new",
                DecoderConfig.Activation.GELU_TANH, "gelu_pytorch_tanh", DecoderConfig.Activation.GELU_TANH);
        known.forEach((name, act) -> {
            DecoderConfig c = parse(base.replace("{", "{\"hidden_act\": \"" + name + "\","));
            assertEquals(act, c.activation(), name);
            assertEquals(name, c.hiddenAct(), "written back as it was read");
        });
        for (String unknown : List.of("relu2", "relu", "gelu_10", "SiLU", "")) {
            assertMessage(base.replace("{", "{\"hidden_act\": \"" + unknown + "\","), "hidden_act \"" + unknown
                    + "\" is not supported (supported: silu, swish, gelu, gelu_new, gelu_pytorch_tanh)");
        }
    }

    @Test
    void tokenIdsMustBeInTheVocabulary() {
        String base = minimal("llama");
        assertMessage(base.replace("{", "{\"eos_token_id\": 512,"), "eos_token_id 512 is not a token id (vocab_size 512)");
        assertMessage(base.replace("{", "{\"eos_token_id\": [2, -1],"), "eos_token_id -1 is not a token id");
        assertMessage(base.replace("{", "{\"bos_token_id\": 600,"), "bos_token_id 600 is not a token id (vocab_size 512)");
        assertEquals(511, parse(base.replace("{", "{\"bos_token_id\": 511,")).bosTokenId());
    }

    @Test
    void llavaPartHoldsOnlyWhatIsReadAndChecksIt() {
        assertNull(ModelConfig.parse(NAME, minimal("llava_llama").replace("{", "{\"image_aspect_ratio\": \"pad\","
                + " \"mm_use_im_start_end\": false, \"tokenizer_model_max_length\": 2048,").getBytes(StandardCharsets.UTF_8)).llava(),
                "keys nobody reads make no LLaVA part");
        String llava = minimal("llava_llama").replace("{", "{\"mm_hidden_size\": 1024,");
        assertEquals(new LlavaConfig(1024, null, null, null, null, null, null),
                ModelConfig.parse(NAME, llava.getBytes(StandardCharsets.UTF_8)).llava());
        assertMessage(llava.replace("1024", "0"), "mm_hidden_size must be positive, got 0");
        assertMessage(llava.replace("{", "{\"num_frames\": -20,"), "num_frames must be positive, got -20");
        assertMessage(llava.replace("{", "{\"mm_vision_select_feature\": \"cls_patch\","),
                "mm_vision_select_feature \"cls_patch\" is not supported (only patch)");
        assertMessage(llava.replace("{", "{\"mm_vision_select_layer\": \"-2\","), "mm_vision_select_layer must be an integer");
    }

    @Test
    void builderChecksAsTheParserDoes() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> ModelConfig.builder(Family.LLAMA)
                .hiddenSize(8).intermediateSize(8).numLayers(1).numHeads(2).vocabSize(8).hiddenAct("relu2").build());
        assertTrue(e.getMessage().contains("hidden_act \"relu2\" is not supported"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> ModelConfig.builder(Family.QWEN2).hiddenSize(8).build());
        assertTrue(e.getMessage().contains("required field intermediate_size is missing"), e.getMessage());
        DecoderConfig built = ModelConfig.builder(Family.QWEN2).hiddenSize(8).intermediateSize(8).numLayers(1).numHeads(2)
                .vocabSize(8).build().decoder();
        assertEquals(parse("{\"model_type\": \"qwen2\", \"hidden_size\": 8, \"intermediate_size\": 8,"
                + " \"num_hidden_layers\": 1, \"num_attention_heads\": 2, \"vocab_size\": 8}"), built, "the file's defaults");
    }

    private static void assertMessage(String json, String fragment) {
        InvalidFileException e = assertThrows(InvalidFileException.class, () -> parse(json));
        assertTrue(e.getMessage().startsWith(NAME + ": ") && e.getMessage().contains(fragment),
                () -> "expected \"" + fragment + "\" in: " + e.getMessage());
    }

    @Test
    void eosTokenIdMayBeAList() {
        DecoderConfig c = parse(minimal("llama").replace("{", "{\"eos_token_id\": [128001, 128009],").replace("512}", "128256}"));
        assertEquals(List.of(128001, 128009), c.eosTokenIds());
        assertEquals(128001, c.eosTokenId());
    }

    @Test
    void ropeParametersOfNewerTransformersAreRead() {
        DecoderConfig plain = parse(minimal("llama").replace("{", "{\"rope_parameters\": {\"rope_type\": \"default\", \"rope_theta\": 500000.0},"));
        assertEquals(500000.0, plain.ropeTheta());
        assertNull(plain.ropeScaling());
        DecoderConfig scaled = parse(minimal("llama").replace("{", "{\"rope_parameters\": {\"rope_type\": \"llama3\", \"factor\": 8.0, \"rope_theta\": 500000.0},"));
        assertEquals("llama3", scaled.ropeScaling().get("rope_type"));
        DecoderConfig legacy = parse(minimal("llama").replace("{", "{\"rope_scaling\": {\"type\": \"linear\", \"factor\": 2.0},"));
        assertEquals(Map.of("type", "linear", "factor", 2.0), legacy.ropeScaling());
    }

    static ModelConfig randomConfig(SplittableRandom rnd) {
        Family family = Family.values()[rnd.nextInt(2)];
        int kv = SeededCases.between(rnd, 1, 4);
        int heads = kv * SeededCases.between(rnd, 1, 4);
        int headDim = 2 * SeededCases.between(rnd, 1, 8);
        ModelConfig.Builder b = ModelConfig.builder(family)
                .hiddenSize(heads * headDim + (rnd.nextBoolean() ? 0 : 2))
                .headDim(headDim)
                .intermediateSize(SeededCases.between(rnd, 1, 64))
                .numLayers(SeededCases.between(rnd, 1, 4))
                .numHeads(heads)
                .numKvHeads(kv)
                .vocabSize(SeededCases.between(rnd, 8, 100))
                .tieWordEmbeddings(rnd.nextBoolean())
                .attentionBias(rnd.nextBoolean())
                .mlpBias(rnd.nextBoolean())
                .rmsNormEps(rnd.nextBoolean() ? 1e-5 : 1e-6)
                .ropeTheta(rnd.nextBoolean() ? 10_000 : 1e6 + rnd.nextInt(10))
                .torchDtype(rnd.nextBoolean() ? "bfloat16" : null)
                .eosTokenIds(rnd.nextBoolean() ? List.of(2) : List.of(5, 7));
        if (rnd.nextBoolean()) {
            b.modelType(family == Family.LLAMA ? "llava_llama" : "llava_qwen").mmHiddenSize(1024)
                    .mmProjectorType("mlp2x_gelu").mmVisionTower("openai/clip-vit-large-patch14-336")
                    .mmVideoTower("SpatialAwareModule").mmVisionSelectLayer(-2).mmVisionSelectFeature("patch").numFrames(20);
        }
        return b.build();
    }

    @Test
    void toJsonParsesBackToAnEqualConfig() {
        SeededCases.run("toJsonParsesBackToAnEqualConfig", 200, rnd -> {
            ModelConfig c = randomConfig(rnd);
            assertEquals(c, ModelConfig.parse(NAME, c.toJson().getBytes(StandardCharsets.UTF_8)));
        });
    }

    @Test
    void parameterCountIsTheSumOfTheExpectedShapes() {
        SeededCases.run("parameterCountIsTheSumOfTheExpectedShapes", 200, rnd -> {
            DecoderConfig c = randomConfig(rnd).decoder();
            long sum = 0;
            for (long[] shape : shapes(c).values()) sum += Tensor.elementCount(shape);
            assertEquals(sum, c.parameterCount());
            int perLayer = 9 + (c.attentionBias() ? 3 : 0) + (c.attentionOutputBias() ? 1 : 0) + (c.mlpBias() ? 3 : 0);
            assertEquals(2 + (c.tieWordEmbeddings() ? 0 : 1) + c.numLayers() * perLayer, shapes(c).size());
        });
    }

    @Test
    void configFileErrors() {
        Path none = Path.of("no", "such", "config.json");
        assertEquals(none + ": no such file", assertThrows(InvalidFileException.class, () -> ModelConfig.load(none)).getMessage());
    }
}
