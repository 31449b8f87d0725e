package org.adatoken3d.evaluation.metrics;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.Set;

/**
 * METEOR as NLTK defines it ({@code nltk.translate.meteor_score}, NLTK 3.8), not as pycocoevalcap computes it:
 * pycocoevalcap runs the METEOR 1.5 Java jar (paraphrase tables, tuned weights, corpus-level statistics), which
 * cannot be fetched here, so METEOR figures from this class are not comparable with published METEOR columns.
 *
 * <p>Per candidate: the best over its references of NLTK's {@code single_meteor_score} with alpha 0.9, beta 3,
 * gamma 0.5 — words lower-cased, aligned in three stages (exact, then Porter stems of what is left, then WordNet
 * synonyms of those stems), each stage pairing from the last word backwards with the last unpaired match;
 * F-mean = P·R / (alpha·P + (1 − alpha)·R), times 1 − gamma·(chunks / matches)^beta. The corpus score is the
 * mean over candidates. Without a {@link WordNet} the synonym stage is skipped (say so where scores are shown).
 */
public final class Meteor {
    static final double ALPHA = 0.9;
    static final double BETA = 3.0;
    static final double GAMMA = 0.5;

    private final WordNet wordnet;

    /** {@code wordnet} may be null: then only the exact and stem stages run. */
    public Meteor(WordNet wordnet) {
        this.wordnet = wordnet;
    }

    public boolean hasSynonymStage() {
        return wordnet != null;
    }

    private record Word(int index, String text) {}

    private record Pair(int hyp, int ref) {}

    /** The best score over the references; each text is space-tokenised. */
    public double sentence(String candidate, List<String> references) {
        if (references.isEmpty()) throw new IllegalArgumentException("a candidate needs a reference");
        double best = Double.NEGATIVE_INFINITY;
        for (String r : references) best = Math.max(best, single(PythonText.split(candidate), PythonText.split(r)));
        return best;
    }

    public double corpus(List<String> candidates, List<List<String>> references) {
        if (candidates.size() != references.size()) throw new IllegalArgumentException("one reference list per candidate");
        double sum = 0;
        for (int i = 0; i < candidates.size(); i++) sum += sentence(candidates.get(i), references.get(i));
        return sum / candidates.size();
    }

    /** NLTK's {@code single_meteor_score(reference, hypothesis)}. */
    double single(List<String> hypothesis, List<String> reference) {
        List<Word> hyp = enumerate(hypothesis);
        List<Word> ref = enumerate(reference);
        int translationLength = hyp.size(), referenceLength = ref.size();
        List<Pair> matches = new ArrayList<>();
        matchEnums(hyp, ref, matches);
        hyp = stemmed(hyp);
        ref = stemmed(ref);
        matchEnums(hyp, ref, matches);
        if (wordnet != null) synonymMatch(hyp, ref, matches);
        matches.sort(Comparator.comparingInt(Pair::hyp));
        int matchCount = matches.size();
        if (translationLength == 0 || referenceLength == 0 || matchCount == 0) return 0.0;
        double precision = (double) matchCount / translationLength;
        double recall = (double) matchCount / referenceLength;
        double fmean = (precision * recall) / (ALPHA * precision + (1 - ALPHA) * recall);
        double fragmentation = (double) chunks(matches) / matchCount;
        double penalty = GAMMA * Math.pow(fragmentation, BETA);
        return (1 - penalty) * fmean;
    }

    private static List<Word> enumerate(List<String> words) {
        List<Word> out = new ArrayList<>(words.size());
        for (int i = 0; i < words.size(); i++) out.add(new Word(i, words.get(i).toLowerCase(Locale.ROOT)));
        return out;
    }

    private static List<Word> stemmed(List<Word> words) {
        List<Word> out = new ArrayList<>(words.size());
        for (Word w : words) out.add(new Word(w.index, PorterStemmer.stem(w.text)));
        return out;
    }

    /** NLTK's {@code _match_enums}: removes the paired words from both lists. */
    private static void matchEnums(List<Word> hyp, List<Word> ref, List<Pair> matches) {
        for (int i = hyp.size() - 1; i >= 0; i--) {
            for (int j = ref.size() - 1; j >= 0; j--) {
                if (hyp.get(i).text.equals(ref.get(j).text)) {
                    matches.add(new Pair(hyp.get(i).index, ref.get(j).index));
                    hyp.remove(i);
                    ref.remove(j);
                    break;
                }
            }
        }
    }

    private void synonymMatch(List<Word> hyp, List<Word> ref, List<Pair> matches) {
        for (int i = hyp.size() - 1; i >= 0; i--) {
            String word = hyp.get(i).text;
            Set<String> synonyms = wordnet.lemmaNames(word);
            for (int j = ref.size() - 1; j >= 0; j--) {
                String r = ref.get(j).text;
                if (r.equals(word) || (r.indexOf('_') < 0 && synonyms.contains(r))) {
                    matches.add(new Pair(hyp.get(i).index, ref.get(j).index));
                    hyp.remove(i);
                    ref.remove(j);
                    break;
                }
            }
        }
    }

    /** NLTK's {@code _count_chunks} over matches sorted by hypothesis position. */
    private static int chunks(List<Pair> matches) {
        int chunks = 1;
        for (int i = 0; i < matches.size() - 1; i++) {
            boolean adjacent = matches.get(i + 1).hyp == matches.get(i).hyp + 1 && matches.get(i + 1).ref == matches.get(i).ref + 1;
            if (!adjacent) chunks++;
        }
        return chunks;
    }
}
