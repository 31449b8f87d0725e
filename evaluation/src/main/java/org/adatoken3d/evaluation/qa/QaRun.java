package org.adatoken3d.evaluation.qa;

import java.util.HashMap;
import java.util.Map;
import org.adatoken3d.llava3d.GenerationOptions;
import org.adatoken3d.llava3d.Llava3d;
import org.adatoken3d.llava3d.spatial.SpatialTokens;
import org.adatoken3d.pruning.GatePolicy;
import org.adatoken3d.pruning.KeepSet;

/**
 * Answers a split's questions with a model under a gate policy (greedy, stopping at EOS) and scores them by exact
 * match. Each scene is projected once and reused by every question about it.
 */
public final class QaRun {
    /** Every answer of the task is one word: a few tokens and EOS. */
    public static final int MAX_ANSWER_TOKENS = 4;

    private final Llava3d llava;
    private final SceneSet scenes;
    private final Map<Integer, SpatialTokens> projected = new HashMap<>();

    public QaRun(Llava3d llava, SceneSet scenes) {
        this.llava = llava;
        this.scenes = scenes;
    }

    /**
     * One answer.
     *
     * @param keep          the spatial tokens the gate kept (all of them when it did not gate)
     * @param objectsKept   kept object tokens over all object tokens of the scene (1 when it has none)
     * @param flopsShare    prefill FLOPs with this gate over unpruned prefill FLOPs (FLOPs model, LM head on the last token)
     */
    public record Answer(String text, boolean correct, KeepSet keep, double objectsKept, double flopsShare, long prefillNanos) {}

    public SpatialTokens scene(int index) {
        return projected.computeIfAbsent(index, i -> scenes.spatialTokens(i, llava.projector()));
    }

    public Answer answer(QaQuestion q, GatePolicy gate) {
        org.adatoken3d.llava3d.Answer a = llava.ask(scene(q.scene()), q.question(), gate, GenerationOptions.greedy(MAX_ANSWER_TOKENS), null);
        String text = a.text().strip();
        return new Answer(text, q.isAnsweredBy(text), a.keepSet(), objectsKept(scenes.owner(q.scene()), a.keepSet()), a.prefillFlopsShare(),
                a.prefillNanos());
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
