package org.adatoken3d.evaluation.run;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import org.adatoken3d.evaluation.qa.QaQuestion;
import org.adatoken3d.evaluation.qa.QuestionSet;
import org.adatoken3d.evaluation.qa.SceneSet;
import org.adatoken3d.llava3d.Llava3d;
import org.adatoken3d.weights.InvalidFileException;

/**
 * Writes a spatial-QA split in the formats users have, so that the benchmark readers and runs are exercised on files
 * of the exact shape of the real ones without downloading any: scene i becomes {@code sceneNNNN_00}
 * ({@link QuestionSource#spatialQaSceneId}), saved as projected spatial tokens.
 *
 * <pre>
 * ScanQA_v1.0_val.json                                 every question, its answer as the one reference
 * v1_balanced_questions_test_scannetv2.json            SQA3D questions (a fixed situation sentence)
 * v1_balanced_sqa_annotations_test_scannetv2.json      and their annotations
 * llava3d_scanqa_val_question.json                     LLaVA-3D's question file for the ScanQA questions
 * scenes/sceneNNNN_00.safetensors                      each scene's spatial tokens (SpatialTokens.save)
 * </pre>
 */
public final class SpatialQaExport {
    public static final String SCANQA = "ScanQA_v1.0_val.json";
    public static final String SQA3D_QUESTIONS = "v1_balanced_questions_test_scannetv2.json";
    public static final String SQA3D_ANNOTATIONS = "v1_balanced_sqa_annotations_test_scannetv2.json";
    public static final String LLAVA3D_QUESTIONS = "llava3d_scanqa_val_question.json";
    public static final String SCENES = "scenes";
    /** The situation every SQA3D question of the export is asked in; the split's rooms have no agent in them. */
    public static final String SITUATION = "I am standing in the room.";
    /** SQA3D's question ids are integers of this size. */
    static final long SQA3D_FIRST_ID = 220602000000L;

    private SpatialQaExport() {}

    /** Writes the files for the questions about the first {@code scenes} scenes (all when null) into {@code dir}. */
    public static int write(Llava3d llava, Path questionsFile, Integer scenes, Path dir) {
        return write(llava, questionsFile, scenes, null, dir);
    }

    /**
     * As {@link #write(Llava3d, Path, Integer, Path)}, keeping only the first {@code perScene} questions of each scene
     * (all when null). Returns how many questions were written.
     */
    public static int write(Llava3d llava, Path questionsFile, Integer scenes, Integer perScene, Path dir) {
        QuestionSet set = QuestionSet.read(questionsFile);
        SceneSet sceneSet = set.readScenes();
        int sceneCount = scenes == null ? sceneSet.size() : Math.min(scenes, sceneSet.size());
        JsonNode raw;
        try {
            raw = RunLayout.JSON.readTree(questionsFile.toFile());
        } catch (IOException e) {
            throw new InvalidFileException(questionsFile, "cannot be read: " + e.getMessage(), e);
        }
        JsonNodeFactory f = JsonNodeFactory.instance;
        ArrayNode scanQa = f.arrayNode();
        ArrayNode llavaQuestions = f.arrayNode();
        ObjectNode sqaQuestions = f.objectNode();
        ObjectNode sqaAnnotations = f.objectNode();
        ArrayNode sqaQ = sqaQuestions.putArray("questions");
        ArrayNode sqaA = sqaAnnotations.putArray("annotations");
        int[] asked = new int[sceneCount];
        int written = 0;
        List<QaQuestion> questions = set.questions();
        for (int i = 0; i < questions.size(); i++) {
            QaQuestion q = questions.get(i);
            if (q.scene() >= sceneCount || (perScene != null && asked[q.scene()] >= perScene)) continue;
            String scene = QuestionSource.spatialQaSceneId(q.scene());
            String id = "val-" + scene.substring(0, scene.length() - 3) + "-" + asked[q.scene()]++;
            ObjectNode s = scanQa.addObject();
            s.put("scene_id", scene);
            ArrayNode objectIds = s.putArray("object_id");
            ArrayNode objectNames = s.putArray("object_names");
            JsonNode sceneObjects = raw.path("scenes").path(q.scene()).path("objects");
            for (JsonNode o : raw.path("questions").path(i).path("objects")) {
                objectIds.add(o.asInt());
                JsonNode obj = sceneObjects.path(o.asInt());
                objectNames.add(obj.path("colour").asText("") + " " + obj.path("shape").asText(""));
            }
            s.put("question_id", id);
            s.put("question", q.question());
            s.putArray("answers").add(q.answer());

            ObjectNode l = llavaQuestions.addObject();
            l.put("question_id", id);
            l.put("video", "scannet/" + scene);
            l.put("text", q.question());

            long sqaId = SQA3D_FIRST_ID + i;
            ObjectNode sq = sqaQ.addObject();
            sq.put("scene_id", scene);
            sq.put("situation", SITUATION);
            sq.putArray("alternative_situation").add("I am in the room.");
            sq.put("question", q.question());
            sq.put("question_id", sqaId);
            ObjectNode sa = sqaA.addObject();
            sa.put("scene_id", scene);
            sa.put("question_id", sqaId);
            sa.put("question_type", "N/A");
            sa.put("answer_type", "other");
            ObjectNode answer = sa.putArray("answers").addObject();
            answer.put("answer", q.answer());
            answer.put("answer_confidence", "yes");
            answer.put("answer_id", 1);
            written++;
        }
        RunLayout.writeFile(dir.resolve(SCANQA), RunLayout.bytes(scanQa));
        RunLayout.writeFile(dir.resolve(LLAVA3D_QUESTIONS), RunLayout.bytes(llavaQuestions));
        RunLayout.writeFile(dir.resolve(SQA3D_QUESTIONS), RunLayout.bytes(sqaQuestions));
        RunLayout.writeFile(dir.resolve(SQA3D_ANNOTATIONS), RunLayout.bytes(sqaAnnotations));
        for (int s = 0; s < sceneCount; s++) {
            Path file = dir.resolve(SCENES).resolve(QuestionSource.spatialQaSceneId(s) + ".safetensors");
            try {
                java.nio.file.Files.createDirectories(file.getParent());
            } catch (IOException e) {
                throw new java.io.UncheckedIOException(file.getParent() + ": cannot create: " + e.getMessage(), e);
            }
            sceneSet.spatialTokens(s, llava.projector()).save(file);
        }
        return written;
    }
}
