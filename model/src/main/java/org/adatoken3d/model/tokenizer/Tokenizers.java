package org.adatoken3d.model.tokenizer;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.List;
import org.adatoken3d.weights.InvalidFileException;

/** Finds and loads the tokenizer of a model folder, whichever of the three supported formats it ships. */
public final class Tokenizers {
    /** The files a model folder is searched for, in order of preference. */
    public static final List<String> MODEL_FILES = List.of("tokenizer.model", "tokenizer.json", "tokenizer.bin");

    /** Larger than any real tokenizer (Qwen2's tokenizer.json is 7 MB), small enough to read whole. */
    static final long MAX_FILE_BYTES = 256L << 20;

    private Tokenizers() {}

    /**
     * The tokenizer of a model folder: {@code tokenizer.model} (SentencePiece), else {@code tokenizer.json}
     * (Hugging Face), else {@code tokenizer.bin} (llama2.c).
     */
    public static Tokenizer forModel(Path modelDir) {
        if (!Files.isDirectory(modelDir)) throw new InvalidFileException(modelDir, "not a model folder (no such directory)");
        for (String name : MODEL_FILES) {
            Path file = modelDir.resolve(name);
            if (Files.isRegularFile(file)) return load(file);
        }
        throw new InvalidFileException(modelDir, "no tokenizer in this model folder (looked for " + String.join(", ", MODEL_FILES) + ")");
    }

    /** True when {@link #forModel} would find a tokenizer file in {@code modelDir}. */
    public static boolean hasTokenizer(Path modelDir) {
        return MODEL_FILES.stream().anyMatch(name -> Files.isRegularFile(modelDir.resolve(name)));
    }

    /**
     * Loads one tokenizer file, choosing the format by its name ({@code .model}, {@code .json}, {@code .bin}) or,
     * for other names, by its first bytes.
     */
    public static Tokenizer load(Path file) {
        String name = file.getFileName() == null ? "" : file.getFileName().toString();
        if (name.endsWith(".model")) return SentencePieceTokenizer.load(file);
        if (name.endsWith(".json")) return ByteLevelBpeTokenizer.load(file);
        if (name.endsWith(".bin")) return Llama2cTokenizer.load(file);
        byte[] bytes = readFile(file);
        if (bytes.length > 0 && bytes[0] == '{') return ByteLevelBpeTokenizer.parse(file, bytes, null);
        // A ModelProto starts with its first piece: field 1, length-delimited.
        if (bytes.length > 0 && bytes[0] == 0x0A) return SentencePieceTokenizer.parse(file, bytes);
        return Llama2cTokenizer.parse(file, bytes);
    }

    /** The whole of a tokenizer file, refusing sizes no tokenizer has. */
    static byte[] readFile(Path file) {
        try (InputStream in = Files.newInputStream(file)) {
            byte[] bytes = in.readNBytes((int) MAX_FILE_BYTES + 1);
            if (bytes.length > MAX_FILE_BYTES) {
                throw new InvalidFileException(file, "larger than " + (MAX_FILE_BYTES >> 20) + " MiB, too large to be a tokenizer");
            }
            return bytes;
        } catch (NoSuchFileException e) {
            throw new InvalidFileException(file, "no such file");
        } catch (IOException e) {
            throw new UncheckedIOException(file + ": " + e.getMessage(), e);
        }
    }
}
