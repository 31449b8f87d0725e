package org.adatoken3d.evaluation.metrics;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Cases worked by hand from each metric's definition (the pycocoevalcap source named in each class), for the
 * metrics with no independent implementation installable here (ROUGE-L, CIDEr-D, clean_answer, the EM match) and
 * for the BLEU inputs where pycocoevalcap and NLTK define BLEU differently. The arithmetic is in the comments.
 */
class HandWorkedMetricsTest {
    @Test
    void bleuOfAOneWordAnswerKeepsPycocoevalcapsGuards() {
        // "brown" vs {"brown", "dark brown"}: closest reference length 1; matches [1,0,0,0] of counts [1,0,0,0].
        // BLEU-k = prod_i((m_i + 1e-15) / (c_i + 1e-9))^(1/k): BLEU-2 = (1 * 1e-6)^(1/2) = 1e-3, BLEU-3 = 1e-4,
        // BLEU-4 = 1e-4.5. NLTK would say 0 for k >= 2 (no bigram at all).
        double[] b = Bleu.corpus(List.of("brown"), List.of(List.of("brown", "dark brown")));
        assertArrayEquals(new double[] {1, 1e-3, 1e-4, Math.pow(10, -4.5)}, b, 1e-8);
        assertEquals(1e-3, b[1], 1e-3 * 1e-6);
        assertEquals(Math.pow(10, -4.5), b[3], Math.pow(10, -4.5) * 1e-6);
    }

    @Test
    void bleuSumsCountsOverTheCorpus() {
        // c1 "the brown chair" | "a brown chair": matches 2/3, 1/2, 0/1, 0/0; reference length 3.
        // c2 "on the table near the wall" | {"on the table", "near the wall on the table"}: closest length 6;
        // clipped matches 6/6, 4/5 (all but "table near"), 2/4 ("on the table", "near the wall"), 0/3.
        // Totals 8/9, 5/7, 2/5, 0/3; lengths 9 and 9, so no brevity penalty (up to the 1e-9 guard).
        double[] b = Bleu.corpus(List.of("the brown chair", "on the table near the wall"),
                List.of(List.of("a brown chair"), List.of("on the table", "near the wall on the table")));
        double p12 = 8.0 / 9 * 5 / 7;
        assertArrayEquals(new double[] {8.0 / 9, Math.sqrt(p12), Math.cbrt(p12 * 2 / 5), Math.pow(p12 * 2 / 5 * 1e-15 / 3, 0.25)}, b, 1e-8);
        assertEquals(Math.pow(p12 * 2 / 5 * 1e-15 / 3, 0.25), b[3], 1e-12);
    }

    @Test
    void bleuBrevityPenaltyUsesCorpusLengths() {
        // "red chair" | "the red chair": matches 2/2, 1/1; c = 2, r = 3: BP = exp(1 - 3/2).
        double[] b = Bleu.corpus(List.of("red chair"), List.of(List.of("the red chair")));
        assertEquals(Math.exp(1 - 1.5), b[0], 1e-8);
        assertEquals(Math.exp(1 - 1.5), b[1], 1e-8);
    }

    @Test
    void rougeLTakesBestPrecisionAndBestRecallSeparately() {
        // "brown wooden chair": vs "a brown chair" LCS 2 (P 2/3, R 2/3); vs "chair" LCS 1 (P 1/3, R 1).
        // P = 2/3, R = 1: (1 + 1.44) P R / (R + 1.44 P) = (2.44 * 2/3) / 1.96 = 4.88 / 5.88.
        assertEquals(4.88 / 5.88, RougeL.sentence("brown wooden chair", List.of("a brown chair", "chair")), 1e-15);
        assertEquals(0.0, RougeL.sentence("table", List.of("chair")));
        // str.split(" ") makes "" one empty token, which matches an empty reference.
        assertEquals(1.0, RougeL.sentence("", List.of("")), 1e-15);
        assertEquals((4.88 / 5.88 + 0) / 2, RougeL.corpus(List.of("brown wooden chair", "table"), List.of(List.of("a brown chair", "chair"), List.of("chair"))), 1e-15);
    }

    @Test
    void ciderOfTwoImages() {
        // Two images: idf numerator ln 2; every n-gram occurs in one reference set (df 1) or none (df 0 -> max(1, 0)),
        // so every weight is ln 2. A: "red chair" | "red chair": cosines n=1 1, n=2 1, n=3,4 0 -> mean 0.5 -> 5.0.
        // B: "blue table" | "brown table": unigram cosine (ln2)^2 / (sqrt2 ln2)^2 = 0.5, others 0 -> 0.125 -> 1.25.
        double[] s = Cider.sentences(List.of("red chair", "blue table"), List.of(List.of("red chair"), List.of("brown table")));
        assertArrayEquals(new double[] {5.0, 1.25}, s, 1e-12);
        assertEquals(3.125, Cider.corpus(List.of("red chair", "blue table"), List.of(List.of("red chair"), List.of("brown table"))), 1e-12);
    }

    @Test
    void ciderLengthPenaltyAndSeveralReferences() {
        // A: "red chair" | "red chair here": cosines 2/sqrt6 (unigrams), 1/sqrt2 (bigrams), 0, 0; bigram counts 1 vs 2,
        // penalty exp(-1/72). B: "x" | "y" scores 0. A = 10 * (2/sqrt6 + 1/sqrt2) / 4 * exp(-1/72).
        double a = 10 * (2 / Math.sqrt(6) + 1 / Math.sqrt(2)) / 4 * Math.exp(-1.0 / 72);
        assertArrayEquals(new double[] {a, 0}, Cider.sentences(List.of("red chair", "x"), List.of(List.of("red chair here"), List.of("y"))), 1e-12);
        // Two references average: "red chair" | {"red chair", "blue sofa"} with B "x" | "y": the first reference gives
        // 5.0 as above; "blue sofa" shares nothing (0); mean over references 2.5.
        assertEquals(2.5, Cider.sentences(List.of("red chair", "x"), List.of(List.of("red chair", "blue sofa"), List.of("y")))[0], 1e-12);
    }

    @Test
    void cleanAnswerFollowsLlava3dsStepsInOrder() {
        assertEquals("two chairs", AnswerCleaner.clean("The 2 chairs."));
        assertEquals("brown TV", AnswerCleaner.clean("  Brown   TV  "));
        assertEquals("left side of right chair", AnswerCleaner.clean("Let side of the rigth chai"));
        assertEquals("zero", AnswerCleaner.clean("None"));
        assertEquals("ten o'clock", AnswerCleaner.clean("10 o'  clock"));
        assertEquals("mat", AnswerCleaner.clean("mat2"));
        assertEquals("twenty-three", AnswerCleaner.clean("23"));
        assertEquals("21", AnswerCleaner.clean("21"));
        assertEquals("apple and pear", AnswerCleaner.clean("an apple and a pear"));
        assertEquals("backward", AnswerCleaner.clean("Backwards"));
        // The non-ASCII removal runs before the ç and ’ replacements, so both are simply dropped.
        assertEquals("cafs", AnswerCleaner.clean("Café’s"));
        // Python's $ matches before a final newline: the spaces go, the newline stays.
        assertEquals("brown\n", AnswerCleaner.clean("brown  \n"));
    }

    @Test
    void answerMatchIsExactThenContainment() {
        assertEquals(new AnswerMatch(true, true), AnswerMatch.of("brown", List.of("brown", "dark brown")));
        assertEquals(new AnswerMatch(false, true), AnswerMatch.of("dark brown", List.of("brown")));
        assertEquals(new AnswerMatch(false, true), AnswerMatch.of("dark  brown", List.of("darkbrown")));
        assertEquals(new AnswerMatch(false, false), AnswerMatch.of("white", List.of("black")));
        assertEquals(new AnswerMatch(false, true), AnswerMatch.of("", List.of("black")), "an empty answer is contained in any reference");
    }

    @Test
    void meteorOfWorkedSentences() {
        Meteor m = new Meteor(null);
        // "brown chair" | "brown wooden chair": 2 exact matches, P = 1, R = 2/3; F = P R / (0.9 P + 0.1 R) = (2/3) / (0.9 + 1/15);
        // 2 chunks of 2 matches: penalty 0.5 * 1^3 = 0.5.
        assertEquals(0.5 * (2.0 / 3) / (0.9 + 1.0 / 15), m.sentence("brown chair", List.of("brown wooden chair")), 1e-15);
        // "chairs" | "chair": the stem stage pairs them; one chunk of one match: penalty 0.5.
        assertEquals(0.5, m.sentence("chairs", List.of("chair")), 1e-15);
        assertEquals(0.0, m.sentence("table", List.of("sofa")));
    }

    @Test
    void scorerCleansTokenisesAndSplitsByType() {
        QaScorer scorer = new QaScorer(new Meteor(null));
        QaScorer.Report r = scorer.score(List.of(
                new ScoredAnswer("Brown.", List.of("brown", "dark brown"), "Color"),
                new ScoredAnswer("The 2 chairs", List.of("two"), "Number"),
                new ScoredAnswer("On the table", List.of("on desk"), "Place")));
        assertEquals(3, r.overall().questions());
        assertEquals(1.0 / 3, r.overall().em(), 1e-15);
        // "two chairs" contains "two" once spaces are removed.
        assertEquals(2.0 / 3, r.overall().emRefined(), 1e-15);
        assertEquals(List.of("Color", "Number", "Place"), List.copyOf(r.byType().keySet()));
        assertEquals(1.0, r.byType().get("Color").em());
        // The Color subset alone: "brown" | {"brown", "dark brown"}, as in the one-word BLEU case above.
        assertEquals(1.0, r.byType().get("Color").bleu1(), 1e-8);
        // ROUGE-L of "on table" | "on desk": LCS 1, P = R = 1/2, F = 1/2.
        assertEquals(0.5, r.byType().get("Place").rougeL(), 1e-15);
    }
}
