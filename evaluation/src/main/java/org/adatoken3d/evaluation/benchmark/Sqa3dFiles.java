package org.adatoken3d.evaluation.benchmark;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.adatoken3d.weights.InvalidFileException;

/**
 * Reads SQA3D's pair {@code v1_balanced_questions_{split}_scannetv2.json} ({@code {"questions": [...]}}) and
 * {@code v1_balanced_sqa_annotations_{split}_scannetv2.json} ({@code {"annotations": [...]}}) and joins them by
 * question_id, as SQA3D's own README says to. Each question needs exactly one annotation of the same scene and
 * each annotation a question; the result keeps the question file's order.
 */
public final class Sqa3dFiles {
    private Sqa3dFiles() {}

    public static List<Sqa3dQuestion> read(Path questions, Path annotations) {
        return parse(questions, BenchmarkJson.readFile(questions), annotations, BenchmarkJson.readFile(annotations));
    }

    /** The two paths only label errors; the byte arrays are the files' contents. */
    public static List<Sqa3dQuestion> parse(Path questionsName, byte[] questionsData, Path annotationsName, byte[] annotationsData) {
        Map<String, Annotation> byId = annotations(annotationsName, annotationsData);
        JsonNode list = BenchmarkJson.wrappedArray(questionsName, BenchmarkJson.parse(questionsName, questionsData), "questions");
        List<Sqa3dQuestion> out = new ArrayList<>(list.size());
        Map<String, Integer> seen = new HashMap<>();
        for (int i = 0; i < list.size(); i++) {
            EntryReader e = new EntryReader(questionsName, list.get(i), i);
            QuestionId id = e.questionId();
            if (seen.put(id.value(), i) != null) throw e.failField("question_id", "repeats an earlier question's");
            String scene = e.id("scene_id");
            String situation = e.text("situation");
            List<String> alternatives = e.has("alternative_situation") ? e.texts("alternative_situation") : List.of();
            String question = e.text("question");
            Annotation a = byId.remove(id.value());
            if (a == null) throw e.fail("has no annotation in " + annotationsName);
            if (!a.sceneId.equals(scene)) {
                throw e.failField("scene_id", "is " + scene + " but its annotation (entry " + a.index + " of " + annotationsName + ") says " + a.sceneId);
            }
            out.add(new Sqa3dQuestion(scene, id, situation, alternatives, question, a.answers));
        }
        if (!byId.isEmpty()) {
            Annotation orphan = byId.values().iterator().next();
            throw new InvalidFileException(annotationsName, "entry " + orphan.index + " (question_id " + orphan.questionId
                    + "): has no question in " + questionsName + " (" + byId.size() + " annotations have none)");
        }
        return List.copyOf(out);
    }

    private record Annotation(int index, String questionId, String sceneId, List<String> answers) {}

    private static Map<String, Annotation> annotations(Path name, byte[] data) {
        JsonNode list = BenchmarkJson.wrappedArray(name, BenchmarkJson.parse(name, data), "annotations");
        Map<String, Annotation> byId = new LinkedHashMap<>();
        for (int i = 0; i < list.size(); i++) {
            EntryReader e = new EntryReader(name, list.get(i), i);
            QuestionId id = e.questionId();
            String scene = e.id("scene_id");
            JsonNode answers = e.raw("answers");
            if (answers == null || answers.isNull()) throw e.failField("answers", "is missing");
            if (!answers.isArray()) throw e.failField("answers", "must be a list of {\"answer\": ...} objects, found " + BenchmarkJson.kind(answers));
            if (answers.isEmpty()) throw e.failField("answers", "is empty");
            if (answers.size() > BenchmarkJson.MAX_LIST_ITEMS) throw e.failField("answers", "has more than " + BenchmarkJson.MAX_LIST_ITEMS + " items");
            List<String> texts = new ArrayList<>(answers.size());
            for (int k = 0; k < answers.size(); k++) {
                JsonNode answer = answers.get(k);
                JsonNode text = answer.isObject() ? answer.get("answer") : null;
                if (text == null || !text.isTextual()) throw e.failField("answers", "item " + k + " must be an object with a string \"answer\"");
                if (text.textValue().length() > BenchmarkJson.MAX_TEXT_CHARS) throw e.failField("answers", "item " + k + " is longer than " + BenchmarkJson.MAX_TEXT_CHARS + " characters");
                texts.add(text.textValue());
            }
            if (byId.put(id.value(), new Annotation(i, id.value(), scene, List.copyOf(texts))) != null) {
                throw e.failField("question_id", "repeats an earlier annotation's");
            }
        }
        return byId;
    }
}
