package org.adatoken3d.model.decoder;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import org.adatoken3d.testing.SeededCases;
import org.adatoken3d.weights.DType;
import org.adatoken3d.weights.Halfs;
import org.adatoken3d.weights.DecoderConfig;
import org.adatoken3d.weights.ModelConfig;
import org.adatoken3d.weights.TensorNames;
import org.adatoken3d.weights.SafetensorsWriter;
import org.adatoken3d.weights.TensorSource;

/** A small random LLaMA or Qwen2 model folder for decoder tests, plus the exact weights it stores as floats. */
public final class RandomCheckpoint {
    public final DecoderConfig config;
    final Map<String, float[]> weights = new LinkedHashMap<>();

    private RandomCheckpoint(DecoderConfig config) {
        this.config = config;
    }

    static RandomCheckpoint write(Path dir, SplittableRandom r) throws Exception {
        return write(dir, r, 512, false, "silu");
    }

    /** As {@link #write(Path, SplittableRandom)}, with {@code hidden_act} set to {@code hiddenAct}. */
    static RandomCheckpoint write(Path dir, SplittableRandom r, String hiddenAct) throws Exception {
        return write(dir, r, 512, false, hiddenAct);
    }

    /**
     * As {@link #write(Path, SplittableRandom)}, with a context of {@code maxPositions} tokens; {@code poisoned} stores a
     * NaN in the final norm's weight, as a damaged checkpoint would.
     */
    public static RandomCheckpoint write(Path dir, SplittableRandom r, int maxPositions, boolean poisoned) throws Exception {
        return write(dir, r, maxPositions, poisoned, "silu");
    }

    private static RandomCheckpoint write(Path dir, SplittableRandom r, int maxPositions, boolean poisoned, String hiddenAct)
            throws Exception {
        boolean qwen = r.nextBoolean();
        int kvHeads = SeededCases.between(r, 1, 3);
        int heads = kvHeads * SeededCases.between(r, 1, 3);
        int headDim = 2 * SeededCases.between(r, 1, 8);
        int hidden = heads * headDim;
        ModelConfig file = ModelConfig.builder(qwen ? DecoderConfig.Family.QWEN2 : DecoderConfig.Family.LLAMA)
                .hiddenSize(hidden)
                .intermediateSize(SeededCases.between(r, 4, 40))
                .numLayers(SeededCases.between(r, 1, 3))
                .numHeads(heads)
                .numKvHeads(kvHeads)
                .vocabSize(SeededCases.between(r, 8, 64))
                .maxPositionEmbeddings(maxPositions)
                .rmsNormEps(1e-5)
                .ropeTheta(r.nextBoolean() ? 10000 : 100 + r.nextInt(1_000_000))
                .tieWordEmbeddings(r.nextBoolean())
                .hiddenAct(hiddenAct)
                .build();
        DecoderConfig config = file.decoder();
        DType dtype = List.of(DType.F32, DType.BF16, DType.F16).get(r.nextInt(3));
        RandomCheckpoint c = new RandomCheckpoint(config);
        List<TensorSource> tensors = new ArrayList<>();
        for (TensorNames.Expected e : TensorNames.decoder(config)) {
            long[] shape = e.shape();
            int n = 1;
            for (long d : shape) n *= (int) d;
            boolean norm = e.kind() == TensorNames.Kind.NORM;
            double scale = norm ? 0.2 : e.kind() == TensorNames.Kind.LINEAR ? 1 / Math.sqrt(shape[1]) * 1.7 : 1.0;
            float[] v = SeededCases.uniform(r, n, (float) scale);
            if (norm) for (int i = 0; i < n; i++) v[i] += 1;
            boolean matrix = shape.length == 2;
            DType stored = matrix ? dtype : DType.F32;
            for (int i = 0; i < n; i++) v[i] = roundTo(stored, v[i]);
            if (poisoned && e.name().equals("model.norm.weight")) v[0] = Float.NaN;
            c.weights.put(e.name(), v);
            tensors.add(TensorSource.ofFloats(e.name(), stored, shape, v));
        }
        Files.createDirectories(dir);
        Files.writeString(dir.resolve("config.json"), file.toJson());
        SafetensorsWriter.write(dir.resolve("model.safetensors"), Map.of("format", "pt"), tensors);
        return c;
    }

    private static float roundTo(DType t, float v) {
        return switch (t) {
            case BF16 -> Halfs.bf16ToFloat(Halfs.floatToBf16(v));
            case F16 -> Float.float16ToFloat(Float.floatToFloat16(v));
            default -> v;
        };
    }

    NaiveDecoder naive() {
        return new NaiveDecoder(config.hiddenSize(), config.numHeads(), config.numKvHeads(), config.intermediateSize(),
                config.vocabSize(), config.numLayers(), config.rmsNormEps(), config.ropeTheta(), config.tieWordEmbeddings(), config.hiddenAct(), weights);
    }
}
