package org.adatoken3d.model.decoder;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.adatoken3d.kernels.WeightFormat;
import org.adatoken3d.kernels.WeightMatrix;
import org.adatoken3d.weights.Checkpoint;
import org.adatoken3d.weights.InvalidFileException;
import org.adatoken3d.weights.ModelConfig;
import org.adatoken3d.weights.Tensor;

/** Every weight of the decoder, built from a checkpoint whose shapes were validated against its config. */
public record DecoderWeights(WeightMatrix embedTokens, List<LayerWeights> layers, float[] finalNorm, WeightMatrix lmHead) {

    /** How the large matrices are held: as stored in the file, or quantised to Q8_0 at load time. */
    public enum Storage {
        AS_STORED,
        Q8_0
    }

    public static DecoderWeights load(Checkpoint checkpoint, ModelConfig config, Storage storage) {
        checkpoint.validate(config);
        List<LayerWeights> layers = new ArrayList<>(config.numLayers());
        for (int l = 0; l < config.numLayers(); l++) {
            String p = "model.layers." + l + ".";
            boolean bias = config.attentionBias();
            boolean mlpBias = config.mlpBias();
            layers.add(new LayerWeights(
                    vector(checkpoint, p + "input_layernorm.weight"),
                    matrix(checkpoint, p + "self_attn.q_proj.weight", storage),
                    matrix(checkpoint, p + "self_attn.k_proj.weight", storage),
                    matrix(checkpoint, p + "self_attn.v_proj.weight", storage),
                    bias ? vector(checkpoint, p + "self_attn.q_proj.bias") : null,
                    bias ? vector(checkpoint, p + "self_attn.k_proj.bias") : null,
                    bias ? vector(checkpoint, p + "self_attn.v_proj.bias") : null,
                    matrix(checkpoint, p + "self_attn.o_proj.weight", storage),
                    config.attentionOutputBias() ? vector(checkpoint, p + "self_attn.o_proj.bias") : null,
                    vector(checkpoint, p + "post_attention_layernorm.weight"),
                    matrix(checkpoint, p + "mlp.gate_proj.weight", storage),
                    matrix(checkpoint, p + "mlp.up_proj.weight", storage),
                    matrix(checkpoint, p + "mlp.down_proj.weight", storage),
                    mlpBias ? vector(checkpoint, p + "mlp.gate_proj.bias") : null,
                    mlpBias ? vector(checkpoint, p + "mlp.up_proj.bias") : null,
                    mlpBias ? vector(checkpoint, p + "mlp.down_proj.bias") : null));
        }
        // The embedding is only ever read a row at a time, so it stays as stored even under Q8_0.
        WeightMatrix embed = matrix(checkpoint, "model.embed_tokens.weight", Storage.AS_STORED);
        Optional<Tensor> head = checkpoint.find("lm_head.weight");
        WeightMatrix lmHead = config.tieWordEmbeddings() || head.isEmpty()
                ? (storage == Storage.Q8_0 ? embed.toQ8_0() : embed)
                : matrix(checkpoint, "lm_head.weight", storage);
        return new DecoderWeights(embed, List.copyOf(layers), vector(checkpoint, "model.norm.weight"), lmHead);
    }

    public static WeightMatrix matrix(Checkpoint checkpoint, String name, Storage storage) {
        Tensor t = checkpoint.tensor(name);
        if (t.rank() != 2) {
            throw new InvalidFileException(t.file(), "tensor " + name + " has shape " + t.shapeString() + ", expected a matrix");
        }
        WeightFormat format = switch (t.dtype()) {
            case F32 -> WeightFormat.F32;
            case F16 -> WeightFormat.F16;
            case BF16 -> WeightFormat.BF16;
            default -> throw new InvalidFileException(t.file(),
                    "tensor " + name + " has dtype " + t.dtype() + "; weights must be F32, F16 or BF16");
        };
        WeightMatrix m = WeightMatrix.of(t.data(), format, Math.toIntExact(t.dim(0)), Math.toIntExact(t.dim(1)));
        return storage == Storage.Q8_0 ? m.toQ8_0() : m;
    }

    static float[] vector(Checkpoint checkpoint, String name) {
        return checkpoint.tensor(name).toFloatArray();
    }

    /** Bytes of weights read to decode one token: every layer matrix once, plus the LM head. */
    public long bytesPerDecodedToken() {
        long bytes = lmHead.bytes();
        for (LayerWeights w : layers) {
            bytes += w.q().bytes() + w.k().bytes() + w.v().bytes() + w.o().bytes()
                    + w.gate().bytes() + w.up().bytes() + w.down().bytes();
        }
        return bytes;
    }
}
