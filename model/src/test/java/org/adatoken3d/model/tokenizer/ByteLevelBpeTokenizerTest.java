package org.adatoken3d.model.tokenizer;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Byte-level BPE against two hand-made {@code tokenizer.json} files whose expected outputs were worked out by hand
 * from the BPE rules, not taken from the code under test.
 *
 * <p>Both files (test resources) share one vocabulary: ids 0..255 are GPT-2's stand-ins for the bytes 0..255 in byte
 * order (so a lone byte's id is its value: {@code Ġ} (space) is 32, {@code Ċ} (newline) is 10, {@code ä} (0xE4) is
 * 228, {@code Ń} (0xAD) is 173), then the merges in rank order make ids 256..266:
 *
 * <pre>
 * rank 0  Ġ + t    = Ġt    256        rank 6  hell + o = hello 262
 * rank 1  h + e    = he    257        rank 7  a + a    = aa    263
 * rank 2  Ġt + he  = Ġthe  258        rank 8  Ċ + Ċ    = ĊĊ    264
 * rank 3  l + l    = ll    259        rank 9  ä + ¸    = ä¸    265
 * rank 4  e + ll   = ell   260        rank 10 ä¸ + Ń   = ä¸Ń   266  (中 is E4 B8 AD)
 * rank 5  h + ell  = hell  261
 * </pre>
 *
 * {@code tiny-qwen2-tokenizer.json} has Qwen2's layout: NFC, the Qwen2 Split regex, ByteLevel without prefix space,
 * merges as {@code "a b"} strings, added tokens 267 {@code <|endoftext|>}, 268 {@code <|im_start|>} (special), 269
 * {@code <extra>} (not special) and 270 {@code <sep>} (special, rstrip). {@code tiny-gpt2-tokenizer.json} has
 * GPT-2's: ByteLevel with {@code add_prefix_space} and the built-in regex, merges as {@code ["a", "b"]} pairs.
 */
class ByteLevelBpeTokenizerTest {
    static ByteLevelBpeTokenizer qwen;
    static ByteLevelBpeTokenizer gpt2;

    static byte[] resource(String name) throws IOException {
        try (InputStream in = ByteLevelBpeTokenizerTest.class.getResourceAsStream(name)) {
            if (in == null) throw new IOException("missing test resource " + name);
            return in.readAllBytes();
        }
    }

    @BeforeAll
    static void load() throws IOException {
        qwen = ByteLevelBpeTokenizer.parse(null, resource("tiny-qwen2-tokenizer.json"), null);
        gpt2 = ByteLevelBpeTokenizer.parse(null, resource("tiny-gpt2-tokenizer.json"), null);
    }

    @Test
    void lowestRankMergesFirstNotLongestOrLeftmost() {
        // h e l l o: "h e" (rank 1) beats "l l" (rank 3); then "he"+"l" is no merge, "l l" is; "e ll" (rank 4)
        // can no longer happen because the e is inside "he". So hello is he|ll|o, never "hello" (262).
        assertArrayEquals(new int[] {257, 259, 111}, qwen.encode("hello", false));
        // " the" is one word: Ġ t (rank 0) first, then h e (1), then Ġt he (2).
        assertArrayEquals(new int[] {257, 259, 111, 258}, qwen.encode("hello the", false));
    }

    @Test
    void equalRanksMergeLeftmostFirst() {
        assertArrayEquals(new int[] {263, 97}, qwen.encode("aaa", false));
        // "\n\n\n" is one word (\s*[\r\n]+); ĊĊ merges at the left, leaving one Ċ.
        assertArrayEquals(new int[] {264, 10}, qwen.encode("\n\n\n", false));
    }

    @Test
    void multiByteCharactersAreMergedFromTheirByteStandIns() {
        assertArrayEquals(new int[] {266}, qwen.encode("中", false));
        // Unmerged bytes stay single-byte ids: é is C3 A9, both printable stand-ins.
        assertArrayEquals(new int[] {195, 169}, qwen.encode("é", false));
    }

    @Test
    void nfcComposesBeforeSplitting() {
        // e + U+0301 is é after NFC (C3 A9).
        assertArrayEquals(new int[] {195, 169}, qwen.encode("e\u0301", false));
        // The GPT-2 file has no normalizer: the prefixed " e" is a word, the combining mark (CC 81, not a letter)
        // another.
        assertArrayEquals(new int[] {32, 101, 204, 129}, gpt2.encode("e\u0301", false));
    }

    @Test
    void qwen2RegexSplitsWordsAsTheTokenizersLibraryDoes() {
        assertEquals(List.of("Hello", ",", " world", "!"), qwen.preTokenize("Hello, world!"));
        // \s*[\r\n]+ takes the spaces before a newline; the space after it starts the next word.
        assertEquals(List.of("x", "  \n", " y"), qwen.preTokenize("x  \n y"));
        // Digits one at a time; contractions case-insensitively; one leading non-letter joins a word.
        assertEquals(List.of("3", ".", "1", "4"), qwen.preTokenize("3.14"));
        assertEquals(List.of("I", "'M"), qwen.preTokenize("I'M"));
        assertEquals(List.of("¿Qué", "?"), qwen.preTokenize("¿Qué?"));
        // \s is Unicode whitespace (as in the library's regex engine): U+3000 behaves like a space, so
        // \s+(?!\S) leaves the last one to start the next word.
        assertEquals(List.of("a", "\u3000", "\u3000b"), qwen.preTokenize("a\u3000\u3000b"));
        // Two spaces before a word: the first is a word of its own, the second joins the word.
        assertArrayEquals(new int[] {97, 32, 32, 98}, qwen.encode("a  b", false));
        assertArrayEquals(new int[] {105, 116, 39, 115}, qwen.encode("it's", false));
        assertArrayEquals(new int[] {49, 50, 51}, qwen.encode("123", false));
    }

    @Test
    void llama3RegexGroupsDigitsByThree() throws IOException {
        String llama3 = new String(resource("tiny-qwen2-tokenizer.json"), java.nio.charset.StandardCharsets.UTF_8)
                .replace("\\\\p{N}| ?", "\\\\p{N}{1,3}| ?");
        ByteLevelBpeTokenizer t = ByteLevelBpeTokenizer.parse(null, llama3.getBytes(java.nio.charset.StandardCharsets.UTF_8), null);
        assertEquals(List.of("123", "45", " apples"), t.preTokenize("12345 apples"));
        assertEquals(List.of("1", "2", "3", "4", "5", " apples"), qwen.preTokenize("12345 apples"));
    }

    @Test
    void addedTokensAreCutOutBeforeEverythingElse() {
        assertArrayEquals(new int[] {268, 257, 259, 111, 267}, qwen.encode("<|im_start|>hello<|endoftext|>", false));
        assertArrayEquals(new int[] {120, 269}, qwen.encode("x<extra>", false));
        // <sep> has rstrip: the spaces after it belong to it.
        assertArrayEquals(new int[] {97, 270, 98}, qwen.encode("a<sep>  b", false));
    }

    @Test
    void gpt2LayoutAddsAPrefixSpaceAndKeepsDigitRuns() {
        // " hello": Ġ h is no merge; h e (1), l l (3); then nothing: Ġ|he|ll|o. " the" becomes Ġthe.
        assertArrayEquals(new int[] {32, 257, 259, 111, 258}, gpt2.encode("hello the", false));
        assertArrayEquals(new int[] {32, 49, 50, 51}, gpt2.encode("123", false));
    }

    @Test
    void decodesBytesAndHidesSpecialTokens() {
        assertEquals("hello the", qwen.decode(new int[] {257, 259, 111, 258}));
        assertEquals("he", qwen.decode(new int[] {268, 257, 267}));
        assertEquals("x<extra>", qwen.decode(new int[] {120, 269}));
        // No dummy prefix in byte-level BPE: a leading space is the text's own.
        assertEquals(" the", qwen.decode(new int[] {258}));
        Tokenizer.Decoder stream = qwen.newDecoder();
        assertEquals("", stream.push(228));
        assertEquals("", stream.push(184));
        assertEquals("中", stream.push(173));
        assertEquals("", stream.flush());
        assertEquals("Ġthe", qwen.piece(258));
        assertEquals("<|endoftext|>", qwen.piece(267));
    }

    @Test
    void qwen2HasNoBosAndEndsWithEndOfText() {
        assertEquals(Tokenizer.NONE, qwen.bos());
        assertEquals(267, qwen.eos());
        assertEquals(271, qwen.vocabSize());
        assertArrayEquals(new int[] {257}, qwen.encode("he", true));
    }

    @Test
    void tokenizerConfigBesideTheFileNamesBosAndEos(@TempDir Path dir) throws IOException {
        Files.write(dir.resolve("tokenizer.json"), resource("tiny-qwen2-tokenizer.json"));
        Files.writeString(dir.resolve("tokenizer_config.json"),
                "{\"bos_token\": {\"content\": \"<|im_start|>\"}, \"eos_token\": \"<sep>\"}");
        Tokenizer t = Tokenizers.forModel(dir);
        assertEquals(268, t.bos());
        assertEquals(270, t.eos());
        assertArrayEquals(new int[] {268, 257}, t.encode("he", true));
    }
}
