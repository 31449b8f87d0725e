package org.adatoken3d.model.decoder;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import org.adatoken3d.kernels.Q4Weights;
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

    /**
     * How the large matrices are held: as stored in the file; quantised to Q8_0 at load (the layer matrices and the LM
     * head); or quantised to Q4_0 at load (the layer matrices; the LM head stays as stored, as GGML's Q4 files keep
     * their output matrix at more bits: on stories260K a Q4_0 head raised the KL to F32 from 0.090 to 0.118 nats, and
     * at the 7B shape the head is 2% of the weights). A matrix the file already stores as Q4_0
     * ({@link TensorNames.Q4}) is mapped as it is under every storage: quantising its rounded values again would only
     * add error.
     */
    public enum Storage {
        AS_STORED,
        Q8_0,
        Q4_0
    }

    /** Checks {@code checkpoint} against the whole of {@code config} (see {@link Checkpoint#validate}), then loads the decoder. */
    public static DecoderWeights load(Checkpoint checkpoint, ModelConfig config, Storage storage) {
        checkpoint.validate(config);
        DecoderConfig c = config.decoder();
        // Q4_0 codes hold whole blocks of columns: the config's shapes say where each row really ends.
        Map<String, long[]> shapes = new HashMap<>();
        for (TensorNames.Expected e : TensorNames.decoder(c)) shapes.put(e.name(), e.shape());
        shapes.put(TensorNames.LM_HEAD, new long[] {c.vocabSize(), c.hiddenSize()});
        Function<String, WeightMatrix> matrix = name -> stored(checkpoint, name, shapes.get(name), storage);
        List<LayerWeights> layers = new ArrayList<>(c.numLayers());
        for (int l = 0; l < c.numLayers(); l++) {
            TensorNames.Layer n = TensorNames.layer(l);
            boolean bias = c.attentionBias();
            boolean mlpBias = c.mlpBias();
            layers.add(new LayerWeights(
                    vector(checkpoint, n.inputNorm()),
                    matrix.apply(n.q().weight()),
                    matrix.apply(n.k().weight()),
                    matrix.apply(n.v().weight()),
                    bias ? vector(checkpoint, n.q().bias()) : null,
                    bias ? vector(checkpoint, n.k().bias()) : null,
                    bias ? vector(checkpoint, n.v().bias()) : null,
                    matrix.apply(n.o().weight()),
                    c.attentionOutputBias() ? vector(checkpoint, n.o().bias()) : null,
                    vector(checkpoint, n.postAttentionNorm()),
                    matrix.apply(n.gate().weight()),
                    matrix.apply(n.up().weight()),
                    matrix.apply(n.down().weight()),
                    mlpBias ? vector(checkpoint, n.gate().bias()) : null,
                    mlpBias ? vector(checkpoint, n.up().bias()) : null,
                    mlpBias ? vector(checkpoint, n.down().bias()) : null));
        }
        // The embedding is only ever read a row at a time, so it stays as stored even under Q8_0 and Q4_0.
        WeightMatrix embed = matrix(checkpoint, TensorNames.EMBED_TOKENS, Storage.AS_STORED);
        Storage headStorage = storage == Storage.Q4_0 ? Storage.AS_STORED : storage;
        boolean headStored = checkpoint.find(TensorNames.LM_HEAD).isPresent() || isQ4(checkpoint, TensorNames.LM_HEAD);
        // A tied head is the embedding; a Q4_0 head stored beside a tied embedding is used as the file says.
        WeightMatrix lmHead = headStored && (!c.tieWordEmbeddings() || isQ4(checkpoint, TensorNames.LM_HEAD))
                ? stored(checkpoint, TensorNames.LM_HEAD, shapes.get(TensorNames.LM_HEAD), headStorage)
                : quantise(embed, headStorage);
        return new DecoderWeights(embed, List.copyOf(layers), vector(checkpoint, TensorNames.FINAL_NORM), lmHead);
    }

    /** The floating-point matrix {@code name} of the checkpoint, held as {@code storage} asks. */
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
        return quantise(WeightMatrix.of(t.data(), format, Math.toIntExact(t.dim(0)), Math.toIntExact(t.dim(1))), storage);
    }

    /** A decoder matrix of float shape {@code shape}: mapped when the file stores it as Q4_0, else held as {@code storage} asks. */
    private static WeightMatrix stored(Checkpoint checkpoint, String name, long[] shape, Storage storage) {
        return isQ4(checkpoint, name) ? q4(checkpoint, name, shape) : matrix(checkpoint, name, storage);
    }

    private static WeightMatrix quantise(WeightMatrix m, Storage storage) {
        return switch (storage) {
            case AS_STORED -> m;
            case Q8_0 -> m.toQ8_0();
            case Q4_0 -> m.toQ4_0();
        };
    }

    /** True when the checkpoint stores {@code name} as Q4_0 codes (and, as {@link Checkpoint#validate} checked, scales). */
    public static boolean isQ4(Checkpoint checkpoint, String name) {
        return checkpoint.find(TensorNames.q4(name).codes()).isPresent();
    }

    /**
     * The Q4_0 weight {@code name} of float shape {@code shape}, its codes and scales mapped from the file as they are
     * ({@link Checkpoint#validate} checked their types and shapes).
     */
    private static WeightMatrix q4(Checkpoint checkpoint, String name, long[] shape) {
        TensorNames.Q4 q4 = TensorNames.q4(name);
        return Q4Weights.of(checkpoint.tensor(q4.codes()).data(), checkpoint.tensor(q4.scales()).data(), Math.toIntExact(shape[0]),
                Math.toIntExact(shape[1]));
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
