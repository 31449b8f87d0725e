package org.adatoken3d.evaluation.qa;

import java.util.HashMap;
import java.util.Map;
import org.adatoken3d.model.Model;
import org.adatoken3d.model.decoder.PrefillRequest;
import org.adatoken3d.model.generation.Generation;
import org.adatoken3d.model.generation.Generator;
import org.adatoken3d.model.generation.Prompt;
import org.adatoken3d.model.generation.SamplingParams;
import org.adatoken3d.llava3d.spatial.Projector;
import org.adatoken3d.llava3d.spatial.SpatialInput;
import org.adatoken3d.llava3d.prompt.SpatialPrompt;
import org.adatoken3d.pruning.DecoderShape;
import org.adatoken3d.pruning.FlopsModel;
import org.adatoken3d.pruning.FlopsReport;
import org.adatoken3d.pruning.GatePolicy;
import org.adatoken3d.pruning.KeepSet;

/**
 * Answers a split's questions with a model under a gate policy (greedy, stopping at EOS) and scores them by exact
 * match. Each scene is projected once and reused by every question about it.
 */
public final class QaRun {
    /** Every answer of the task is one word: a few tokens and EOS. */
    public static final int MAX_ANSWER_TOKENS = 4;

    private final Model model;
    private final SceneSet scenes;
    private final Projector projector;
    private final FlopsModel flops;
    private final long kvBudgetBytes;
    private final Map<Integer, SpatialInput> projected = new HashMap<>();

    public QaRun(Model model, SceneSet scenes, DecoderShape shape, long kvBudgetBytes) {
        this.model = model;
        this.scenes = scenes;
        this.projector = Projector.load(model.checkpoint(), model.config());
        this.flops = new FlopsModel(shape);
        this.kvBudgetBytes = kvBudgetBytes;
    }

    /**
     * One answer.
     *
     * @param keep          the spatial tokens the gate kept (all of them when it did not gate)
     * @param objectsKept   kept object tokens over all object tokens of the scene (1 when it has none)
     * @param flopsShare    prefill FLOPs with this gate over unpruned prefill FLOPs (FLOPs model, LM head on the last token)
     */
    public record Answer(String text, boolean correct, KeepSet keep, double objectsKept, double flopsShare, long prefillNanos) {}

    public SpatialInput scene(int index) {
        return projected.computeIfAbsent(index, i -> scenes.spatialInput(i, projector));
    }

    public Answer answer(QaQuestion q, GatePolicy gate) {
        SpatialInput spatial = scene(q.scene());
        Prompt prompt = SpatialPrompt.build(model, q.question(), spatial);
        PrefillRequest request = new PrefillRequest(prompt.spatial(), gate, gate.query(), false, PrefillRequest.Logits.LAST);
        Generation g = new Generator(model.decoder(), model.tokenizer())
                .generate(prompt, request, SamplingParams.greedy(), MAX_ANSWER_TOKENS, kvBudgetBytes, null, null);
        KeepSet keep = g.prefill().keepSet() != null ? g.prefill().keepSet() : KeepSet.all(spatial.count());
        int n = prompt.ids().length;
        FlopsReport f = flops.report(n, gate.gates() ? gate.layer() : model.config().numLayers(), keep, FlopsModel.Logits.LAST_TOKEN);
        double share = (double) f.prefillAfter() / f.prefillBefore();
        String text = g.text().strip();
        return new Answer(text, q.isAnsweredBy(text), keep, objectsKept(scenes.owner(q.scene()), keep), share, g.prefillNanos());
    }

    /** Hears each answer of {@link #score} as it is given; {@code done} counts the answers so far. */
    @FunctionalInterface
    public interface AnswerListener {
        void answered(int done, QaQuestion question, Answer answer);
    }

    /** Answers every question of {@code questions} under {@code gate}; {@code listener} (may be null) hears each answer. */
    public QaScore score(QuestionSet questions, GatePolicy gate, AnswerListener listener) {
        QaScore.Builder score = new QaScore.Builder(questions.types());
        int done = 0;
        for (QaQuestion q : questions.questions()) {
            Answer a = answer(q, gate);
            score.add(q.type(), a.correct(), a.keep().keptFraction(), a.objectsKept(), a.flopsShare());
            if (listener != null) listener.answered(++done, q, a);
        }
        return score.build();
    }

    static double objectsKept(int[] owner, KeepSet keep) {
        boolean[] kept = keep.mask();
        int objects = 0, keptObjects = 0;
        for (int i = 0; i < owner.length; i++) {
            if (owner[i] >= 0) {
                objects++;
                if (kept[i]) keptObjects++;
            }
        }
        return objects == 0 ? 1 : (double) keptObjects / objects;
    }
}
