package org.adatoken3d.model.tokenizer;

import com.code_intelligence.jazzer.junit.FuzzTest;
import org.adatoken3d.weights.InvalidFileException;

/**
 * The three tokenizer parsers on arbitrary bytes: each either yields a tokenizer that encodes and decodes, or throws
 * {@link InvalidFileException}; any other exception (or running out of memory) is a finding. Under {@code mvn test}
 * these run in Jazzer's regression mode on the seeds in {@code TokenizerParsersFuzzTestInputs/<method>/}; set
 * {@code JAZZER_FUZZ=1} to fuzz.
 */
class TokenizerParsersFuzzTest {
    private static final String SAMPLE = "Hello wörld,\n  中文 🙂 <|endoftext|> 123";

    @FuzzTest(maxDuration = "60s")
    void sentencePieceModel(byte[] data) {
        try {
            exercise(SentencePieceTokenizer.parse(null, data));
        } catch (InvalidFileException expected) {
            // A clear error is the right answer to a bad file.
        }
    }

    @FuzzTest(maxDuration = "60s")
    void llama2cTokenizerBin(byte[] data) {
        try {
            exercise(Llama2cTokenizer.parse(null, data));
        } catch (InvalidFileException expected) {
            // A clear error is the right answer to a bad file.
        }
    }

    @FuzzTest(maxDuration = "60s")
    void tokenizerJson(byte[] data) {
        try {
            exercise(ByteLevelBpeTokenizer.parse(null, data, null));
        } catch (InvalidFileException expected) {
            // A clear error is the right answer to a bad file.
        }
    }

    /** A parsed tokenizer must work on any text and any of its ids. */
    private static void exercise(Tokenizer t) {
        int[] ids = t.encode(SAMPLE, true);
        for (int id : ids) {
            if (id < 0 || id >= t.vocabSize()) throw new AssertionError("encode gave id " + id + " outside 0.." + t.vocabSize());
        }
        t.decode(ids);
        for (int id = 0; id < Math.min(t.vocabSize(), 600); id++) t.piece(id);
    }
}
