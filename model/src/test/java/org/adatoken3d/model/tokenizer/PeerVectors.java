package org.adatoken3d.model.tokenizer;

import static java.nio.charset.StandardCharsets.UTF_8;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * The llama.cpp test vectors for the LLaMA-2 tokenizer in {@code ../shared/data/llama2-tokenizer/} (format in its
 * PROVENANCE.md): 46 texts and the ids Hugging Face's LLaMA-2 tokenizer gives them, without BOS.
 */
public record PeerVectors(List<String> texts, List<int[]> ids) {
    public static final String SEPARATOR = "\n__ggml_vocab_test__\n";

    public static Path dir() {
        return Path.of(System.getProperty("adatoken3d.shared", "../shared")).resolve("data/llama2-tokenizer");
    }

    public static Path tokenizerModel() {
        return dir().resolve("tokenizer.model");
    }

    public static PeerVectors load() throws IOException {
        String inp = Files.readString(dir().resolve("ggml-vocab-llama-spm.gguf.inp"), UTF_8);
        List<String> texts = new ArrayList<>(Arrays.asList(inp.split(SEPARATOR, -1)));
        if (!texts.getLast().isEmpty()) throw new IllegalStateException("the .inp file should end with the separator");
        texts.removeLast();
        List<int[]> ids = new ArrayList<>();
        for (String line : Files.readAllLines(dir().resolve("ggml-vocab-llama-spm.gguf.out"), UTF_8)) {
            String t = line.trim();
            ids.add(t.isEmpty() ? new int[0] : Arrays.stream(t.split(" ")).mapToInt(Integer::parseInt).toArray());
        }
        if (texts.size() != ids.size()) throw new IllegalStateException(texts.size() + " texts but " + ids.size() + " id lines");
        return new PeerVectors(List.copyOf(texts), List.copyOf(ids));
    }
}
