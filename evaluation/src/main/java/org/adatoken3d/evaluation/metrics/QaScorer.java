package org.adatoken3d.evaluation.metrics;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Scores predictions the way LLaVA-3D's {@code llava/eval/scanqa_evaluator.py} does: prediction and references
 * cleaned by {@link AnswerCleaner}; EM@1 and EM@1-refined by {@link AnswerMatch}; the references' newlines turned
 * into spaces and the result stripped; both sides tokenised by {@link PtbTokenizer}; then BLEU-1..4, METEOR,
 * ROUGE-L and CIDEr over the set. Per question type the caption metrics are computed over that type's subset
 * alone (CIDEr's document frequencies included), as ScanQA's {@code scripts/score.py} does.
 */
public final class QaScorer {
    private final Meteor meteor;

    public QaScorer(Meteor meteor) {
        this.meteor = meteor;
    }

    /** Overall scores and per-type scores, the types in order of first appearance. */
    public record Report(Scores overall, Map<String, Scores> byType) {
        public Report {
            byType = java.util.Collections.unmodifiableMap(new LinkedHashMap<>(byType));
        }
    }

    public Report score(List<ScoredAnswer> answers) {
        Map<String, List<ScoredAnswer>> byType = new LinkedHashMap<>();
        for (ScoredAnswer a : answers) byType.computeIfAbsent(a.type(), t -> new ArrayList<>()).add(a);
        Map<String, Scores> perType = new LinkedHashMap<>();
        for (Map.Entry<String, List<ScoredAnswer>> e : byType.entrySet()) perType.put(e.getKey(), scores(e.getValue()));
        return new Report(scores(answers), perType);
    }

    /** The metrics over {@code answers}; an empty set scores zero everywhere. */
    public Scores scores(List<ScoredAnswer> answers) {
        if (answers.isEmpty()) return new Scores(0, 0, 0, 0, 0, 0, 0, 0, 0, 0);
        int exact = 0, refined = 0;
        List<String> candidates = new ArrayList<>(answers.size());
        List<List<String>> references = new ArrayList<>(answers.size());
        for (ScoredAnswer a : answers) {
            String prediction = AnswerCleaner.clean(a.prediction());
            List<String> refs = new ArrayList<>();
            for (String r : a.references()) refs.add(AnswerCleaner.clean(r));
            AnswerMatch m = AnswerMatch.of(prediction, refs);
            if (m.exact()) exact++;
            if (m.refined()) refined++;
            candidates.add(PtbTokenizer.tokenize(prediction));
            List<String> tokenised = new ArrayList<>();
            for (String r : refs) tokenised.add(PtbTokenizer.tokenize(PythonText.strip(r.replace("\n", " "))));
            references.add(tokenised);
        }
        double[] bleu = Bleu.corpus(candidates, references);
        int n = answers.size();
        return new Scores(n, exact / (double) n, refined / (double) n, bleu[0], bleu[1], bleu[2], bleu[3],
                meteor.corpus(candidates, references), RougeL.corpus(candidates, references), Cider.corpus(candidates, references));
    }
}
