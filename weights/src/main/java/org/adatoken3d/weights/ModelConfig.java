package org.adatoken3d.weights;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.StreamReadConstraints;
import com.fasterxml.jackson.core.StreamReadFeature;
import com.fasterxml.jackson.core.json.JsonReadFeature;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.json.JsonMapper;
import java.io.IOException;
import java.nio.file.AccessDeniedException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;

/**
 * A Hugging Face {@code config.json} for the decoders we run (LLaMA, as in LLaVA-3D, and Qwen2), with the LLaVA-3D
 * multimodal fields. Unknown fields are ignored; a missing required field or a value of the wrong type is an
 * {@link InvalidFileException} naming the file and the field. Defaults are those of the transformers classes.
 *
 * <p>Build one in code with {@link #builder(Family)}; {@link #toJson()} writes it back as a config.json.
 *
 * @param modelType the {@code model_type} as written ({@code llava_llama}, {@code qwen2}, ...)
 * @param numLayers {@code num_hidden_layers}
 * @param numHeads {@code num_attention_heads}
 * @param numKvHeads {@code num_key_value_heads}, default numHeads
 * @param headDim {@code head_dim}, default hiddenSize / numHeads
 * @param ropeScaling {@code rope_scaling} as written, or null; the decoder rejects anything but null
 * @param attentionBias biases on q/k/v (always for Qwen2; {@code attention_bias} for LLaMA, which then also has
 *     one on o_proj)
 * @param mlpBias {@code mlp_bias} (LLaMA only): biases on gate/up/down
 * @param eosTokenIds every id of {@code eos_token_id}, which may be a number or a list
 * @param torchDtype {@code torch_dtype} (or the newer {@code dtype}), e.g. "bfloat16"; null if absent
 * @param mmHiddenSize width of the vision features fed to the projector (1024 for CLIP ViT-L); null for text models
 */
public record ModelConfig(
        String modelType,
        Family family,
        List<String> architectures,
        int hiddenSize,
        int intermediateSize,
        int numLayers,
        int numHeads,
        int numKvHeads,
        int headDim,
        int vocabSize,
        int maxPositionEmbeddings,
        double rmsNormEps,
        double ropeTheta,
        Map<String, Object> ropeScaling,
        boolean tieWordEmbeddings,
        boolean attentionBias,
        boolean mlpBias,
        String hiddenAct,
        Integer bosTokenId,
        List<Integer> eosTokenIds,
        String torchDtype,
        Integer mmHiddenSize,
        String mmProjectorType,
        String mmVisionTower,
        String mmVideoTower,
        Integer mmVisionSelectLayer,
        String mmVisionSelectFeature,
        String mmPatchMergeType,
        String imageAspectRatio,
        Boolean mmUseImStartEnd,
        Boolean mmUseImPatchToken,
        Integer numFrames,
        Integer numSampleTokens,
        Integer tokenizerModelMaxLength) {

    /** config.json files are a few KiB; refuse to read anything absurd. */
    static final long MAX_CONFIG_BYTES = 16L << 20;

    /** Real models have at most a few hundred layers; the bound keeps expectedDecoderShapes() small. */
    static final int MAX_LAYERS = 10_000;

    private static final ObjectMapper JSON = JsonMapper.builder(JsonFactory.builder()
                    .streamReadConstraints(StreamReadConstraints.builder().maxNestingDepth(100).build())
                    .build())
            .enable(StreamReadFeature.STRICT_DUPLICATE_DETECTION)
            // transformers writes NaN/Infinity bare when a float field holds one.
            .enable(JsonReadFeature.ALLOW_NON_NUMERIC_NUMBERS)
            .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS)
            .enable(SerializationFeature.INDENT_OUTPUT)
            .build();

    /** Decoder architectures we run; each {@code model_type} maps to one. */
    public enum Family {
        LLAMA("llama", "LlamaForCausalLM", 10_000.0, 2048),
        QWEN2("qwen2", "Qwen2ForCausalLM", 1_000_000.0, 32768);

        private final String modelType;
        private final String architecture;
        private final double defaultRopeTheta;
        private final int defaultMaxPositions;

        Family(String modelType, String architecture, double defaultRopeTheta, int defaultMaxPositions) {
            this.modelType = modelType;
            this.architecture = architecture;
            this.defaultRopeTheta = defaultRopeTheta;
            this.defaultMaxPositions = defaultMaxPositions;
        }

        /** The plain transformers model_type of this family. */
        public String modelType() {
            return modelType;
        }

        /**
         * The family of a {@code model_type}: llama, llava, llava_llama and other llava*llama* names (LLaVA, LLaVA-3D)
         * are LLaMA; qwen2, llava_qwen, llava_qwen2 and other llava*qwen* names are Qwen2.
         */
        public static Family fromModelType(String modelType) {
            String t = modelType.toLowerCase(Locale.ROOT);
            if (t.equals("llama") || t.equals("llava") || (t.startsWith("llava") && t.contains("llama"))) return LLAMA;
            if (t.equals("qwen2") || (t.startsWith("llava") && t.contains("qwen"))) return QWEN2;
            throw new IllegalArgumentException("unsupported model_type \"" + modelType + "\" (supported: llama, llava,"
                    + " llava_llama and other llava*llama* types for LLaMA; qwen2, llava_qwen, llava_qwen2 for Qwen2)");
        }
    }

    public ModelConfig {
        Objects.requireNonNull(modelType, "modelType");
        Objects.requireNonNull(family, "family");
        Objects.requireNonNull(hiddenAct, "hiddenAct");
        architectures = List.copyOf(architectures);
        eosTokenIds = List.copyOf(eosTokenIds);
        ropeScaling = ropeScaling == null ? null : Collections.unmodifiableMap(new LinkedHashMap<>(ropeScaling));
        positive("hidden_size", hiddenSize);
        positive("intermediate_size", intermediateSize);
        positive("num_hidden_layers", numLayers);
        positive("num_attention_heads", numHeads);
        positive("num_key_value_heads", numKvHeads);
        positive("head_dim", headDim);
        positive("vocab_size", vocabSize);
        positive("max_position_embeddings", maxPositionEmbeddings);
        if (numHeads % numKvHeads != 0) {
            throw new IllegalArgumentException("num_attention_heads " + numHeads + " is not a multiple of"
                    + " num_key_value_heads " + numKvHeads);
        }
        if (!(rmsNormEps > 0) || Double.isInfinite(rmsNormEps)) {
            throw new IllegalArgumentException("rms_norm_eps must be a positive number, got " + rmsNormEps);
        }
        if (!(ropeTheta > 0) || Double.isInfinite(ropeTheta)) {
            throw new IllegalArgumentException("rope_theta must be a positive number, got " + ropeTheta);
        }
        if (mmHiddenSize != null) positive("mm_hidden_size", mmHiddenSize);
        if (numFrames != null) positive("num_frames", numFrames);
        if (numLayers > MAX_LAYERS) {
            throw new IllegalArgumentException("num_hidden_layers " + numLayers + " is beyond any real model (limit "
                    + MAX_LAYERS + ")");
        }
        try {
            countParameters(family, hiddenSize, intermediateSize, numLayers, numHeads, numKvHeads, headDim, vocabSize,
                    tieWordEmbeddings, attentionBias, mlpBias);
        } catch (ArithmeticException e) {
            throw new IllegalArgumentException("the config describes more than 2^63 parameters");
        }
    }

    /** The first {@code eos_token_id}, or null when the config names none. */
    public Integer eosTokenId() {
        return eosTokenIds.isEmpty() ? null : eosTokenIds.getFirst();
    }

    /** True when o_proj has a bias: LLaMA with attention_bias (Qwen2 has biases on q/k/v only). */
    public boolean attentionOutputBias() {
        return family == Family.LLAMA && attentionBias;
    }

    /** True when the config describes a LLaVA-style model with a vision or 3D video tower. */
    public boolean isMultimodal() {
        return mmVisionTower != null || mmVideoTower != null || mmHiddenSize != null;
    }

    /** Query heads per key/value head (grouped-query attention). */
    public int queriesPerKvHead() {
        return numHeads / numKvHeads;
    }

    /**
     * The shape of every decoder tensor under its Hugging Face name, in load order: embeddings, then per layer
     * q/k/v/o (and biases), gate/up/down, the two norms, then the final norm and {@code lm_head.weight} unless the
     * head is tied to the embeddings. Linear weights are [out_features, in_features].
     */
    public Map<String, long[]> expectedDecoderShapes() {
        return decoderShapes(family, hiddenSize, intermediateSize, numLayers, numHeads, numKvHeads, headDim, vocabSize,
                tieWordEmbeddings, attentionBias, mlpBias);
    }

    /** Parameters of the decoder (without vision tower and projector); a tied head is counted once. */
    public long parameterCount() {
        return countParameters(family, hiddenSize, intermediateSize, numLayers, numHeads, numKvHeads, headDim,
                vocabSize, tieWordEmbeddings, attentionBias, mlpBias);
    }

    private static long countParameters(Family family, long hidden, long inter, long layers, long heads, long kvHeads,
            long headDim, long vocab, boolean tied, boolean attentionBias, boolean mlpBias) {
        long q = heads * headDim; // products of two ints cannot overflow a long
        long kv = kvHeads * headDim;
        long attention = Math.addExact(Math.multiplyExact(2, hidden * q), Math.multiplyExact(2, hidden * kv));
        if (attentionBias) attention = Math.addExact(attention, q + 2 * kv + (family == Family.LLAMA ? hidden : 0));
        long mlp = Math.multiplyExact(3, hidden * inter);
        if (mlpBias) mlp = Math.addExact(mlp, 2 * inter + hidden);
        long layer = Math.addExact(Math.addExact(attention, mlp), 2 * hidden);
        long embeddings = Math.multiplyExact(tied ? 1 : 2, vocab * hidden);
        return Math.addExact(Math.addExact(embeddings, Math.multiplyExact(layers, layer)), hidden);
    }

    private static Map<String, long[]> decoderShapes(Family family, long hidden, long inter, int layers, long heads,
            long kvHeads, long headDim, long vocab, boolean tied, boolean attentionBias, boolean mlpBias) {
        Map<String, long[]> shapes = new LinkedHashMap<>();
        long q = heads * headDim;
        long kv = kvHeads * headDim;
        shapes.put("model.embed_tokens.weight", new long[] {vocab, hidden});
        for (int l = 0; l < layers; l++) {
            String p = "model.layers." + l + ".";
            shapes.put(p + "self_attn.q_proj.weight", new long[] {q, hidden});
            shapes.put(p + "self_attn.k_proj.weight", new long[] {kv, hidden});
            shapes.put(p + "self_attn.v_proj.weight", new long[] {kv, hidden});
            shapes.put(p + "self_attn.o_proj.weight", new long[] {hidden, q});
            if (attentionBias) {
                shapes.put(p + "self_attn.q_proj.bias", new long[] {q});
                shapes.put(p + "self_attn.k_proj.bias", new long[] {kv});
                shapes.put(p + "self_attn.v_proj.bias", new long[] {kv});
                if (family == Family.LLAMA) shapes.put(p + "self_attn.o_proj.bias", new long[] {hidden});
            }
            shapes.put(p + "mlp.gate_proj.weight", new long[] {inter, hidden});
            shapes.put(p + "mlp.up_proj.weight", new long[] {inter, hidden});
            shapes.put(p + "mlp.down_proj.weight", new long[] {hidden, inter});
            if (mlpBias) {
                shapes.put(p + "mlp.gate_proj.bias", new long[] {inter});
                shapes.put(p + "mlp.up_proj.bias", new long[] {inter});
                shapes.put(p + "mlp.down_proj.bias", new long[] {hidden});
            }
            shapes.put(p + "input_layernorm.weight", new long[] {hidden});
            shapes.put(p + "post_attention_layernorm.weight", new long[] {hidden});
        }
        shapes.put("model.norm.weight", new long[] {hidden});
        if (!tied) shapes.put("lm_head.weight", new long[] {vocab, hidden});
        return Collections.unmodifiableMap(shapes);
    }

    private static void positive(String field, long value) {
        if (value <= 0) throw new IllegalArgumentException(field + " must be positive, got " + value);
    }

    // ---------------------------------------------------------------------------------------------- reading

    /** Reads and checks {@code configJson}. */
    public static ModelConfig load(Path configJson) {
        byte[] bytes;
        try {
            long size = Files.size(configJson);
            if (size > MAX_CONFIG_BYTES) {
                throw new InvalidFileException(configJson, "is " + size + " bytes; a config.json is a few KiB (limit "
                        + MAX_CONFIG_BYTES + ")");
            }
            bytes = Files.readAllBytes(configJson);
        } catch (NoSuchFileException e) {
            throw new InvalidFileException(configJson, "no such file");
        } catch (AccessDeniedException e) {
            throw new InvalidFileException(configJson, "permission denied");
        } catch (IOException e) {
            throw new InvalidFileException(configJson, "cannot read: " + e.getMessage(), e);
        }
        return parse(configJson, bytes);
    }

    /** Parses config.json content; {@code nameForErrors} labels every error. */
    public static ModelConfig parse(Path nameForErrors, byte[] json) {
        JsonNode root;
        try {
            root = JSON.readTree(json);
        } catch (JsonProcessingException e) {
            throw new InvalidFileException(nameForErrors, "not valid JSON: " + e.getOriginalMessage(), e);
        } catch (IOException e) {
            throw new InvalidFileException(nameForErrors, "not valid UTF-8 JSON: " + e.getMessage(), e);
        }
        if (root == null || !root.isObject()) {
            throw new InvalidFileException(nameForErrors, "expected a JSON object");
        }
        Fields f = new Fields(nameForErrors, root);
        String modelType = f.requiredString("model_type");
        Family family;
        try {
            family = Family.fromModelType(modelType);
        } catch (IllegalArgumentException e) {
            throw new InvalidFileException(nameForErrors, e.getMessage());
        }
        Builder b = builder(family).modelType(modelType);
        b.architectures(f.stringList("architectures", b.architectures));
        b.hiddenSize(f.requiredInt("hidden_size"));
        b.intermediateSize(f.requiredInt("intermediate_size"));
        b.numLayers(f.requiredInt("num_hidden_layers"));
        b.numHeads(f.requiredInt("num_attention_heads"));
        b.vocabSize(f.requiredInt("vocab_size"));
        b.numKvHeads(f.optionalInt("num_key_value_heads"));
        b.headDim(f.optionalInt("head_dim"));
        b.maxPositionEmbeddings(f.intOr("max_position_embeddings", b.maxPositionEmbeddings));
        b.rmsNormEps(f.doubleOr("rms_norm_eps", b.rmsNormEps));
        // transformers 5 moved rope_theta and rope_scaling into rope_parameters.
        Map<String, Object> ropeParameters = f.objectOrNull("rope_parameters");
        double theta = b.ropeTheta;
        if (ropeParameters != null && ropeParameters.get("rope_theta") instanceof Number n) theta = n.doubleValue();
        b.ropeTheta(f.doubleOr("rope_theta", theta));
        Map<String, Object> scaling = f.objectOrNull("rope_scaling");
        if (scaling == null && ropeParameters != null
                && !"default".equals(ropeParameters.getOrDefault("rope_type", "default"))) {
            scaling = ropeParameters;
        }
        b.ropeScaling(scaling);
        b.tieWordEmbeddings(f.boolOr("tie_word_embeddings", b.tieWordEmbeddings));
        if (f.boolOr("use_sliding_window", false)) {
            // Qwen2's sliding window changes which keys the upper layers see; attending to all of them instead
            // would give different logits without any sign of it.
            throw new InvalidFileException(nameForErrors, "use_sliding_window=true: sliding-window attention is not supported");
        }
        if (family == Family.LLAMA) {
            b.attentionBias(f.boolOr("attention_bias", false));
            b.mlpBias(f.boolOr("mlp_bias", false));
        }
        b.hiddenAct(f.stringOr("hidden_act", b.hiddenAct));
        b.bosTokenId(f.optionalInt("bos_token_id"));
        b.eosTokenIds(f.intList("eos_token_id"));
        b.torchDtype(f.stringOr("torch_dtype", f.stringOr("dtype", null)));
        b.mmHiddenSize(f.optionalInt("mm_hidden_size"));
        b.mmProjectorType(f.stringOr("mm_projector_type", null));
        b.mmVisionTower(f.stringOr("mm_vision_tower", null));
        b.mmVideoTower(f.stringOr("mm_video_tower", null));
        b.mmVisionSelectLayer(f.optionalInt("mm_vision_select_layer"));
        b.mmVisionSelectFeature(f.stringOr("mm_vision_select_feature", null));
        b.mmPatchMergeType(f.stringOr("mm_patch_merge_type", null));
        b.imageAspectRatio(f.stringOr("image_aspect_ratio", null));
        b.mmUseImStartEnd(f.optionalBool("mm_use_im_start_end"));
        b.mmUseImPatchToken(f.optionalBool("mm_use_im_patch_token"));
        b.numFrames(f.optionalInt("num_frames"));
        b.numSampleTokens(f.optionalInt("num_sample_tokens"));
        b.tokenizerModelMaxLength(f.optionalInt("tokenizer_model_max_length"));
        try {
            return b.build();
        } catch (IllegalArgumentException e) {
            throw new InvalidFileException(nameForErrors, e.getMessage());
        }
    }

    /** Typed access to the fields of one JSON object, with errors that name the file and the field. */
    private record Fields(Path file, JsonNode root) {
        private JsonNode present(String name) {
            JsonNode n = root.get(name);
            return n == null || n.isNull() ? null : n;
        }

        private InvalidFileException wrongType(String name, String expected, JsonNode n) {
            String shown = n.toString();
            if (shown.length() > 60) shown = shown.substring(0, 60) + "...";
            return new InvalidFileException(file, name + " must be " + expected + ", got " + shown);
        }

        int requiredInt(String name) {
            Integer v = optionalInt(name);
            if (v == null) throw new InvalidFileException(file, "required field " + name + " is missing");
            return v;
        }

        String requiredString(String name) {
            String v = stringOr(name, null);
            if (v == null) throw new InvalidFileException(file, "required field " + name + " is missing");
            return v;
        }

        Integer optionalInt(String name) {
            JsonNode n = present(name);
            if (n == null) return null;
            return asInt(name, n);
        }

        private int asInt(String name, JsonNode n) {
            if (!n.isNumber() || !n.canConvertToExactIntegral()) throw wrongType(name, "an integer", n);
            if (!n.canConvertToInt()) throw wrongType(name, "an integer below 2^31", n);
            return n.intValue();
        }

        int intOr(String name, int fallback) {
            Integer v = optionalInt(name);
            return v == null ? fallback : v;
        }

        double doubleOr(String name, double fallback) {
            JsonNode n = present(name);
            if (n == null) return fallback;
            if (!n.isNumber()) throw wrongType(name, "a number", n);
            return n.doubleValue();
        }

        boolean boolOr(String name, boolean fallback) {
            Boolean v = optionalBool(name);
            return v == null ? fallback : v;
        }

        Boolean optionalBool(String name) {
            JsonNode n = present(name);
            if (n == null) return null;
            if (!n.isBoolean()) throw wrongType(name, "true or false", n);
            return n.booleanValue();
        }

        String stringOr(String name, String fallback) {
            JsonNode n = present(name);
            if (n == null) return fallback;
            if (!n.isTextual()) throw wrongType(name, "a string", n);
            return n.textValue();
        }

        List<String> stringList(String name, List<String> fallback) {
            JsonNode n = present(name);
            if (n == null) return fallback;
            if (!n.isArray()) throw wrongType(name, "a list of strings", n);
            List<String> out = new ArrayList<>();
            for (JsonNode e : n) {
                if (!e.isTextual()) throw wrongType(name, "a list of strings", n);
                out.add(e.textValue());
            }
            return out;
        }

        /** A number or a list of numbers, as a list. */
        List<Integer> intList(String name) {
            JsonNode n = present(name);
            if (n == null) return List.of();
            if (!n.isArray()) return List.of(asInt(name, n));
            List<Integer> out = new ArrayList<>();
            for (JsonNode e : n) out.add(asInt(name, e));
            return out;
        }

        @SuppressWarnings("unchecked")
        Map<String, Object> objectOrNull(String name) {
            JsonNode n = present(name);
            if (n == null) return null;
            if (!n.isObject()) throw wrongType(name, "an object or null", n);
            return JSON.convertValue(n, LinkedHashMap.class);
        }
    }

    // ---------------------------------------------------------------------------------------------- writing

    /**
     * A Hugging Face style config.json (keys sorted, two-space indent, as transformers writes them) that
     * {@link #parse} reads back to an equal config. Multimodal fields are written only when set.
     */
    public String toJson() {
        Map<String, Object> m = new TreeMap<>();
        m.put("architectures", architectures); // even when empty: absent means the family's default
        m.put("model_type", modelType);
        m.put("hidden_size", hiddenSize);
        m.put("intermediate_size", intermediateSize);
        m.put("num_hidden_layers", numLayers);
        m.put("num_attention_heads", numHeads);
        m.put("num_key_value_heads", numKvHeads);
        m.put("head_dim", headDim);
        m.put("vocab_size", vocabSize);
        m.put("max_position_embeddings", maxPositionEmbeddings);
        m.put("rms_norm_eps", rmsNormEps);
        m.put("rope_theta", ropeTheta);
        m.put("rope_scaling", ropeScaling);
        m.put("tie_word_embeddings", tieWordEmbeddings);
        if (family == Family.LLAMA) {
            m.put("attention_bias", attentionBias);
            m.put("mlp_bias", mlpBias);
        }
        m.put("hidden_act", hiddenAct);
        if (bosTokenId != null) m.put("bos_token_id", bosTokenId);
        if (eosTokenIds.size() == 1) m.put("eos_token_id", eosTokenIds.getFirst());
        if (eosTokenIds.size() > 1) m.put("eos_token_id", eosTokenIds);
        if (torchDtype != null) m.put("torch_dtype", torchDtype);
        putIfSet(m, "mm_hidden_size", mmHiddenSize);
        putIfSet(m, "mm_projector_type", mmProjectorType);
        putIfSet(m, "mm_vision_tower", mmVisionTower);
        putIfSet(m, "mm_video_tower", mmVideoTower);
        putIfSet(m, "mm_vision_select_layer", mmVisionSelectLayer);
        putIfSet(m, "mm_vision_select_feature", mmVisionSelectFeature);
        putIfSet(m, "mm_patch_merge_type", mmPatchMergeType);
        putIfSet(m, "image_aspect_ratio", imageAspectRatio);
        putIfSet(m, "mm_use_im_start_end", mmUseImStartEnd);
        putIfSet(m, "mm_use_im_patch_token", mmUseImPatchToken);
        putIfSet(m, "num_frames", numFrames);
        putIfSet(m, "num_sample_tokens", numSampleTokens);
        putIfSet(m, "tokenizer_model_max_length", tokenizerModelMaxLength);
        try {
            return JSON.writeValueAsString(m) + "\n";
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("config to JSON", e);
        }
    }

    private static void putIfSet(Map<String, Object> m, String key, Object value) {
        if (value != null) m.put(key, value);
    }

    /** One line for summaries: {@code llava_llama (LLaMA): 32 layers, hidden 4096, 32 heads / 32 KV heads, ...}. */
    @Override
    public String toString() {
        return modelType + " (" + family + "): " + numLayers + " layers, hidden " + hiddenSize + ", intermediate "
                + intermediateSize + ", " + numHeads + " heads / " + numKvHeads + " KV heads of " + headDim
                + ", vocab " + vocabSize + (tieWordEmbeddings ? ", tied head" : "")
                + (isMultimodal() ? ", multimodal (mm_hidden_size " + mmHiddenSize + ")" : "");
    }

    // ---------------------------------------------------------------------------------------------- building

    /** A builder holding the transformers defaults of {@code family}; set at least the five sizes. */
    public static Builder builder(Family family) {
        return new Builder(family);
    }

    /** A builder starting from this config, to derive variants. */
    public Builder toBuilder() {
        Builder b = new Builder(family);
        b.modelType = modelType;
        b.architectures = architectures;
        b.hiddenSize = hiddenSize;
        b.intermediateSize = intermediateSize;
        b.numLayers = numLayers;
        b.numHeads = numHeads;
        b.numKvHeads = numKvHeads;
        b.headDim = headDim;
        b.vocabSize = vocabSize;
        b.maxPositionEmbeddings = maxPositionEmbeddings;
        b.rmsNormEps = rmsNormEps;
        b.ropeTheta = ropeTheta;
        b.ropeScaling = ropeScaling;
        b.tieWordEmbeddings = tieWordEmbeddings;
        b.attentionBias = attentionBias;
        b.mlpBias = mlpBias;
        b.hiddenAct = hiddenAct;
        b.bosTokenId = bosTokenId;
        b.eosTokenIds = eosTokenIds;
        b.torchDtype = torchDtype;
        b.mmHiddenSize = mmHiddenSize;
        b.mmProjectorType = mmProjectorType;
        b.mmVisionTower = mmVisionTower;
        b.mmVideoTower = mmVideoTower;
        b.mmVisionSelectLayer = mmVisionSelectLayer;
        b.mmVisionSelectFeature = mmVisionSelectFeature;
        b.mmPatchMergeType = mmPatchMergeType;
        b.imageAspectRatio = imageAspectRatio;
        b.mmUseImStartEnd = mmUseImStartEnd;
        b.mmUseImPatchToken = mmUseImPatchToken;
        b.numFrames = numFrames;
        b.numSampleTokens = numSampleTokens;
        b.tokenizerModelMaxLength = tokenizerModelMaxLength;
        return b;
    }

    /** Fluent construction with family defaults; {@link #build()} checks like {@link #parse} does. */
    public static final class Builder {
        private final Family family;
        private String modelType;
        private List<String> architectures;
        private int hiddenSize;
        private int intermediateSize;
        private int numLayers;
        private int numHeads;
        private Integer numKvHeads;
        private Integer headDim;
        private int vocabSize;
        private int maxPositionEmbeddings;
        private double rmsNormEps = 1e-6;
        private double ropeTheta;
        private Map<String, Object> ropeScaling;
        private boolean tieWordEmbeddings;
        private boolean attentionBias;
        private boolean mlpBias;
        private String hiddenAct = "silu";
        private Integer bosTokenId;
        private List<Integer> eosTokenIds = List.of();
        private String torchDtype;
        private Integer mmHiddenSize;
        private String mmProjectorType;
        private String mmVisionTower;
        private String mmVideoTower;
        private Integer mmVisionSelectLayer;
        private String mmVisionSelectFeature;
        private String mmPatchMergeType;
        private String imageAspectRatio;
        private Boolean mmUseImStartEnd;
        private Boolean mmUseImPatchToken;
        private Integer numFrames;
        private Integer numSampleTokens;
        private Integer tokenizerModelMaxLength;

        private Builder(Family family) {
            this.family = Objects.requireNonNull(family);
            this.modelType = family.modelType;
            this.architectures = List.of(family.architecture);
            this.ropeTheta = family.defaultRopeTheta;
            this.maxPositionEmbeddings = family.defaultMaxPositions;
            this.attentionBias = family == Family.QWEN2;
            if (family == Family.LLAMA) {
                this.bosTokenId = 1;
                this.eosTokenIds = List.of(2);
            }
        }

        public Builder modelType(String v) { modelType = v; return this; }
        public Builder architectures(List<String> v) { architectures = v; return this; }
        public Builder hiddenSize(int v) { hiddenSize = v; return this; }
        public Builder intermediateSize(int v) { intermediateSize = v; return this; }
        public Builder numLayers(int v) { numLayers = v; return this; }
        public Builder numHeads(int v) { numHeads = v; return this; }
        /** Null means "as many as query heads". */
        public Builder numKvHeads(Integer v) { numKvHeads = v; return this; }
        /** Null means hiddenSize / numHeads. */
        public Builder headDim(Integer v) { headDim = v; return this; }
        public Builder vocabSize(int v) { vocabSize = v; return this; }
        public Builder maxPositionEmbeddings(int v) { maxPositionEmbeddings = v; return this; }
        public Builder rmsNormEps(double v) { rmsNormEps = v; return this; }
        public Builder ropeTheta(double v) { ropeTheta = v; return this; }
        public Builder ropeScaling(Map<String, Object> v) { ropeScaling = v; return this; }
        public Builder tieWordEmbeddings(boolean v) { tieWordEmbeddings = v; return this; }
        /** Ignored for Qwen2, whose q/k/v always have biases. */
        public Builder attentionBias(boolean v) { attentionBias = family == Family.QWEN2 || v; return this; }
        public Builder mlpBias(boolean v) { mlpBias = family == Family.LLAMA && v; return this; }
        public Builder hiddenAct(String v) { hiddenAct = v; return this; }
        public Builder bosTokenId(Integer v) { bosTokenId = v; return this; }
        public Builder eosTokenIds(List<Integer> v) { eosTokenIds = v; return this; }
        public Builder eosTokenId(Integer v) { eosTokenIds = v == null ? List.of() : List.of(v); return this; }
        public Builder torchDtype(String v) { torchDtype = v; return this; }
        public Builder mmHiddenSize(Integer v) { mmHiddenSize = v; return this; }
        public Builder mmProjectorType(String v) { mmProjectorType = v; return this; }
        public Builder mmVisionTower(String v) { mmVisionTower = v; return this; }
        public Builder mmVideoTower(String v) { mmVideoTower = v; return this; }
        public Builder mmVisionSelectLayer(Integer v) { mmVisionSelectLayer = v; return this; }
        public Builder mmVisionSelectFeature(String v) { mmVisionSelectFeature = v; return this; }
        public Builder mmPatchMergeType(String v) { mmPatchMergeType = v; return this; }
        public Builder imageAspectRatio(String v) { imageAspectRatio = v; return this; }
        public Builder mmUseImStartEnd(Boolean v) { mmUseImStartEnd = v; return this; }
        public Builder mmUseImPatchToken(Boolean v) { mmUseImPatchToken = v; return this; }
        public Builder numFrames(Integer v) { numFrames = v; return this; }
        public Builder numSampleTokens(Integer v) { numSampleTokens = v; return this; }
        public Builder tokenizerModelMaxLength(Integer v) { tokenizerModelMaxLength = v; return this; }

        public ModelConfig build() {
            int kv = numKvHeads != null ? numKvHeads : numHeads;
            int hd;
            if (headDim != null) {
                hd = headDim;
            } else {
                positive("num_attention_heads", numHeads);
                if (hiddenSize % numHeads != 0) {
                    throw new IllegalArgumentException("hidden_size " + hiddenSize + " is not a multiple of"
                            + " num_attention_heads " + numHeads + "; give head_dim");
                }
                hd = hiddenSize / numHeads;
            }
            return new ModelConfig(modelType, family, architectures, hiddenSize, intermediateSize, numLayers, numHeads,
                    kv, hd, vocabSize, maxPositionEmbeddings, rmsNormEps, ropeTheta, ropeScaling, tieWordEmbeddings,
                    attentionBias, mlpBias, hiddenAct, bosTokenId, eosTokenIds, torchDtype, mmHiddenSize,
                    mmProjectorType, mmVisionTower, mmVideoTower, mmVisionSelectLayer, mmVisionSelectFeature,
                    mmPatchMergeType, imageAspectRatio, mmUseImStartEnd, mmUseImPatchToken, numFrames,
                    numSampleTokens, tokenizerModelMaxLength);
        }
    }
}
