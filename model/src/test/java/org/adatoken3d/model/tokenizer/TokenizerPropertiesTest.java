package org.adatoken3d.model.tokenizer;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

import java.text.Normalizer;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import org.adatoken3d.testing.SeededCases;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

class TokenizerPropertiesTest {
    static SentencePieceTokenizer llama;
    static Llama2cTokenizer stories;
    static ByteLevelBpeTokenizer qwen;

    @BeforeAll
    static void load() throws Exception {
        llama = SentencePieceTokenizer.load(PeerVectors.tokenizerModel());
        stories = Llama2cTokenizer.load(Llama2cTokenizerTest.storiesDir().resolve("tokenizer.bin"));
        qwen = ByteLevelBpeTokenizer.parse(null, ByteLevelBpeTokenizerTest.resource("tiny-qwen2-tokenizer.json"), null);
    }

    /** Text from every part of Unicode that a user may type, weighted towards ASCII and whitespace. */
    static String randomText(SplittableRandom rnd, int maxLength) {
        StringBuilder s = new StringBuilder();
        int n = rnd.nextInt(maxLength + 1);
        while (s.length() < n) {
            int kind = rnd.nextInt(10);
            int cp = switch (kind) {
                case 0, 1, 2, 3 -> 0x20 + rnd.nextInt(0x5F);
                case 4 -> " \n\t\r".charAt(rnd.nextInt(4));
                case 5 -> 0xA0 + rnd.nextInt(0x200);
                case 6 -> 0x4E00 + rnd.nextInt(0x5000);
                case 7 -> 0x1F300 + rnd.nextInt(0x300);
                case 8 -> rnd.nextInt(0x20);
                default -> rnd.nextInt(0x110000);
            };
            // Lone surrogates are not text, and U+2581 is SentencePiece's own space mark.
            if ((cp >= 0xD800 && cp <= 0xDFFF) || cp == 0x2581) continue;
            s.appendCodePoint(cp);
        }
        return s.toString();
    }

    @Test
    void decodeOfEncodeIsTheTextForAnyTextWithLlama() {
        SeededCases.run("decodeOfEncodeIsTheTextForAnyTextWithLlama", 300, rnd -> {
            String text = randomText(rnd, 60);
            assertEquals(text, llama.decode(llama.encode(text, rnd.nextBoolean())));
        });
    }

    @Test
    void decodeOfEncodeIsTheTextForAnyTextWithStories() {
        SeededCases.run("decodeOfEncodeIsTheTextForAnyTextWithStories", 300, rnd -> {
            String text = randomText(rnd, 60);
            assertEquals(text, stories.decode(stories.encode(text, rnd.nextBoolean())));
        });
    }

    @Test
    void decodeOfEncodeIsTheNormalizedTextForAnyTextWithByteLevelBpe() {
        SeededCases.run("decodeOfEncodeIsTheNormalizedTextForAnyTextWithByteLevelBpe", 300, rnd -> {
            String text = randomText(rnd, 60).replace("<", "");
            assertEquals(Normalizer.normalize(text, Normalizer.Form.NFC), qwen.decode(qwen.encode(text, false)));
        });
    }

    @Test
    void streamedTextIsNeverCutInsideACharacter() {
        SeededCases.run("streamedTextIsNeverCutInsideACharacter", 200, rnd -> {
            String text = randomText(rnd, 40);
            int[] ids = llama.encode(text, true);
            Tokenizer.Decoder decoder = llama.newDecoder();
            StringBuilder streamed = new StringBuilder();
            for (int id : ids) {
                String part = decoder.push(id);
                assertFalse(part.contains("\uFFFD"), () -> "a replacement character in " + part);
                assertFalse(!part.isEmpty() && Character.isHighSurrogate(part.charAt(part.length() - 1)), "ends in half a pair");
                streamed.append(part);
            }
            assertEquals("", decoder.flush());
            assertEquals(text, streamed.toString());
        });
    }

    /** The priority-queue merge loop gives what rescanning every pair after every merge gives. */
    @Test
    void pairMergerMatchesNaiveRescanForAnyScores() {
        SeededCases.run("pairMergerMatchesNaiveRescanForAnyScores", 500, rnd -> {
            Map<String, Double> scores = new HashMap<>();
            // Few distinct scores, so ties are common; pieces up to 4 letters over a 3-letter alphabet.
            for (int k = 0, n = SeededCases.between(rnd, 1, 30); k < n; k++) {
                StringBuilder piece = new StringBuilder();
                for (int len = SeededCases.between(rnd, 2, 4), i = 0; i < len; i++) piece.append("abc".charAt(rnd.nextInt(3)));
                scores.put(piece.toString(), (double) rnd.nextInt(4));
            }
            String[] symbols = new String[rnd.nextInt(25)];
            for (int i = 0; i < symbols.length; i++) symbols[i] = String.valueOf("abc".charAt(rnd.nextInt(3)));
            PairMerger.PairScore score = (l, r) -> scores.getOrDefault(l + r, PairMerger.NO_MERGE);
            List<String> expected = naiveMerge(new ArrayList<>(Arrays.asList(symbols)), scores);
            List<String> got = Arrays.stream(PairMerger.merge(symbols.clone(), null, score)).filter(s -> s != null).toList();
            assertEquals(expected, got, () -> "symbols " + Arrays.toString(symbols) + " scores " + scores);
        });
    }

    private static List<String> naiveMerge(List<String> symbols, Map<String, Double> scores) {
        while (true) {
            int best = -1;
            double bestScore = Double.NEGATIVE_INFINITY;
            for (int i = 0; i + 1 < symbols.size(); i++) {
                Double s = scores.get(symbols.get(i) + symbols.get(i + 1));
                if (s != null && s > bestScore) {
                    bestScore = s;
                    best = i;
                }
            }
            if (best < 0) return symbols;
            symbols.set(best, symbols.get(best) + symbols.remove(best + 1));
        }
    }

    @Test
    void longTextsEncodeToTheSameIdsAsTheirParagraphs() {
        // No LLaMA-2 piece spans a newline, so a text of paragraphs joined by "\n" encodes as its paragraphs do:
        // "\n" + p encodes as ▁ (29871), then the newline's byte piece (13), then p as it reads after a newline.
        // 20000 paragraphs send a 600,000-character text through the merge queue at once.
        StringBuilder text = new StringBuilder();
        List<Integer> expected = new ArrayList<>();
        SplittableRandom rnd = new SplittableRandom(7);
        for (int p = 0; p < 20000; p++) {
            String paragraph = "Word" + rnd.nextInt(1000) + " and more words, " + "like these".repeat(rnd.nextInt(3));
            int[] ids = llama.encode(p == 0 ? paragraph : "\n" + paragraph, false);
            if (p > 0) {
                text.append('\n');
                assertEquals(29871, ids[0]);
                assertEquals(13, ids[1]);
            }
            text.append(paragraph);
            for (int i = p == 0 ? 0 : 1; i < ids.length; i++) expected.add(ids[i]);
        }
        assertArrayEquals(expected.stream().mapToInt(Integer::intValue).toArray(), llama.encode(text.toString(), false));
    }
}
