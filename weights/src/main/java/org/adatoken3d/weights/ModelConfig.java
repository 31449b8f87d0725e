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
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.nio.file.AccessDeniedException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;
import org.adatoken3d.weights.DecoderConfig.Family;

/**
 * A Hugging Face {@code config.json}: the {@link DecoderConfig} every model has, and the {@link LlavaConfig} of a
 * LLaVA-style one (null for a text model). This class is the file's codec: {@link #parse} reads it, {@link #toJson}
 * writes it, and {@link #builder} builds one in code through the same reader, so defaults and checks live in one
 * place. Unknown fields are ignored; a missing required field or a value of the wrong type is an
 * {@link InvalidFileException} naming the file and the field. Defaults are those of the transformers classes.
 */
public record ModelConfig(DecoderConfig decoder, LlavaConfig llava) {

    /** config.json files are a few KiB; refuse to read anything absurd. */
    static final long MAX_CONFIG_BYTES = 16L << 20;

    private static final ObjectMapper JSON = JsonMapper.builder(JsonFactory.builder()
                    .streamReadConstraints(StreamReadConstraints.builder().maxNestingDepth(100).build())
                    .build())
            .enable(StreamReadFeature.STRICT_DUPLICATE_DETECTION)
            // transformers writes NaN/Infinity bare when a float field holds one.
            .enable(JsonReadFeature.ALLOW_NON_NUMERIC_NUMBERS)
            .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS)
            .enable(SerializationFeature.INDENT_OUTPUT)
            .build();

    public ModelConfig {
        Objects.requireNonNull(decoder, "decoder");
    }

    /** True when the config describes a LLaVA-style model (it has mm_* fields). */
    public boolean isMultimodal() {
        return llava != null;
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
        try {
            return new ModelConfig(decoder(f), llava(f));
        } catch (IllegalArgumentException e) {
            throw new InvalidFileException(nameForErrors, e.getMessage());
        }
    }

    private static DecoderConfig decoder(Fields f) {
        String modelType = f.requiredString("model_type");
        Family family = Family.fromModelType(modelType);
        List<String> architectures = f.stringList("architectures", List.of(family.architecture));
        int hidden = f.requiredInt("hidden_size");
        int intermediate = f.requiredInt("intermediate_size");
        int layers = f.requiredInt("num_hidden_layers");
        int heads = f.requiredInt("num_attention_heads");
        int vocab = f.requiredInt("vocab_size");
        int kvHeads = f.intOr("num_key_value_heads", heads);
        Integer headDim = f.optionalInt("head_dim");
        int maxPositions = f.intOr("max_position_embeddings", family.defaultMaxPositions);
        double rmsNormEps = f.doubleOr("rms_norm_eps", 1e-6);
        // transformers 5 moved rope_theta and rope_scaling into rope_parameters.
        Map<String, Object> ropeParameters = f.objectOrNull("rope_parameters");
        double theta = family.defaultRopeTheta;
        if (ropeParameters != null && ropeParameters.get("rope_theta") instanceof Number n) theta = n.doubleValue();
        theta = f.doubleOr("rope_theta", theta);
        Map<String, Object> scaling = f.objectOrNull("rope_scaling");
        if (scaling == null && ropeParameters != null
                && !"default".equals(ropeParameters.getOrDefault("rope_type", "default"))) {
            scaling = ropeParameters;
        }
        boolean tied = f.boolOr("tie_word_embeddings", false);
        if (f.boolOr("use_sliding_window", false)) {
            // Qwen2's sliding window changes which keys the upper layers see; attending to all of them instead
            // would give different logits without any sign of it.
            throw new IllegalArgumentException("use_sliding_window=true: sliding-window attention is not supported");
        }
        boolean llama = family == Family.LLAMA;
        boolean attentionBias = !llama || f.boolOr("attention_bias", false); // Qwen2's q/k/v always have biases
        boolean mlpBias = llama && f.boolOr("mlp_bias", false);
        String hiddenAct = f.stringOr("hidden_act", "silu");
        Integer bos = f.optionalInt("bos_token_id");
        List<Integer> eos = f.intList("eos_token_id");
        String torchDtype = f.stringOr("torch_dtype", f.stringOr("dtype", null));
        if (headDim == null) {
            if (heads <= 0) throw new IllegalArgumentException("num_attention_heads must be positive, got " + heads);
            if (hidden % heads != 0) {
                throw new IllegalArgumentException("hidden_size " + hidden + " is not a multiple of"
                        + " num_attention_heads " + heads + "; give head_dim");
            }
            headDim = hidden / heads;
        }
        return new DecoderConfig(modelType, family, architectures, hidden, intermediate, layers, heads, kvHeads, headDim,
                vocab, maxPositions, rmsNormEps, theta, scaling, tied, attentionBias, mlpBias, hiddenAct, bos, eos,
                torchDtype);
    }

    /** The LLaVA part, or null when the config has none of its fields. */
    private static LlavaConfig llava(Fields f) {
        LlavaConfig l = new LlavaConfig(
                f.optionalInt("mm_hidden_size"),
                f.stringOr("mm_projector_type", null),
                f.stringOr("mm_vision_tower", null),
                f.stringOr("mm_video_tower", null),
                f.optionalInt("mm_vision_select_layer"),
                f.stringOr("mm_vision_select_feature", null),
                f.optionalInt("num_frames"));
        return l.equals(new LlavaConfig(null, null, null, null, null, null, null)) ? null : l;
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
     * {@link #parse} reads back to an equal config. Optional fields are written only when set.
     */
    public String toJson() {
        DecoderConfig d = decoder;
        Map<String, Object> m = new TreeMap<>();
        m.put("architectures", d.architectures()); // even when empty: absent means the family's default
        m.put("model_type", d.modelType());
        m.put("hidden_size", d.hiddenSize());
        m.put("intermediate_size", d.intermediateSize());
        m.put("num_hidden_layers", d.numLayers());
        m.put("num_attention_heads", d.numHeads());
        m.put("num_key_value_heads", d.numKvHeads());
        m.put("head_dim", d.headDim());
        m.put("vocab_size", d.vocabSize());
        m.put("max_position_embeddings", d.maxPositionEmbeddings());
        m.put("rms_norm_eps", d.rmsNormEps());
        m.put("rope_theta", d.ropeTheta());
        m.put("rope_scaling", d.ropeScaling());
        m.put("tie_word_embeddings", d.tieWordEmbeddings());
        if (d.family() == Family.LLAMA) {
            m.put("attention_bias", d.attentionBias());
            m.put("mlp_bias", d.mlpBias());
        }
        m.put("hidden_act", d.hiddenAct());
        putIfSet(m, "bos_token_id", d.bosTokenId());
        if (d.eosTokenIds().size() == 1) m.put("eos_token_id", d.eosTokenId());
        if (d.eosTokenIds().size() > 1) m.put("eos_token_id", d.eosTokenIds());
        putIfSet(m, "torch_dtype", d.torchDtype());
        if (llava != null) {
            putIfSet(m, "mm_hidden_size", llava.mmHiddenSize());
            putIfSet(m, "mm_projector_type", llava.mmProjectorType());
            putIfSet(m, "mm_vision_tower", llava.mmVisionTower());
            putIfSet(m, "mm_video_tower", llava.mmVideoTower());
            putIfSet(m, "mm_vision_select_layer", llava.mmVisionSelectLayer());
            putIfSet(m, "mm_vision_select_feature", llava.mmVisionSelectFeature());
            putIfSet(m, "num_frames", llava.numFrames());
        }
        try {
            return JSON.writeValueAsString(m) + "\n";
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("config to JSON", e);
        }
    }

    private static void putIfSet(Map<String, Object> m, String key, Object value) {
        if (value != null) m.put(key, value);
    }

    @Override
    public String toString() {
        return decoder + (llava == null ? "" : ", multimodal (mm_hidden_size " + llava.mmHiddenSize() + ")");
    }

    // ---------------------------------------------------------------------------------------------- building

    /**
     * A builder for {@code family} holding the transformers defaults (and, for LLaMA, BOS 1 and EOS 2); set at
     * least the five sizes. It collects config.json fields and {@link Builder#build()} reads them as
     * {@link #parse} reads a file.
     */
    public static Builder builder(Family family) {
        return new Builder(family);
    }

    /** Fluent construction; each setter sets the config.json field it is named after (null removes it). */
    public static final class Builder {
        private final ObjectNode fields = JSON.createObjectNode();

        private Builder(Family family) {
            fields.put("model_type", family.modelType);
            if (family == Family.LLAMA) {
                fields.put("bos_token_id", 1);
                fields.put("eos_token_id", 2);
            }
        }

        private Builder set(String key, Object value) {
            if (value == null) {
                fields.remove(key);
            } else {
                fields.set(key, JSON.valueToTree(value));
            }
            return this;
        }

        public Builder modelType(String v) { return set("model_type", v); }
        public Builder architectures(List<String> v) { return set("architectures", v); }
        public Builder hiddenSize(int v) { return set("hidden_size", v); }
        public Builder intermediateSize(int v) { return set("intermediate_size", v); }
        public Builder numLayers(int v) { return set("num_hidden_layers", v); }
        public Builder numHeads(int v) { return set("num_attention_heads", v); }
        /** Null means "as many as query heads". */
        public Builder numKvHeads(Integer v) { return set("num_key_value_heads", v); }
        /** Null means hiddenSize / numHeads. */
        public Builder headDim(Integer v) { return set("head_dim", v); }
        public Builder vocabSize(int v) { return set("vocab_size", v); }
        public Builder maxPositionEmbeddings(int v) { return set("max_position_embeddings", v); }
        public Builder rmsNormEps(double v) { return set("rms_norm_eps", v); }
        public Builder ropeTheta(double v) { return set("rope_theta", v); }
        public Builder ropeScaling(Map<String, Object> v) { return set("rope_scaling", v); }
        public Builder tieWordEmbeddings(boolean v) { return set("tie_word_embeddings", v); }
        /** Ignored for Qwen2, whose q/k/v always have biases. */
        public Builder attentionBias(boolean v) { return set("attention_bias", v); }
        /** Ignored for Qwen2. */
        public Builder mlpBias(boolean v) { return set("mlp_bias", v); }
        public Builder hiddenAct(String v) { return set("hidden_act", v); }
        public Builder bosTokenId(Integer v) { return set("bos_token_id", v); }
        public Builder eosTokenIds(List<Integer> v) { return set("eos_token_id", v); }
        public Builder eosTokenId(Integer v) { return set("eos_token_id", v); }
        public Builder torchDtype(String v) { return set("torch_dtype", v); }
        public Builder mmHiddenSize(Integer v) { return set("mm_hidden_size", v); }
        public Builder mmProjectorType(String v) { return set("mm_projector_type", v); }
        public Builder mmVisionTower(String v) { return set("mm_vision_tower", v); }
        public Builder mmVideoTower(String v) { return set("mm_video_tower", v); }
        public Builder mmVisionSelectLayer(Integer v) { return set("mm_vision_select_layer", v); }
        public Builder mmVisionSelectFeature(String v) { return set("mm_vision_select_feature", v); }
        public Builder numFrames(Integer v) { return set("num_frames", v); }

        /** The config these fields describe; a field that {@link #parse} would refuse is an IllegalArgumentException. */
        public ModelConfig build() {
            Fields f = new Fields(null, fields);
            try {
                return new ModelConfig(decoder(f), llava(f));
            } catch (InvalidFileException e) {
                throw new IllegalArgumentException(e.getMessage(), e);
            }
        }
    }
}
