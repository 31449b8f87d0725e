package org.adatoken3d.model.decoder;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.adatoken3d.kernels.WeightFormat;
import org.adatoken3d.kernels.WeightMatrix;
import org.adatoken3d.weights.Checkpoint;
import org.adatoken3d.weights.InvalidFileException;
import org.adatoken3d.weights.DecoderConfig;
import org.adatoken3d.weights.ModelConfig;
import org.adatoken3d.weights.Tensor;
import org.adatoken3d.weights.TensorNames;

/** Every weight of the decoder, built from a checkpoint whose shapes were validated against its config. */
public record DecoderWeights(WeightMatrix embedTokens, List<LayerWeights> layers, float[] finalNorm, WeightMatrix lmHead) {

    /** How the large matrices are held: as stored in the file, or quantised to Q8_0 at load time. */
    public enum Storage {
        AS_STORED,
        Q8_0
    }

    /** Checks {@code checkpoint} against the whole of {@code config} (see {@link Checkpoint#validate}), then loads the decoder. */
    public static DecoderWeights load(Checkpoint checkpoint, ModelConfig config, Storage storage) {
        checkpoint.validate(config);
        DecoderConfig c = config.decoder();
        List<LayerWeights> layers = new ArrayList<>(c.numLayers());
        for (int l = 0; l < c.numLayers(); l++) {
            TensorNames.Layer n = TensorNames.layer(l);
            boolean bias = c.attentionBias();
            boolean mlpBias = c.mlpBias();
            layers.add(new LayerWeights(
                    vector(checkpoint, n.inputNorm()),
                    matrix(checkpoint, n.q().weight(), storage),
                    matrix(checkpoint, n.k().weight(), storage),
                    matrix(checkpoint, n.v().weight(), storage),
                    bias ? vector(checkpoint, n.q().bias()) : null,
                    bias ? vector(checkpoint, n.k().bias()) : null,
                    bias ? vector(checkpoint, n.v().bias()) : null,
                    matrix(checkpoint, n.o().weight(), storage),
                    c.attentionOutputBias() ? vector(checkpoint, n.o().bias()) : null,
                    vector(checkpoint, n.postAttentionNorm()),
                    matrix(checkpoint, n.gate().weight(), storage),
                    matrix(checkpoint, n.up().weight(), storage),
                    matrix(checkpoint, n.down().weight(), storage),
                    mlpBias ? vector(checkpoint, n.gate().bias()) : null,
                    mlpBias ? vector(checkpoint, n.up().bias()) : null,
                    mlpBias ? vector(checkpoint, n.down().bias()) : null));
        }
        // The embedding is only ever read a row at a time, so it stays as stored even under Q8_0.
        WeightMatrix embed = matrix(checkpoint, TensorNames.EMBED_TOKENS, Storage.AS_STORED);
        Optional<Tensor> head = checkpoint.find(TensorNames.LM_HEAD);
        WeightMatrix lmHead = c.tieWordEmbeddings() || head.isEmpty()
                ? (storage == Storage.Q8_0 ? embed.toQ8_0() : embed)
                : matrix(checkpoint, TensorNames.LM_HEAD, storage);
        return new DecoderWeights(embed, List.copyOf(layers), vector(checkpoint, TensorNames.FINAL_NORM), lmHead);
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
