package org.adatoken3d.evaluation.run;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.adatoken3d.evaluation.benchmark.Prediction;
import org.adatoken3d.evaluation.metrics.QaScorer;
import org.adatoken3d.evaluation.metrics.ScoredAnswer;
import org.adatoken3d.evaluation.metrics.Scores;

/**
 * What a run amounts to, per policy: the community's metrics over the scored questions (overall and per type), the
 * mean share of spatial tokens kept and of prefill FLOPs spent, read back from the committed predictions.
 */
public record RunSummary(String questions, int questionCount, int scoredCount, int scenes, List<PolicyResult> policies, boolean meteorSynonyms,
        JsonNode timing) {
    public static final String FORMAT = "adatoken3d-benchmark-summary/1";

    /**
     * @param gate the policy as resolved on the model ({@code auto} becomes the profile's gate)
     * @param keptShare mean over questions of kept spatial tokens over spatial tokens
     * @param keptTokens mean kept spatial tokens
     * @param flopsShare mean prefill FLOPs over unpruned prefill FLOPs
     */
    public record PolicyResult(String policy, String gate, QaScorer.Report report, double keptShare, double keptTokens, double flopsShare) {}

    public RunSummary {
        policies = List.copyOf(policies);
    }

    public static RunSummary of(QuestionSource source, Map<String, List<Prediction>> predictions, Map<String, String> gates, QaScorer scorer,
            boolean meteorSynonyms, JsonNode timing) {
        List<BenchmarkQuestion> questions = source.questions();
        int scored = (int) questions.stream().filter(BenchmarkQuestion::isScored).count();
        List<PolicyResult> results = new ArrayList<>();
        for (Map.Entry<String, List<Prediction>> e : predictions.entrySet()) {
            List<ScoredAnswer> answers = new ArrayList<>();
            double kept = 0, keptTokens = 0, flops = 0;
            for (int i = 0; i < questions.size(); i++) {
                BenchmarkQuestion q = questions.get(i);
                Prediction p = e.getValue().get(i);
                ObjectNode m = p.metadata();
                int spatial = m.path("spatial_tokens").asInt();
                kept += spatial == 0 ? 1 : m.path("kept_tokens").asDouble() / spatial;
                keptTokens += m.path("kept_tokens").asDouble();
                flops += m.path("prefill_flops_share").asDouble();
                if (q.isScored()) answers.add(new ScoredAnswer(p.text(), q.references(), q.type()));
            }
            int n = questions.size();
            results.add(new PolicyResult(e.getKey(), gates.get(e.getKey()), scorer.score(answers), kept / n, keptTokens / n, flops / n));
        }
        return new RunSummary(source.description(), questions.size(), scored, source.byScene().size(), results, meteorSynonyms, timing);
    }

    public ObjectNode toJson() {
        JsonNodeFactory f = JsonNodeFactory.instance;
        ObjectNode root = f.objectNode();
        root.put("format", FORMAT);
        root.put("questions", questions);
        root.put("question_count", questionCount);
        root.put("scored_count", scoredCount);
        root.put("scenes", scenes);
        root.put("meteor", "NLTK 3.8 meteor_score, " + (meteorSynonyms ? "with" : "without") + " the WordNet synonym stage (not pycocoevalcap's METEOR 1.5)");
        var list = root.putArray("policies");
        for (PolicyResult r : policies) {
            ObjectNode p = list.addObject();
            p.put("policy", r.policy());
            p.put("gate", r.gate());
            p.put("kept_share", r.keptShare());
            p.put("kept_tokens", r.keptTokens());
            p.put("prefill_flops_share", r.flopsShare());
            p.set("overall", scores(r.report().overall()));
            ObjectNode types = p.putObject("by_type");
            r.report().byType().forEach((t, s) -> types.set(t, scores(s)));
        }
        root.set("timing", timing);
        return root;
    }

    private static ObjectNode scores(Scores s) {
        ObjectNode o = JsonNodeFactory.instance.objectNode();
        o.put("questions", s.questions());
        o.put("em", s.em());
        o.put("em_refined", s.emRefined());
        o.put("bleu1", s.bleu1());
        o.put("bleu2", s.bleu2());
        o.put("bleu3", s.bleu3());
        o.put("bleu4", s.bleu4());
        o.put("meteor", s.meteor());
        o.put("rouge_l", s.rougeL());
        o.put("cider", s.cider());
        return o;
    }

    /** The table a command prints: one line per policy. */
    public List<String> table() {
        List<String> lines = new ArrayList<>();
        lines.add(String.format(Locale.ROOT, "%-36s %6s %6s %6s %6s %6s %6s %6s %6s %6s", "policy", "kept", "FLOPs", "EM", "EM-ref", "BLEU-1",
                "BLEU-4", "ROUGE", "METEOR", "CIDEr"));
        for (PolicyResult r : policies) {
            Scores s = r.report().overall();
            lines.add(String.format(Locale.ROOT, "%-36s %5.1f%% %5.1f%% %5.1f%% %5.1f%% %6.2f %6.2f %6.2f %6.2f %6.2f", r.policy(), 100 * r.keptShare(),
                    100 * r.flopsShare(), 100 * s.em(), 100 * s.emRefined(), 100 * s.bleu1(), 100 * s.bleu4(), 100 * s.rougeL(), 100 * s.meteor(),
                    100 * s.cider()));
        }
        return lines;
    }
}
