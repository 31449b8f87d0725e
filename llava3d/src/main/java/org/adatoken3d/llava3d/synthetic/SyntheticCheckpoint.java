package org.adatoken3d.llava3d.synthetic;

import org.adatoken3d.kernels.EngineArgumentException;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.function.LongConsumer;
import org.adatoken3d.llava3d.vision.ClipVisionConfig;
import org.adatoken3d.weights.DType;
import org.adatoken3d.weights.DecoderConfig;
import org.adatoken3d.weights.Halfs;
import org.adatoken3d.weights.ModelConfig;
import org.adatoken3d.weights.ShardedCheckpointWriter;
import org.adatoken3d.weights.TensorNames;
import org.adatoken3d.weights.TensorSource;

/**
 * Writes a complete model folder with seeded random weights: config.json, sharded safetensors with the exact
 * Hugging Face / LLaVA-3D tensor names and shapes, and a synthetic tokenizer.bin. Tensors are generated while
 * they are written, so a 13.5 GB checkpoint never sits in memory.
 */
public final class SyntheticCheckpoint {
    /** Real checkpoints shard at a few GB; so do we, to exercise the index path at 7B scale. */
    static final long SHARD_BYTES = 5L << 30;
    private static final int CHUNK = 1 << 20;

    private final SynthPreset preset;
    private final int layers;
    private final DType dtype;
    private final long seed;
    private final ClipVisionConfig vision;

    public SyntheticCheckpoint(SynthPreset preset, Integer layers, DType dtype, long seed) {
        this(preset, layers, dtype, seed, preset.family == SynthPreset.Family.LLAMA ? preset.vision : null);
    }

    private SyntheticCheckpoint(SynthPreset preset, Integer layers, DType dtype, long seed, ClipVisionConfig vision) {
        if (vision != null && vision.hidden() != preset.mmHidden) {
            throw new IllegalArgumentException("a CLIP tower for preset " + preset.id + " must be " + preset.mmHidden + " wide, got " + vision.hidden());
        }
        this.vision = vision;
        this.preset = preset;
        this.layers = layers == null ? preset.layers : layers;
        if (this.layers < 1) throw new EngineArgumentException("layers", "must be >= 1, got " + this.layers);
        if (dtype != DType.F32 && dtype != DType.F16 && dtype != DType.BF16) {
            throw new EngineArgumentException("dtype", "must be f32, f16 or bf16, got " + dtype);
        }
        this.dtype = dtype;
        this.seed = seed;
    }

    /** The same checkpoint with another CLIP tower (its width must be the preset's mm_hidden), or none. */
    public SyntheticCheckpoint withVision(ClipVisionConfig tower) {
        return new SyntheticCheckpoint(preset, layers, dtype, seed, tower);
    }

    public ModelConfig config() {
        boolean llama = preset.family == SynthPreset.Family.LLAMA;
        return ModelConfig.builder(llama ? DecoderConfig.Family.LLAMA : DecoderConfig.Family.QWEN2)
                .modelType(llama ? "llava_llama" : "qwen2")
                .architectures(List.of(llama ? "LlavaLlamaForCausalLM" : "Qwen2ForCausalLM"))
                .hiddenSize(preset.hidden)
                .intermediateSize(preset.intermediate)
                .numLayers(layers)
                .numHeads(preset.heads)
                .numKvHeads(preset.kvHeads)
                .vocabSize(preset.vocab)
                .maxPositionEmbeddings(4096)
                .rmsNormEps(llama ? 1e-5 : 1e-6)
                .ropeTheta(preset.ropeTheta)
                .tieWordEmbeddings(preset.tiedEmbeddings)
                .hiddenAct("silu")
                .bosTokenId(1)
                .eosTokenId(2)
                .torchDtype(torchDtype())
                .mmHiddenSize(llama ? preset.mmHidden : null)
                .mmProjectorType(llama ? "mlp2x_gelu" : null)
                .mmVisionTower(llama ? "openai/clip-vit-large-patch14-336" : null)
                .mmVisionSelectLayer(llama ? -2 : null)
                .mmVisionSelectFeature(llama ? "patch" : null)
                .build();
    }

    private String torchDtype() {
        return switch (dtype) {
            case F32 -> "float32";
            case F16 -> "float16";
            default -> "bfloat16";
        };
    }

    /**
     * Every tensor with its shape, named and shaped by {@link TensorNames} from {@link #config()}: linear weights
     * ([out, in]) drawn with std 1/sqrt(in), embeddings with std 1, biases 0.02, norm gains near 1.
     */
    List<TensorSource> tensors(LongConsumer progressBytes) {
        ModelConfig config = config();
        List<TensorNames.Expected> expected = new ArrayList<>(TensorNames.decoder(config.decoder()));
        if (config.isMultimodal()) expected.addAll(TensorNames.llava(config.decoder(), config.llava().mmHiddenSize()));
        List<TensorSource> t = new ArrayList<>();
        for (TensorNames.Expected e : expected) {
            t.add(switch (e.kind()) {
                case EMBEDDING -> random(e.name(), 1.0, progressBytes, e.shape());
                case LINEAR -> random(e.name(), 1.0 / Math.sqrt(e.shape()[1]), progressBytes, e.shape());
                case BIAS -> random(e.name(), 0.02, progressBytes, e.shape());
                case NORM -> randomAround(1.0, e.name(), 0.1, progressBytes, e.shape());
            });
        }
        if (config.isMultimodal() && vision != null) clipTower(TensorNames.CLIP_IN_LLAVA, vision, t, progressBytes);
        return t;
    }

    /** A CLIPVisionModel's tensors, as LLaVA checkpoints that bundle the tower name them. */
    private void clipTower(String prefix, ClipVisionConfig v, List<TensorSource> t, LongConsumer progress) {
        int h = v.hidden(), p = v.patchSize();
        t.add(random(prefix + "embeddings.class_embedding", 1.0 / Math.sqrt(h), progress, h));
        t.add(random(prefix + "embeddings.patch_embedding.weight", 1.0 / Math.sqrt(3.0 * p * p), progress, h, 3, p, p));
        t.add(random(prefix + "embeddings.position_embedding.weight", 0.2, progress, v.patches() + 1, h));
        t.add(norm(prefix + "pre_layrnorm.weight", h, progress));
        t.add(random(prefix + "pre_layrnorm.bias", 0.02, progress, h));
        for (int l = 0; l < v.layers(); l++) {
            String q = prefix + "encoder.layers." + l + ".";
            for (String proj : new String[] {"q_proj", "k_proj", "v_proj", "out_proj"}) {
                t.add(linear(q + "self_attn." + proj + ".weight", h, h, progress));
                t.add(random(q + "self_attn." + proj + ".bias", 0.02, progress, h));
            }
            t.add(norm(q + "layer_norm1.weight", h, progress));
            t.add(random(q + "layer_norm1.bias", 0.02, progress, h));
            t.add(linear(q + "mlp.fc1.weight", v.intermediate(), h, progress));
            t.add(random(q + "mlp.fc1.bias", 0.02, progress, v.intermediate()));
            t.add(linear(q + "mlp.fc2.weight", h, v.intermediate(), progress));
            t.add(random(q + "mlp.fc2.bias", 0.02, progress, h));
            t.add(norm(q + "layer_norm2.weight", h, progress));
            t.add(random(q + "layer_norm2.bias", 0.02, progress, h));
        }
        t.add(norm(prefix + "post_layernorm.weight", h, progress));
        t.add(random(prefix + "post_layernorm.bias", 0.02, progress, h));
    }

    private TensorSource linear(String name, int out, int in, LongConsumer progress) {
        return random(name, 1.0 / Math.sqrt(in), progress, out, in);
    }

    /** Norm gains near 1, as trained models have them. */
    private TensorSource norm(String name, int n, LongConsumer progress) {
        return randomAround(1.0, name, 0.1, progress, n);
    }

    private TensorSource random(String name, double std, LongConsumer progress, long... shape) {
        return randomAround(0.0, name, std, progress, shape);
    }

    /** Uniform values with the given standard deviation around {@code mean}, from a seed derived from the name. */
    private TensorSource randomAround(double mean, String name, double std, LongConsumer progress, long... shape) {
        long count = 1;
        for (long d : shape) count *= d;
        long elements = count;
        double half = std * Math.sqrt(3);
        long tensorSeed = seed * 0x9E3779B97F4A7C15L ^ name.hashCode();
        return new TensorSource(name, dtype, shape, sink -> {
            ByteBuffer buf = ByteBuffer.allocate(CHUNK * dtype.byteSize()).order(ByteOrder.LITTLE_ENDIAN);
            SplittableRandom rnd = new SplittableRandom(tensorSeed);
            for (long done = 0; done < elements; ) {
                int n = (int) Math.min(CHUNK, elements - done);
                buf.clear();
                for (int i = 0; i < n; i++) {
                    float v = (float) (mean + (rnd.nextDouble() * 2 - 1) * half);
                    switch (dtype) {
                        case F32 -> buf.putFloat(v);
                        case F16 -> buf.putShort(Float.floatToFloat16(v));
                        default -> buf.putShort(Halfs.floatToBf16(v));
                    }
                }
                buf.flip();
                sink.put(buf);
                done += n;
                progress.accept((long) n * dtype.byteSize());
            }
        });
    }

    /** Writes the folder; {@code progressBytes} hears how many tensor bytes were written. */
    public void write(Path dir, LongConsumer progressBytes) throws IOException {
        Files.createDirectories(dir);
        Files.writeString(dir.resolve("config.json"), config().toJson());
        SyntheticVocabulary.write(dir.resolve("tokenizer.bin"), preset.vocab);
        ShardedCheckpointWriter.write(dir, Map.of("format", "pt", "producer", "adatoken3d synth " + preset.id + " seed " + seed),
                tensors(progressBytes), SHARD_BYTES);
    }

    /** Total bytes of tensor data the folder will hold. */
    public long tensorBytes() {
        long total = 0;
        for (TensorSource s : tensors(b -> {})) total += s.byteSize();
        return total;
    }
}
