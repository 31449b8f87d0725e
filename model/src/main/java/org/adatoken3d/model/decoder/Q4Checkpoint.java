package org.adatoken3d.model.decoder;

import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.LongConsumer;
import java.util.function.Supplier;
import org.adatoken3d.kernels.Q4Weights;
import org.adatoken3d.kernels.WeightMatrix;
import org.adatoken3d.weights.Checkpoint;
import org.adatoken3d.weights.DType;
import org.adatoken3d.weights.DecoderConfig;
import org.adatoken3d.weights.InvalidFileException;
import org.adatoken3d.weights.ModelConfig;
import org.adatoken3d.weights.ShardedCheckpointWriter;
import org.adatoken3d.weights.Tensor;
import org.adatoken3d.weights.TensorNames;
import org.adatoken3d.weights.TensorSource;

/**
 * A model folder written again with the matrices that {@link DecoderWeights.Storage#Q4_0} quantises at load (every
 * layer's seven linear weights) stored as Q4_0 codes and scales ({@link TensorNames.Q4}), quantised exactly as
 * loading with Q4_0 does, so the written folder gives the same logits as quantising at load while the loader maps it
 * without work. Every other tensor (the embedding and the LM head, norms, biases, the LLaVA front end and a bundled
 * CLIP tower) is copied byte for byte, and so is every other file of the folder (config.json, the tokenizer, a
 * pruning profile).
 */
public final class Q4Checkpoint {
    /** Shards of the written folder hold at most this many bytes, as the synthetic checkpoints' do. */
    static final long SHARD_BYTES = 5L << 30;

    /**
     * What was written.
     *
     * @param quantised matrices now stored as Q4_0
     * @param bytesBefore tensor bytes of the source checkpoint
     * @param bytesAfter tensor bytes written
     * @param copiedFiles the other files copied
     */
    public record Summary(int quantised, long bytesBefore, long bytesAfter, List<String> copiedFiles) {}

    private Q4Checkpoint() {}

    /**
     * Writes the Q4_0 copy of {@code modelDir} into {@code out} (an empty folder, written in place: the caller stages
     * it); {@code progressBytes} hears the tensor bytes written.
     */
    public static Summary write(Path modelDir, Path out, LongConsumer progressBytes) throws IOException {
        if (!Files.isRegularFile(modelDir.resolve(Checkpoint.CONFIG_FILE))) {
            throw new InvalidFileException(modelDir, "has no " + Checkpoint.CONFIG_FILE + "; quantising needs the config that says which tensors"
                    + " are the decoder's linear weights");
        }
        ModelConfig config = ModelConfig.load(modelDir.resolve(Checkpoint.CONFIG_FILE));
        try (Checkpoint checkpoint = Checkpoint.open(modelDir)) {
            checkpoint.validate(config);
            DecoderConfig c = config.decoder();
            Set<String> linear = new HashSet<>();
            for (TensorNames.Expected e : TensorNames.decoder(c)) {
                boolean layer = e.kind() == TensorNames.Kind.LINEAR && !e.name().equals(TensorNames.LM_HEAD);
                if (layer && !DecoderWeights.isQ4(checkpoint, e.name())) linear.add(e.name());
            }
            if (linear.isEmpty()) {
                throw new InvalidFileException(modelDir, "has no linear weights to quantise: every decoder linear weight is stored as Q4_0 already");
            }
            List<TensorSource> tensors = new ArrayList<>();
            long before = 0;
            int quantised = 0;
            for (Tensor t : checkpoint.tensors()) {
                before += t.byteSize();
                if (linear.contains(t.name())) {
                    tensors.addAll(q4Sources(t.name(), () -> DecoderWeights.matrix(checkpoint, t.name(), DecoderWeights.Storage.AS_STORED)));
                    quantised++;
                } else {
                    tensors.add(TensorSource.copyOf(t));
                }
            }
            List<TensorSource> counted = new ArrayList<>();
            long after = 0;
            for (TensorSource s : tensors) {
                after += s.byteSize();
                counted.add(new TensorSource(s.name(), s.dtype(), s.shape(), sink -> {
                    s.writer().writeTo(sink);
                    progressBytes.accept(s.byteSize());
                }));
            }
            Map<String, String> metadata = new LinkedHashMap<>(checkpoint.files().getFirst().metadata());
            metadata.put("format", "pt");
            metadata.put("quantization", "q4_0 (adatoken3d quantize: " + TensorNames.Q4_BLOCK + "-value blocks, bfloat16 scales)");
            ShardedCheckpointWriter.write(out, metadata, counted, SHARD_BYTES);
            return new Summary(quantised, before, after, copyOtherFiles(modelDir, out));
        }
    }

    /**
     * The codes and scales of {@code name}'s Q4_0, quantised once when the codes are written and handed to the scales
     * right after (the writer streams tensors in order), so no more than one quantised matrix is held at a time.
     */
    private static List<TensorSource> q4Sources(String name, Supplier<WeightMatrix> source) {
        TensorNames.Q4 q4 = TensorNames.q4(name);
        Q4Weights[] held = new Q4Weights[1];
        Supplier<Q4Weights> quantised = () -> {
            if (held[0] == null) held[0] = (Q4Weights) source.get().toQ4_0();
            return held[0];
        };
        WeightMatrix m = source.get();
        long rows = m.rows(), cols = m.cols();
        return List.of(
                new TensorSource(q4.codes(), DType.U8, TensorNames.Q4.codesShape(rows, cols), sink -> sink.put(quantised.get().codes())),
                new TensorSource(q4.scales(), DType.BF16, TensorNames.Q4.scalesShape(rows, cols), sink -> {
                    sink.put(quantised.get().scales());
                    held[0] = null;
                }));
    }

    /** Copies the folder's files other than the weights (config, tokenizer, pruning profile, ...); their names. */
    private static List<String> copyOtherFiles(Path modelDir, Path out) throws IOException {
        List<String> copied = new ArrayList<>();
        try (DirectoryStream<Path> files = Files.newDirectoryStream(modelDir)) {
            for (Path f : files) {
                String name = f.getFileName().toString();
                if (!Files.isRegularFile(f) || name.startsWith(".") || name.endsWith(".safetensors") || name.equals(Checkpoint.INDEX_FILE)) continue;
                Files.copy(f, out.resolve(name));
                copied.add(name);
            }
        }
        copied.sort(null);
        return copied;
    }
}
