package org.adatoken3d.model.tokenizer;

import static org.adatoken3d.model.tokenizer.SentencePieceModelWriter.CONTROL;
import static org.adatoken3d.model.tokenizer.SentencePieceModelWriter.NORMAL;
import static org.adatoken3d.model.tokenizer.SentencePieceModelWriter.UNKNOWN;
import static org.adatoken3d.model.tokenizer.SentencePieceModelWriter.UNUSED;
import static org.adatoken3d.model.tokenizer.SentencePieceModelWriter.USER_DEFINED;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.Test;

/**
 * SentencePiece's rules that LLaMA-2's vocabulary does not exercise, on a hand-made model whose expected ids are
 * worked out by hand:
 *
 * <pre>
 * 0 &lt;unk&gt; unknown    4 a  -11     8 bc  -0.5    12 ca  unused, 5
 * 1 &lt;s&gt;   control    5 b  -12     9 abc -2
 * 2 &lt;/s&gt;  control    6 c  -13    10 ▁a  -3
 * 3 ▁     -10        7 ab -1     11 &lt;u&gt; user-defined
 * </pre>
 *
 * No byte fallback; {@code remove_extra_whitespaces} on unless said otherwise. (The same model written out and
 * given to the SentencePiece library, 0.1.97, gives the same ids for every text here.)
 */
class SentencePieceRulesTest {
    static SentencePieceModelWriter vocabulary() {
        return new SentencePieceModelWriter()
                .piece("<unk>", 0, UNKNOWN).piece("<s>", 0, CONTROL).piece("</s>", 0, CONTROL)
                .piece("\u2581", -10, NORMAL).piece("a", -11, NORMAL).piece("b", -12, NORMAL).piece("c", -13, NORMAL)
                .piece("ab", -1, NORMAL).piece("bc", -0.5f, NORMAL).piece("abc", -2, NORMAL)
                .piece("\u2581a", -3, NORMAL).piece("<u>", 0, USER_DEFINED).piece("ca", 5, UNUSED);
    }

    static SentencePieceTokenizer model(boolean addDummyPrefix, boolean removeExtraWhitespaces) {
        byte[] bytes = vocabulary().trainer(2, false).normalizer("identity", 0, addDummyPrefix, removeExtraWhitespaces).bytes();
        return SentencePieceTokenizer.parse(null, bytes);
    }

    @Test
    void highestScoringPairMergesFirst() {
        // ▁ a b c: bc (-0.5) beats ab (-1) and ▁a (-3); then a+bc = abc (-2) beats ▁a; ▁abc is not a piece.
        assertArrayEquals(new int[] {3, 9}, model(true, true).encode("abc", false));
        // Without the dummy prefix the same merges leave just abc.
        assertArrayEquals(new int[] {9}, model(false, true).encode("abc", false));
    }

    @Test
    void unusedPiecesSplitBackIntoThePairTheyCameFrom() {
        // ▁ c a b: ca (unused, 5) merges first and blocks ab; cab is no piece; ca is then split back into c, a.
        assertArrayEquals(new int[] {3, 6, 4, 5}, model(true, true).encode("cab", false));
    }

    @Test
    void userDefinedPiecesAreCutOutWholeAndNeverMerged() {
        assertArrayEquals(new int[] {10, 11, 5}, model(true, true).encode("a<u>b", false));
    }

    @Test
    void withoutByteFallbackConsecutiveUnknownsBecomeOneUnknown() {
        SentencePieceTokenizer t = model(true, true);
        assertArrayEquals(new int[] {3, 0}, t.encode("xyz", false));
        assertArrayEquals(new int[] {10, 0, 5}, t.encode("axb", false));
        assertArrayEquals(new int[] {3, 0, 4, 0}, t.encode("xay", false));
        assertEquals(" \u2047 a \u2047 ", t.decode(new int[] {3, 0, 4, 0}));
    }

    @Test
    void extraWhitespaceIsRemovedWhenTheModelSaysSo() {
        SentencePieceTokenizer t = model(true, true);
        assertArrayEquals(new int[] {10, 3, 5}, t.encode("  a   b  ", false));
        assertArrayEquals(new int[0], t.encode("   ", false));
        assertArrayEquals(new int[] {1}, t.encode("   ", true));
        assertEquals("a b", t.decode(new int[] {1, 10, 3, 5, 2}));
        // Kept when the option is off: ▁ ▁ a ▁ b -> ▁ ▁a ▁ b.
        assertArrayEquals(new int[] {3, 10, 3, 5}, model(true, false).encode(" a b", false));
    }

    @Test
    void aModelWithoutBosPiecesHasNoBos() {
        byte[] bytes = new SentencePieceModelWriter().piece("<unk>", 0, UNKNOWN).piece("a", 0, NORMAL)
                .trainer(2, false).bytes();
        SentencePieceTokenizer t = SentencePieceTokenizer.parse(null, bytes);
        assertEquals(Tokenizer.NONE, t.bos());
        assertEquals(Tokenizer.NONE, t.eos());
        assertArrayEquals(new int[] {0, 1}, t.encode("a", true));
    }
}
