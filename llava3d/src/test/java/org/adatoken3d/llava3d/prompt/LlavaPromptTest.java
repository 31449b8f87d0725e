package org.adatoken3d.llava3d.prompt;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.nio.file.Path;
import java.util.Arrays;
import java.util.stream.IntStream;
import org.adatoken3d.model.tokenizer.Tokenizer;
import org.adatoken3d.model.tokenizer.Tokenizers;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

class LlavaPromptTest {
    static Tokenizer llama;

    @BeforeAll
    static void load() {
        llama = Tokenizers.forModel(Path.of(System.getProperty("adatoken3d.shared", "../shared")).resolve("data/llama2-tokenizer"));
    }

    @Test
    void rendersTheLlavaV1TemplateExactly() {
        assertEquals("A chat between a curious human and an artificial intelligence assistant. The assistant gives helpful, "
                + "detailed, and polite answers to the human's questions. USER: <image>\nWhat is on the table? ASSISTANT:",
                LlavaPrompt.render("What is on the table?"));
        assertEquals("A chat between a curious human and an artificial intelligence assistant. The assistant gives helpful, "
                + "detailed, and polite answers to the human's questions. USER: What is on the table? ASSISTANT:",
                LlavaPrompt.renderTextOnly("What is on the table?"));
    }

    /**
     * The expected ids are SentencePiece 0.1.97's encoding of each chunk (no BOS) with the LLaMA-2 tokenizer.model,
     * put together by tokenizer_image_token's rule: BOS, chunk 1, [spatial block], chunk 2.
     */
    @Test
    void encodesAroundTheSpatialBlockAsTokenizerImageTokenDoes() {
        int[] chunk1 = {319, 13563, 1546, 263, 12758, 5199, 322, 385, 23116, 21082, 20255, 29889, 450, 20255, 4076, 8444,
            29892, 13173, 29892, 322, 1248, 568, 6089, 304, 278, 5199, 29915, 29879, 5155, 29889, 3148, 1001, 29901, 29871};
        int[] chunk2 = {29871, 13, 5618, 338, 445, 29973, 319, 1799, 9047, 13566, 29901};
        PromptTokens tokens = LlavaPrompt.encode(llama, "What is this?");
        assertArrayEquals(IntStream.concat(IntStream.of(1), IntStream.of(chunk1)).toArray(), tokens.beforeSpatial());
        assertArrayEquals(chunk2, tokens.afterSpatial());
        assertEquals(35, tokens.spatialStart());
        assertEquals(35 + 1470 + 11, tokens.length(1470));
    }

    @Test
    void theSecondChunksDummyPrefixSurvivesAfterTheSpatialBlock() {
        int[] after = LlavaPrompt.encode(llama, "Describe the room.").afterSpatial();
        assertEquals(29871, after[0]);
        assertEquals(13, after[1]);
        // Tokenizing the whole prompt at once would give no such ▁: "<image>\n" splits into pieces of its own.
        int[] whole = llama.encode(LlavaPrompt.render("Describe the room."), true);
        assertEquals(-1, indexOf(whole, new int[] {29871, 29871, 13}));
    }

    @Test
    void withoutBosTheChunksAreTakenAsTheyAre() {
        Tokenizer noBos = new CharTokenizer(Tokenizer.NONE);
        PromptTokens tokens = LlavaPrompt.encode(noBos, "q");
        String prompt = LlavaPrompt.render("q");
        int at = prompt.indexOf("<image>");
        assertArrayEquals(noBos.encode(prompt.substring(0, at), false), tokens.beforeSpatial());
        assertArrayEquals(noBos.encode(prompt.substring(at + 7), false), tokens.afterSpatial());
        Tokenizer withBos = new CharTokenizer(0);
        PromptTokens bos = LlavaPrompt.encode(withBos, "q");
        assertEquals(0, bos.beforeSpatial()[0]);
        assertArrayEquals(withBos.encode("\nq ASSISTANT:", false), bos.afterSpatial());
    }

    /** A click splits the text after the spatial block like another placeholder: each chunk tokenized on its own. */
    @Test
    void aClickIsOnePlaceholderBetweenSeparatelyTokenizedChunks() {
        PromptTokens tokens = LlavaPrompt.encode(llama, "What is at [1.0, 2.0, 0.5]?");
        int[] head = llama.encode("\nWhat is at ", false), tail = llama.encode("? ASSISTANT:", false);
        int[] expected = IntStream.concat(IntStream.concat(IntStream.of(head), IntStream.of(PromptTokens.CLICK_PLACEHOLDER)), IntStream.of(tail)).toArray();
        assertArrayEquals(expected, tokens.afterSpatial());
        assertArrayEquals(new int[] {head.length}, tokens.clickOffsets());
        assertArrayEquals(LlavaPrompt.encode(llama, "What is this?").beforeSpatial(), tokens.beforeSpatial());

        Tokenizer chars = new CharTokenizer(0);
        PromptTokens two = LlavaPrompt.encode(chars, "[1,2,3]a[4,5,6]");
        int[] n = chars.encode("\n", false), a = chars.encode("a", false), cue = chars.encode(" ASSISTANT:", false);
        assertArrayEquals(new int[] {n.length, n.length + 1 + a.length}, two.clickOffsets());
        assertEquals(n.length + 1 + a.length + 1 + cue.length, two.afterSpatial().length);
    }

    @Test
    void aQuestionWithoutAClickHasNoClickOffsets() {
        assertArrayEquals(new int[0], LlavaPrompt.encode(llama, "What is in [the] corner?").clickOffsets());
    }

    @Test
    void textOnlyIsTheWholePromptWithBos() {
        int[] ids = LlavaPrompt.encodeTextOnly(llama, "Hi");
        assertArrayEquals(llama.encode(LlavaPrompt.renderTextOnly("Hi"), true), ids);
        assertEquals(1, ids[0]);
        // "USER: Hi ASSISTANT:" has no lone ▁ before the question.
        assertEquals(-1, indexOf(ids, new int[] {29901, 29871}));
    }

    @Test
    void aQuestionMayNotHoldAnotherImagePlaceholder() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> LlavaPrompt.encode(llama, "and <image>?"));
        assertEquals("the question contains \"<image>\"; the llava_v1 prompt has exactly one spatial block, which goes before the question",
                e.getMessage());
    }

    private static int indexOf(int[] haystack, int[] needle) {
        for (int i = 0; i + needle.length <= haystack.length; i++) {
            if (Arrays.equals(Arrays.copyOfRange(haystack, i, i + needle.length), needle)) return i;
        }
        return -1;
    }

    /** One id per character (its code unit + 1), with an optional BOS 0: enough to see how chunks are put together. */
    private record CharTokenizer(int bos) implements Tokenizer {
        @Override
        public int[] encode(String text, boolean addBos) {
            IntStream chars = text.chars().map(c -> c + 1);
            return (addBos && bos != NONE ? IntStream.concat(IntStream.of(bos), chars) : chars).toArray();
        }

        @Override
        public Decoder newDecoder() {
            throw new UnsupportedOperationException();
        }

        @Override
        public int eos() {
            return NONE;
        }

        @Override
        public int vocabSize() {
            return 65537;
        }

        @Override
        public String piece(int id) {
            return String.valueOf((char) (id - 1));
        }
    }
}
