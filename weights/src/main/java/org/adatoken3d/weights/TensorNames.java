package org.adatoken3d.weights;

import java.util.ArrayList;
import java.util.List;

/**
 * The Hugging Face / LLaVA-3D name of every tensor the project reads or writes, and the shape a config gives each:
 * the one table the decoder's loader, {@link Checkpoint#validate}, {@code inspect} and the synthetic-checkpoint
 * writer share. Linear weights are [out_features, in_features].
 */
public final class TensorNames {
    public static final String EMBED_TOKENS = "model.embed_tokens.weight";
    public static final String FINAL_NORM = "model.norm.weight";
    public static final String LM_HEAD = "lm_head.weight";
    static final String LAYERS = "model.layers.";

    /** The mlp2x_gelu projector: Linear(mm_hidden → hidden), GELU, Linear(hidden → hidden). */
    public static final Linear PROJECTOR_IN = new Linear("model.mm_projector.0");
    public static final Linear PROJECTOR_OUT = new Linear("model.mm_projector.2");
    /** The video tower's 3D position embedding of the scene tokens (width mm_hidden_size). */
    public static final PositionMlp SCENE_POSITIONS = new PositionMlp("model.video_tower.video_tower.positional_embedding");
    /** The click-prompt encoder (width hidden_size). */
    public static final PositionMlp CLICK_ENCODER = new PositionMlp("model.video_tower.prompt_encoder.pos_emb3d");
    /** Where a CLIP vision tower's tensors start in its own folder, and inside a LLaVA checkpoint that bundles it. */
    public static final String CLIP_ALONE = "vision_model.";
    public static final String CLIP_IN_LLAVA = "model.vision_tower.vision_tower." + CLIP_ALONE;
    /** Everything of the LLaVA-3D front end: projector, video tower (3D positions, click encoder), CLIP tower. */
    static final List<String> LLAVA_PREFIXES = List.of("model.mm_projector.", "model.video_tower.", "model.vision_tower.");

    private TensorNames() {}

    /** What a tensor is; the synthetic writer draws each kind from its own distribution. */
    public enum Kind {
        EMBEDDING,
        LINEAR,
        BIAS,
        NORM
    }

    /** One tensor a config asks for. */
    public record Expected(String name, Kind kind, long... shape) {}

    /** A linear layer's {@code <prefix>.weight} and {@code <prefix>.bias}. */
    public record Linear(String prefix) {
        public String weight() {
            return prefix + ".weight";
        }

        public String bias() {
            return prefix + ".bias";
        }
    }

    /**
     * LLaVA-3D's {@code PositionEmbeddingLearnedMLP} under {@code prefix}: Linear(3 → d), LayerNorm(d), ReLU,
     * Linear(d → d), as {@code <prefix>.position_embedding_head.{0,1,3}}.
     */
    public record PositionMlp(String prefix) {
        public Linear first() {
            return new Linear(prefix + ".position_embedding_head.0");
        }

        public Linear norm() {
            return new Linear(prefix + ".position_embedding_head.1");
        }

        public Linear second() {
            return new Linear(prefix + ".position_embedding_head.3");
        }

        /** Its tensors for width {@code d}, in the order checkpoints store them. */
        public List<Expected> expected(long d) {
            return List.of(new Expected(first().weight(), Kind.LINEAR, d, 3), new Expected(first().bias(), Kind.BIAS, d),
                    new Expected(norm().weight(), Kind.NORM, d), new Expected(norm().bias(), Kind.BIAS, d),
                    new Expected(second().weight(), Kind.LINEAR, d, d), new Expected(second().bias(), Kind.BIAS, d));
        }
    }

    /** The tensors of decoder layer {@code index}. */
    public record Layer(int index) {
        private String name(String suffix) {
            return LAYERS + index + "." + suffix;
        }

        public String inputNorm() { return name("input_layernorm.weight"); }
        public Linear q() { return new Linear(name("self_attn.q_proj")); }
        public Linear k() { return new Linear(name("self_attn.k_proj")); }
        public Linear v() { return new Linear(name("self_attn.v_proj")); }
        public Linear o() { return new Linear(name("self_attn.o_proj")); }
        public String postAttentionNorm() { return name("post_attention_layernorm.weight"); }
        public Linear gate() { return new Linear(name("mlp.gate_proj")); }
        public Linear up() { return new Linear(name("mlp.up_proj")); }
        public Linear down() { return new Linear(name("mlp.down_proj")); }

        /** RoPE's inverse frequencies, a buffer that transformers before 4.31 saved with the weights. */
        public String rotaryInvFreq() { return name("self_attn.rotary_emb.inv_freq"); }
    }

    public static Layer layer(int index) {
        return new Layer(index);
    }

    /**
     * A linear weight {@code <weight>} stored as Q4_0 ({@code org.adatoken3d.kernels.Q4Weights}): 4-bit codes in blocks
     * of {@value #Q4_BLOCK} values of a row, 16 bytes per block, as U8 {@code <weight>.q4_codes [rows, blocks·16]}, and
     * one bfloat16 scale per block, as BF16 {@code <weight>.q4_scales [rows, blocks]}, blocks = ceil(cols / 32). The
     * kernels map the two tensors as they are.
     */
    public record Q4(String weight) {
        public String codes() {
            return weight + Q4_CODES;
        }

        public String scales() {
            return weight + Q4_SCALES;
        }

        /** The codes' shape for a {@code [rows, cols]} weight. */
        public static long[] codesShape(long rows, long cols) {
            return new long[] {rows, blocks(cols) * (Q4_BLOCK / 2)};
        }

        /** The scales' shape for a {@code [rows, cols]} weight. */
        public static long[] scalesShape(long rows, long cols) {
            return new long[] {rows, blocks(cols)};
        }

        private static long blocks(long cols) {
            return (cols + Q4_BLOCK - 1) / Q4_BLOCK;
        }

        /** The weight whose codes or scales {@code name} is, or null when it is neither. */
        public static Q4 of(String name) {
            for (String suffix : List.of(Q4_CODES, Q4_SCALES)) {
                if (name.endsWith(suffix)) return new Q4(name.substring(0, name.length() - suffix.length()));
            }
            return null;
        }
    }

    /** Values per Q4_0 block. */
    public static final int Q4_BLOCK = 32;
    static final String Q4_CODES = ".q4_codes";
    static final String Q4_SCALES = ".q4_scales";

    public static Q4 q4(String weight) {
        return new Q4(weight);
    }

    /**
     * Every decoder tensor of {@code c}, in the order checkpoints store them: the embeddings; per layer q/k/v (and
     * their biases), o, gate/up/down (and biases), the two norms; the final norm; {@code lm_head.weight} unless the
     * head is tied to the embeddings.
     */
    public static List<Expected> decoder(DecoderConfig c) {
        long hidden = c.hiddenSize(), inter = c.intermediateSize(), vocab = c.vocabSize();
        long q = (long) c.numHeads() * c.headDim();
        long kv = (long) c.numKvHeads() * c.headDim();
        List<Expected> out = new ArrayList<>();
        out.add(new Expected(EMBED_TOKENS, Kind.EMBEDDING, vocab, hidden));
        for (int l = 0; l < c.numLayers(); l++) {
            Layer n = layer(l);
            out.add(new Expected(n.q().weight(), Kind.LINEAR, q, hidden));
            out.add(new Expected(n.k().weight(), Kind.LINEAR, kv, hidden));
            out.add(new Expected(n.v().weight(), Kind.LINEAR, kv, hidden));
            if (c.attentionBias()) {
                out.add(new Expected(n.q().bias(), Kind.BIAS, q));
                out.add(new Expected(n.k().bias(), Kind.BIAS, kv));
                out.add(new Expected(n.v().bias(), Kind.BIAS, kv));
            }
            out.add(new Expected(n.o().weight(), Kind.LINEAR, hidden, q));
            if (c.attentionOutputBias()) out.add(new Expected(n.o().bias(), Kind.BIAS, hidden));
            out.add(new Expected(n.gate().weight(), Kind.LINEAR, inter, hidden));
            out.add(new Expected(n.up().weight(), Kind.LINEAR, inter, hidden));
            out.add(new Expected(n.down().weight(), Kind.LINEAR, hidden, inter));
            if (c.mlpBias()) {
                out.add(new Expected(n.gate().bias(), Kind.BIAS, inter));
                out.add(new Expected(n.up().bias(), Kind.BIAS, inter));
                out.add(new Expected(n.down().bias(), Kind.BIAS, hidden));
            }
            out.add(new Expected(n.inputNorm(), Kind.NORM, hidden));
            out.add(new Expected(n.postAttentionNorm(), Kind.NORM, hidden));
        }
        out.add(new Expected(FINAL_NORM, Kind.NORM, hidden));
        if (!c.tieWordEmbeddings()) out.add(new Expected(LM_HEAD, Kind.LINEAR, vocab, hidden));
        return out;
    }

    /**
     * The LLaVA-3D front end's tensors beside the decoder, without the CLIP tower (whose size is its own config's):
     * the projector, the scene's 3D position embedding and the click encoder.
     */
    public static List<Expected> llava(DecoderConfig decoder, int mmHiddenSize) {
        long h = decoder.hiddenSize(), mm = mmHiddenSize;
        List<Expected> out = new ArrayList<>();
        out.add(new Expected(PROJECTOR_IN.weight(), Kind.LINEAR, h, mm));
        out.add(new Expected(PROJECTOR_IN.bias(), Kind.BIAS, h));
        out.add(new Expected(PROJECTOR_OUT.weight(), Kind.LINEAR, h, h));
        out.add(new Expected(PROJECTOR_OUT.bias(), Kind.BIAS, h));
        out.addAll(SCENE_POSITIONS.expected(mm));
        out.addAll(CLICK_ENCODER.expected(h));
        return out;
    }

    /** True for a tensor of the LLaVA-3D front end (projector, video tower, bundled CLIP tower). */
    static boolean isLlava(String name) {
        for (String p : LLAVA_PREFIXES) if (name.startsWith(p)) return true;
        return false;
    }
}
