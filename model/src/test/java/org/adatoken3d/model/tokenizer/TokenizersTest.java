package org.adatoken3d.model.tokenizer;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class TokenizersTest {
    static final Path LLAMA_MODEL = PeerVectors.tokenizerModel();
    static final Path STORIES_BIN = Llama2cTokenizerTest.storiesDir().resolve("tokenizer.bin");

    @Test
    void findsEachFormatInAModelFolder() {
        assertInstanceOf(SentencePieceTokenizer.class, Tokenizers.forModel(LLAMA_MODEL.getParent()));
        assertInstanceOf(Llama2cTokenizer.class, Tokenizers.forModel(STORIES_BIN.getParent()));
    }

    @Test
    void prefersTokenizerModelThenJsonThenBin(@TempDir Path dir) throws Exception {
        Files.copy(STORIES_BIN, dir.resolve("tokenizer.bin"));
        assertInstanceOf(Llama2cTokenizer.class, Tokenizers.forModel(dir));
        Files.write(dir.resolve("tokenizer.json"), ByteLevelBpeTokenizerTest.resource("tiny-qwen2-tokenizer.json"));
        assertInstanceOf(ByteLevelBpeTokenizer.class, Tokenizers.forModel(dir));
        Files.copy(LLAMA_MODEL, dir.resolve("tokenizer.model"));
        assertInstanceOf(SentencePieceTokenizer.class, Tokenizers.forModel(dir));
    }

    @Test
    void filesWithOtherNamesAreRecognizedByTheirFirstBytes(@TempDir Path dir) throws Exception {
        Files.copy(LLAMA_MODEL, dir.resolve("spm"));
        Files.copy(STORIES_BIN, dir.resolve("vocab"));
        Files.write(dir.resolve("hf"), ByteLevelBpeTokenizerTest.resource("tiny-qwen2-tokenizer.json"));
        assertInstanceOf(SentencePieceTokenizer.class, Tokenizers.load(dir.resolve("spm")));
        assertInstanceOf(Llama2cTokenizer.class, Tokenizers.load(dir.resolve("vocab")));
        assertInstanceOf(ByteLevelBpeTokenizer.class, Tokenizers.load(dir.resolve("hf")));
        assertArrayEquals(new int[] {1, 15043, 3186}, Tokenizers.load(dir.resolve("spm")).encode("Hello world", true));
        assertEquals(512, Tokenizers.load(dir.resolve("vocab")).vocabSize());
    }
}
