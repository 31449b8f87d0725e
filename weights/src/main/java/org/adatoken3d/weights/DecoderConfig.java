package org.adatoken3d.weights;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;

/**
 * The decoder part of a Hugging Face {@code config.json} (LLaMA, as in LLaVA-3D, and Qwen2), checked on
 * construction: every value the decoder runs with is one it implements. {@link ModelConfig} reads and writes it.
 *
 * @param modelType the {@code model_type} as written ({@code llava_llama}, {@code qwen2}, ...)
 * @param numLayers {@code num_hidden_layers}
 * @param numHeads {@code num_attention_heads}
 * @param numKvHeads {@code num_key_value_heads}
 * @param headDim {@code head_dim}
 * @param ropeScaling {@code rope_scaling} as written, or null; the decoder rejects anything but null
 * @param attentionBias biases on q/k/v (always for Qwen2; {@code attention_bias} for LLaMA, which then also has
 *     one on o_proj)
 * @param mlpBias {@code mlp_bias} (LLaMA only): biases on gate/up/down
 * @param hiddenAct {@code hidden_act} as written; one of the names {@link Activation} knows
 * @param eosTokenIds every id of {@code eos_token_id}, which may be a number or a list
 * @param torchDtype {@code torch_dtype} (or the newer {@code dtype}), e.g. "bfloat16"; null if absent
 */
public record DecoderConfig(
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
        String torchDtype) {

    /** Real models have at most a few hundred layers; the bound keeps the tensor table small. */
    static final int MAX_LAYERS = 10_000;

    /** Decoder architectures we run; each {@code model_type} maps to one. */
    public enum Family {
        LLAMA("llama", "LlamaForCausalLM", 10_000.0, 2048),
        QWEN2("qwen2", "Qwen2ForCausalLM", 1_000_000.0, 32768);

        final String modelType;
        final String architecture;
        final double defaultRopeTheta;
        final int defaultMaxPositions;

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

    /**
     * The MLP's gate activation, {@code down(act(gate(x)) · up(x))}, by the {@code hidden_act} names transformers
     * gives it. Any other name is refused rather than run as SiLU.
     */
    public enum Activation {
        /** {@code x · sigmoid(x)}: "silu", "swish". */
        SILU,
        /** Exact GELU, {@code 0.5·x·(1 + erf(x/√2))}: "gelu". */
        GELU,
        /** GELU's tanh approximation: "gelu_new", "gelu_pytorch_tanh". */
        GELU_TANH;

        public static Activation of(String hiddenAct) {
            return switch (hiddenAct) {
                case "silu", "swish" -> SILU;
                case "gelu" -> GELU;
                case "gelu_new", "gelu_pytorch_tanh" -> GELU_TANH;
                default -> throw new IllegalArgumentException("hidden_act \"" + hiddenAct + "\" is not supported"
                        + " (supported: silu, swish, gelu, gelu_new, gelu_pytorch_tanh)");
            };
        }
    }

    public DecoderConfig {
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
        if (numLayers > MAX_LAYERS) {
            throw new IllegalArgumentException("num_hidden_layers " + numLayers + " is beyond any real model (limit "
                    + MAX_LAYERS + ")");
        }
        Activation.of(hiddenAct);
        // An id past the vocabulary would only be found when generation meets it (or never, for EOS).
        if (bosTokenId != null) tokenId("bos_token_id", bosTokenId, vocabSize);
        for (int id : eosTokenIds) tokenId("eos_token_id", id, vocabSize);
        try {
            parameterCount(family, hiddenSize, intermediateSize, numLayers, numHeads, numKvHeads, headDim, vocabSize,
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

    /** Query heads per key/value head (grouped-query attention). */
    public int queriesPerKvHead() {
        return numHeads / numKvHeads;
    }

    /** What {@code hidden_act} asks the MLP to run. */
    public Activation activation() {
        return Activation.of(hiddenAct);
    }

    /** Parameters of the decoder (without vision tower and projector); a tied head is counted once. */
    public long parameterCount() {
        return parameterCount(family, hiddenSize, intermediateSize, numLayers, numHeads, numKvHeads, headDim,
                vocabSize, tieWordEmbeddings, attentionBias, mlpBias);
    }

    // Closed form rather than a sum over TensorNames.decoder: the constructor needs it to refuse configs whose
    // table would not fit in memory. ModelConfigFuzzTest checks that the two agree.
    private static long parameterCount(Family family, long hidden, long inter, long layers, long heads, long kvHeads,
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

    private static void positive(String field, long value) {
        if (value <= 0) throw new IllegalArgumentException(field + " must be positive, got " + value);
    }

    private static void tokenId(String field, int id, int vocabSize) {
        if (id < 0 || id >= vocabSize) {
            throw new IllegalArgumentException(field + " " + id + " is not a token id (vocab_size " + vocabSize + ")");
        }
    }

    /** One line for summaries: {@code llava_llama (LLaMA): 32 layers, hidden 4096, 32 heads / 32 KV heads, ...}. */
    @Override
    public String toString() {
        return modelType + " (" + family + "): " + numLayers + " layers, hidden " + hiddenSize + ", intermediate "
                + intermediateSize + ", " + numHeads + " heads / " + numKvHeads + " KV heads of " + headDim
                + ", vocab " + vocabSize + (tieWordEmbeddings ? ", tied head" : "");
    }
}
