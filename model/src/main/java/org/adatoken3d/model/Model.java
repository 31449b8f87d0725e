package org.adatoken3d.model;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;
import org.adatoken3d.kernels.RopeStyle;
import org.adatoken3d.kernels.backend.Backend;
import org.adatoken3d.kernels.backend.CpuBackend;
import org.adatoken3d.model.decoder.Decoder;
import org.adatoken3d.model.decoder.DecoderWeights;
import org.adatoken3d.model.tokenizer.Tokenizer;
import org.adatoken3d.pruning.DecoderShape;
import org.adatoken3d.model.tokenizer.Tokenizers;
import org.adatoken3d.weights.Checkpoint;
import org.adatoken3d.weights.InvalidFileException;
import org.adatoken3d.weights.DecoderConfig;
import org.adatoken3d.weights.LlavaConfig;
import org.adatoken3d.weights.ModelConfig;

/** A model folder opened for inference: its config, mapped weights, decoder (on its backend) and tokenizer. */
public final class Model implements AutoCloseable {
    private final Path directory;
    private final Checkpoint checkpoint;
    private final ModelConfig config;
    private final Decoder decoder;
    private final Tokenizer tokenizer;
    private final Backend backend;

    private Model(Path directory, Checkpoint checkpoint, ModelConfig config, Decoder decoder, Tokenizer tokenizer, Backend backend) {
        this.directory = directory;
        this.checkpoint = checkpoint;
        this.config = config;
        this.decoder = decoder;
        this.tokenizer = tokenizer;
        this.backend = backend;
    }

    /** Opens a Hugging Face layout folder: config.json, safetensors (sharded or not) and a tokenizer. */
    public static Model open(Path directory, DecoderWeights.Storage storage) {
        return open(directory, storage, RopeStyle.ROTATE_HALF);
    }

    /** As {@link #open(Path, DecoderWeights.Storage)}, with an explicit RoPE convention. */
    public static Model open(Path directory, DecoderWeights.Storage storage, RopeStyle ropeStyle) {
        return open(directory, storage, ropeStyle, new CpuBackend());
    }

    /**
     * As {@link #open(Path, DecoderWeights.Storage, RopeStyle)}, running the decoder on {@code backend}; the model
     * takes ownership of the backend and closes it (also when opening fails).
     */
    public static Model open(Path directory, DecoderWeights.Storage storage, RopeStyle ropeStyle, Backend backend) {
        try {
            return openOn(directory, storage, ropeStyle, backend);
        } catch (RuntimeException e) {
            backend.close();
            throw e;
        }
    }

    private static Model openOn(Path directory, DecoderWeights.Storage storage, RopeStyle ropeStyle, Backend backend) {
        if (!Files.isDirectory(directory)) {
            throw new InvalidFileException(directory, "not a model folder (expected config.json and *.safetensors in it)");
        }
        Path configFile = directory.resolve("config.json");
        if (!Files.isRegularFile(configFile)) {
            throw new InvalidFileException(directory, "has no config.json");
        }
        ModelConfig config = ModelConfig.load(configFile);
        Checkpoint checkpoint = Checkpoint.open(directory);
        try {
            DecoderWeights weights = DecoderWeights.load(checkpoint, config, storage);
            // Conformance fixtures carry no tokenizer; commands that need text ask for it through tokenizer().
            Tokenizer tokenizer = Tokenizers.hasTokenizer(directory) ? Tokenizers.forModel(directory) : null;
            // Found now rather than at the first id past the embedding table, mid-answer.
            if (tokenizer != null && tokenizer.vocabSize() > config.decoder().vocabSize()) {
                Path file = Tokenizers.MODEL_FILES.stream().map(directory::resolve).filter(Files::isRegularFile).findFirst().orElse(directory);
                throw new InvalidFileException(file, "has " + tokenizer.vocabSize() + " tokens, but config.json's vocab_size is "
                        + config.decoder().vocabSize() + ": it is not this model's tokenizer");
            }
            return new Model(directory, checkpoint, config, new Decoder(config.decoder(), weights, ropeStyle, backend), tokenizer, backend);
        } catch (RuntimeException e) {
            checkpoint.close();
            throw e;
        }
    }

    public Path directory() {
        return directory;
    }

    public Checkpoint checkpoint() {
        return checkpoint;
    }

    /** The decoder part of config.json. */
    public DecoderConfig config() {
        return config.decoder();
    }

    /** The LLaVA part of config.json; empty for a text model. */
    public Optional<LlavaConfig> llavaConfig() {
        return Optional.ofNullable(config.llava());
    }

    /** The FLOPs model's view of this decoder. */
    public DecoderShape decoderShape() {
        DecoderConfig c = config.decoder();
        return new DecoderShape(c.hiddenSize(), c.intermediateSize(), c.numLayers(), c.numHeads(), c.numKvHeads(), c.headDim(),
                c.vocabSize(), true);
    }

    public Decoder decoder() {
        return decoder;
    }

    /** False for folders without a tokenizer (conformance fixtures), which run on token ids. */
    public boolean hasTokenizer() {
        return tokenizer != null;
    }

    /** The folder's tokenizer; a clear error when the folder has none. */
    public Tokenizer tokenizer() {
        if (tokenizer == null) {
            throw new InvalidFileException(directory, "has no tokenizer (tokenizer.model, tokenizer.json or tokenizer.bin); use token ids");
        }
        return tokenizer;
    }

    @Override
    public void close() {
        try {
            backend.close();
        } finally {
            checkpoint.close();
        }
    }
}
