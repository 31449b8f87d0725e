package org.adatoken3d.evaluation.run;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.regex.Pattern;
import org.adatoken3d.evaluation.benchmark.Llava3dQuestion;
import org.adatoken3d.evaluation.benchmark.Llava3dQuestionFile;
import org.adatoken3d.evaluation.benchmark.QuestionId;
import org.adatoken3d.evaluation.benchmark.ScanQaFile;
import org.adatoken3d.evaluation.benchmark.ScanQaQuestion;
import org.adatoken3d.evaluation.benchmark.Sqa3dFiles;
import org.adatoken3d.evaluation.benchmark.Sqa3dQuestion;
import org.adatoken3d.evaluation.qa.QaQuestion;
import org.adatoken3d.evaluation.qa.QuestionSet;
import org.adatoken3d.weights.InvalidFileException;

/**
 * The questions of one benchmark file (or SQA3D pair) as a run asks them.
 *
 * @param description what was read, for the run's settings and summary (e.g. "ScanQA ScanQA_v1.0_val.json")
 * @param questions in file order
 * @param ownScenes where the scenes are when the format says so itself (a spatial-QA split names its scene file),
 *     otherwise null and the run needs a scene root
 */
public record QuestionSource(String description, List<BenchmarkQuestion> questions, SceneLocation ownScenes) {
    /** What a scene id may look like: it names a file or folder, so no separators and no leading dot. */
    private static final Pattern SCENE_ID = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._-]{0,127}");

    public QuestionSource {
        questions = List.copyOf(questions);
    }

    /** ScanQA {@code ScanQA_v1.0_{split}.json}: every answer is a reference, types as ScanQA's scorer assigns them. */
    public static QuestionSource scanQa(Path file) {
        List<BenchmarkQuestion> out = new ArrayList<>();
        for (ScanQaQuestion q : ScanQaFile.read(file)) {
            out.add(question(file, q.questionId(), q.sceneId(), q.question(), q.answers(), q.type().label()));
        }
        return new QuestionSource("ScanQA " + file.toAbsolutePath().normalize(), out, null);
    }

    /**
     * SQA3D questions and annotations: the prompt is situation + question, the reference the first annotated answer
     * (LLaVA-3D's sqa3d_evaluator scores against {@code answers[0]}), the type SQA3D's 0-5.
     */
    public static QuestionSource sqa3d(Path questions, Path annotations) {
        List<BenchmarkQuestion> out = new ArrayList<>();
        for (Sqa3dQuestion q : Sqa3dFiles.read(questions, annotations)) {
            out.add(question(questions, q.questionId(), q.sceneId(), q.prompt(), List.of(q.answers().getFirst()), String.valueOf(q.type().code())));
        }
        return new QuestionSource("SQA3D " + questions.toAbsolutePath().normalize() + " + " + annotations.toAbsolutePath().normalize(), out, null);
    }

    /**
     * LLaVA-3D's question file: {@code video} names the scene (its last path segment, e.g. {@code scannet/scene0011_00}
     * is scene {@code scene0011_00}); the file holds no answers, so its questions are answered, not scored.
     */
    public static QuestionSource llava3d(Path file) {
        List<BenchmarkQuestion> out = new ArrayList<>();
        for (Llava3dQuestion q : Llava3dQuestionFile.read(file)) {
            String video = q.video().endsWith("/") ? q.video().substring(0, q.video().length() - 1) : q.video();
            String scene = video.substring(video.lastIndexOf('/') + 1);
            out.add(question(file, q.questionId(), scene, q.text(), List.of(), "all"));
        }
        return new QuestionSource("LLaVA-3D questions " + file.toAbsolutePath().normalize(), out, null);
    }

    /**
     * A spatial-QA split: question i has the numeric id i and is about scene {@link #spatialQaSceneId}; the split's
     * own scene file holds the scenes.
     */
    public static QuestionSource spatialQa(Path file) {
        QuestionSet set = QuestionSet.read(file);
        set.readScenes();
        List<BenchmarkQuestion> out = new ArrayList<>();
        for (int i = 0; i < set.questions().size(); i++) {
            QaQuestion q = set.questions().get(i);
            out.add(new BenchmarkQuestion(QuestionId.of(i), spatialQaSceneId(q.scene()), q.question(), List.of(q.answer()), q.type()));
        }
        return new QuestionSource("spatial-QA " + file.toAbsolutePath().normalize(), out, SceneLocation.spatialQa(set.scenesFile()));
    }

    /** The scene id this project gives scene {@code index} of a spatial-QA split (ScanNet's spelling). */
    public static String spatialQaSceneId(int index) {
        return String.format(Locale.ROOT, "scene%04d_00", index);
    }

    private static BenchmarkQuestion question(Path file, QuestionId id, String scene, String prompt, List<String> references, String type) {
        if (!SCENE_ID.matcher(scene).matches()) {
            throw new InvalidFileException(file, "question_id " + id + ": scene \"" + scene
                    + "\" cannot name a scene file (letters, digits, '.', '_' and '-' only, at most 128)");
        }
        return new BenchmarkQuestion(id, scene, prompt, references, type);
    }

    /** The first {@code limit} questions (all when null). */
    public QuestionSource first(Integer limit) {
        if (limit == null || limit >= questions.size()) return this;
        if (limit < 1) throw new org.adatoken3d.kernels.EngineArgumentException("limit", "must be >= 1, got " + limit);
        return new QuestionSource(description + " (first " + limit + ")", questions.subList(0, limit), ownScenes);
    }

    /** The questions grouped by scene, scenes in order of first appearance, questions in file order. */
    public Map<String, List<BenchmarkQuestion>> byScene() {
        Map<String, List<BenchmarkQuestion>> out = new LinkedHashMap<>();
        for (BenchmarkQuestion q : questions) out.computeIfAbsent(q.sceneId(), s -> new ArrayList<>()).add(q);
        return out;
    }
}
