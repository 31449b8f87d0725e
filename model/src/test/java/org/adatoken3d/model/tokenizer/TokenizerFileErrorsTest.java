package org.adatoken3d.model.tokenizer;

import static org.adatoken3d.model.tokenizer.SentencePieceModelWriter.CONTROL;
import static org.adatoken3d.model.tokenizer.SentencePieceModelWriter.NORMAL;
import static org.adatoken3d.model.tokenizer.SentencePieceModelWriter.UNKNOWN;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.function.Supplier;
import org.adatoken3d.testing.SeededCases;
import org.adatoken3d.weights.InvalidFileException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Bad tokenizer files give one clear {@link InvalidFileException} naming the problem, never another exception. */
class TokenizerFileErrorsTest {
    static final Path FILE = Path.of("tokenizer.model");

    static String problem(Supplier<?> parse) {
        InvalidFileException e = assertThrows(InvalidFileException.class, parse::get);
        return e.getMessage();
    }

    static void assertContains(String expected, String message) {
        assertTrue(message.contains(expected), () -> "\"" + message + "\" should mention \"" + expected + "\"");
    }

    // --- SentencePiece tokenizer.model

    static String sentencePieceProblem(byte[] bytes) {
        return problem(() -> SentencePieceTokenizer.parse(FILE, bytes));
    }

    @Test
    void sentencePieceLengthThatRunsPastTheEnd() {
        String m = sentencePieceProblem(new byte[] {0x0A, (byte) 0xFF, (byte) 0xFF, (byte) 0xFF, (byte) 0xFF, 0x0F, 1, 2});
        assertContains("tokenizer.model: ", m);
        assertContains("a length of 4294967295 bytes runs past the end of ModelProto (2 bytes left)", m);
    }

    @Test
    void sentencePieceVarintLongerThanTenBytes() {
        byte[] bytes = new byte[12];
        Arrays.fill(bytes, (byte) 0xFF);
        assertContains("longer than 10 bytes", sentencePieceProblem(bytes));
        assertContains("a varint runs past the end", sentencePieceProblem(new byte[] {0x0A, (byte) 0x80}));
    }

    @Test
    void sentencePieceWrongWireTypes() {
        assertContains("wire type 3", sentencePieceProblem(new byte[] {0x0B}));
        assertContains("ModelProto.pieces (field 1) has wire type 0, expected 2", sentencePieceProblem(new byte[] {0x08, 0x01}));
        assertContains("field number 0 is not valid", sentencePieceProblem(new byte[] {0x02, 0x00}));
    }

    @Test
    void sentencePieceModelsThatAreNotTheSupportedKind() {
        assertContains("holds no SentencePiece pieces", sentencePieceProblem(new byte[0]));
        SentencePieceModelWriter base = new SentencePieceModelWriter().piece("<unk>", 0, UNKNOWN).piece("a", 0, NORMAL);
        assertContains("a unigram SentencePiece model; only BPE", sentencePieceProblem(base.bytes()));
        SentencePieceModelWriter bpe = new SentencePieceModelWriter().piece("<unk>", 0, UNKNOWN).piece("a", 0, NORMAL).trainer(2, false);
        assertContains("precompiled normalization rules (normalizer \"nmt_nfkc\", 40 bytes)",
                sentencePieceProblem(bpe.normalizer("nmt_nfkc", 40, true, true).bytes()));
        byte[] noBytePieces = new SentencePieceModelWriter().piece("<unk>", 0, UNKNOWN).trainer(2, true).bytes();
        assertContains("byte_fallback on but no byte piece <0x00>", sentencePieceProblem(noBytePieces));
        byte[] noUnknown = new SentencePieceModelWriter().piece("<s>", 0, CONTROL).trainer(2, false).bytes();
        assertContains("no piece of type UNKNOWN", sentencePieceProblem(noUnknown));
        byte[] twice = new SentencePieceModelWriter().piece("<unk>", 0, UNKNOWN).piece("a", 0, NORMAL).piece("a", -1, NORMAL)
                .trainer(2, false).bytes();
        assertContains("piece \"a\" appears twice, as ids 1 and 2", sentencePieceProblem(twice));
        byte[] badType = new SentencePieceModelWriter().piece("<unk>", 0, UNKNOWN).piece("a", 0, 9).trainer(2, false).bytes();
        assertContains("ModelProto.pieces[1] has type 9", sentencePieceProblem(badType));
    }

    @Test
    void sentencePieceInvalidUtf8Piece() {
        // pieces { piece: FF }
        assertContains("ModelProto.pieces[0].piece is not valid UTF-8", sentencePieceProblem(new byte[] {0x0A, 0x03, 0x0A, 0x01, (byte) 0xFF}));
    }

    @Test
    void truncatedLlamaModelIsAlwaysAnInvalidFileException() throws Exception {
        byte[] whole = Files.readAllBytes(PeerVectors.tokenizerModel());
        SeededCases.run("truncatedLlamaModelIsAlwaysAnInvalidFileException", 60, rnd -> {
            byte[] cut = Arrays.copyOf(whole, rnd.nextInt(whole.length));
            // A cut at a field boundary loses the trainer spec, so the model reads as the default (unigram) kind.
            sentencePieceProblem(cut);
        });
    }

    @Test
    void corruptedLlamaModelParsesOrFailsCleanly() throws Exception {
        byte[] whole = Files.readAllBytes(PeerVectors.tokenizerModel());
        SeededCases.run("corruptedLlamaModelParsesOrFailsCleanly", 40, rnd -> {
            byte[] bytes = whole.clone();
            for (int k = 0, n = SeededCases.between(rnd, 1, 8); k < n; k++) bytes[rnd.nextInt(bytes.length)] = (byte) rnd.nextInt(256);
            try {
                SentencePieceTokenizer t = SentencePieceTokenizer.parse(FILE, bytes);
                t.decode(t.encode("Hello, wörld! 🙂", true));
            } catch (InvalidFileException expected) {
                assertContains("tokenizer.model: ", expected.getMessage());
            }
        });
    }

    // --- llama2.c tokenizer.bin

    static byte[] llama2c(int maxTokenLength, Object... scoreLengthBytes) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteBuffer b = ByteBuffer.allocate(4).order(ByteOrder.LITTLE_ENDIAN);
        out.writeBytes(b.putInt(0, maxTokenLength).array());
        for (Object o : scoreLengthBytes) {
            if (o instanceof byte[] raw) out.writeBytes(raw);
            else out.writeBytes(ByteBuffer.allocate(4).order(ByteOrder.LITTLE_ENDIAN).putInt((Integer) o).array());
        }
        return out.toByteArray();
    }

    static String llama2cProblem(byte[] bytes) {
        return problem(() -> Llama2cTokenizer.parse(Path.of("tokenizer.bin"), bytes));
    }

    @Test
    void llama2cHeaderAndTokenRecordsAreChecked() {
        assertContains("tokenizer.bin: llama2.c tokenizer too short", llama2cProblem(new byte[] {7, 0}));
        assertContains("max_token_length is 0", llama2cProblem(llama2c(0)));
        assertContains("token 0 has length -5, outside 0..7", llama2cProblem(llama2c(7, 0, -5)));
        assertContains("token 0 has length 9, outside 0..7", llama2cProblem(llama2c(7, 0, 9)));
        assertContains("truncated: token 0 has length 5 but only 2 bytes are left", llama2cProblem(llama2c(7, 0, 5, new byte[] {'a', 'b'})));
        assertContains("truncated: token 1 needs 8 bytes", llama2cProblem(llama2c(7, 0, 1, new byte[] {'a'}, new byte[] {1, 2, 3})));
        assertContains("has 1 tokens; a llama2.c vocabulary has at least 259", llama2cProblem(llama2c(7, 0, 1, new byte[] {'a'})));
    }

    @Test
    void llama2cBytePiecesMustSitAtIds3To258() throws Exception {
        byte[] whole = Files.readAllBytes(Llama2cTokenizerTest.storiesDir().resolve("tokenizer.bin"));
        byte[] renamed = whole.clone();
        // The first byte piece record starts after the header and ids 0..2: "<0x00>" -> "<0y00>".
        String text = new String(renamed, StandardCharsets.ISO_8859_1);
        int at = text.indexOf("<0x00>");
        renamed[at + 2] = 'y';
        assertContains("token 3 should be the byte piece <0x00>", llama2cProblem(renamed));
    }

    @Test
    void truncatedStoriesTokenizerParsesOrFailsCleanly() throws Exception {
        byte[] whole = Files.readAllBytes(Llama2cTokenizerTest.storiesDir().resolve("tokenizer.bin"));
        SeededCases.run("truncatedStoriesTokenizerParsesOrFailsCleanly", 100, rnd -> {
            byte[] cut = Arrays.copyOf(whole, rnd.nextInt(whole.length));
            try {
                // Cut exactly between two records after the byte pieces, the file is a smaller valid vocabulary.
                Llama2cTokenizer t = Llama2cTokenizer.parse(FILE, cut);
                assertTrue(t.vocabSize() < 512);
            } catch (InvalidFileException expected) {
                assertContains("llama2.c tokenizer", expected.getMessage());
            }
        });
    }

    // --- Hugging Face tokenizer.json

    static String jsonProblem(String json) {
        return problem(() -> ByteLevelBpeTokenizer.parse(Path.of("tokenizer.json"), json.getBytes(StandardCharsets.UTF_8), null));
    }

    static String tinyQwen() throws Exception {
        return new String(ByteLevelBpeTokenizerTest.resource("tiny-qwen2-tokenizer.json"), StandardCharsets.UTF_8);
    }

    @Test
    void tokenizerJsonStructureIsChecked() throws Exception {
        assertContains("tokenizer.json: not valid JSON", jsonProblem("{\"model\": "));
        assertContains("model is missing or not a JSON object", jsonProblem("{}"));
        assertContains("model.type is \"Unigram\"", jsonProblem("{\"model\": {\"type\": \"Unigram\"}}"));
        String qwen = tinyQwen();
        assertContains("model.merges[3] (\"l\" + \"zz\") needs \"zz\"", jsonProblem(qwen.replace("\"l l\"", "\"l zz\"")));
        assertContains("model.merges[3] (\"l\" + \"q\") needs \"lq\"", jsonProblem(qwen.replace("\"l l\"", "\"l q\"")));
        assertContains("model.merges[0] is \"Ġ t x\", expected two entries", jsonProblem(qwen.replace("\"Ġ t\"", "\"Ġ t x\"")));
        assertContains("added_tokens id 2000000000 is 2000000000, outside the range 0..",
                jsonProblem(qwen.replace("\"id\": 267", "\"id\": 2000000000")));
        assertContains("model.vocab lacks \"Ġ\"", jsonProblem(qwen.replace("\"Ġ\": 32", "\"space\": 32")));
        assertContains("model.vocab gives id 32 to both", jsonProblem(qwen.replace("\"!\": 33", "\"!\": 32")));
        assertContains("pre_tokenizer.pretokenizers[0] is of type \"Metaspace\"", jsonProblem(qwen.replace("\"Split\"", "\"Metaspace\"")));
        assertContains("pre_tokenizer.pretokenizers[0].pattern.Regex is not a pre-tokenizer regex this engine knows",
                jsonProblem(qwen.replace("(?i:'s|'t", "(?i:'s|'t(")));
        assertContains("normalizer is of type \"Lowercase\"", jsonProblem(qwen.replace("\"NFC\"", "\"Lowercase\"")));
        assertContains("model.dropout is set", jsonProblem(qwen.replace("\"dropout\": null", "\"dropout\": 0.1")));
    }

    @Test
    void tokenizerConfigMustNameTokensOfTheFile(@TempDir Path dir) throws Exception {
        Files.writeString(dir.resolve("tokenizer.json"), tinyQwen());
        Files.writeString(dir.resolve("tokenizer_config.json"), "{\"eos_token\": \"<|im_end|>\"}");
        String m = problem(() -> Tokenizers.forModel(dir));
        assertContains("tokenizer_config.json: eos_token \"<|im_end|>\" is not a token of tokenizer.json", m);
    }

    // --- finding the file

    @Test
    void aFolderWithoutTokenizerSaysWhatWasLookedFor(@TempDir Path dir) {
        String m = problem(() -> Tokenizers.forModel(dir));
        assertEquals(dir + ": no tokenizer in this model folder (looked for tokenizer.model, tokenizer.json, tokenizer.bin)", m);
        assertContains("not a model folder", problem(() -> Tokenizers.forModel(dir.resolve("missing"))));
        assertContains("no such file", problem(() -> Tokenizers.load(dir.resolve("tokenizer.model"))));
    }
}
