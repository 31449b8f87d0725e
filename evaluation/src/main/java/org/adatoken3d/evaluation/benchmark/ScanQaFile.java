package org.adatoken3d.evaluation.benchmark;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/** Reads ScanQA's {@code ScanQA_v1.0_{train,val,test_w_obj,test_wo_obj}.json}: a list of questions. */
public final class ScanQaFile {
    private ScanQaFile() {}

    public static List<ScanQaQuestion> read(Path file) {
        return parse(file, BenchmarkJson.readFile(file));
    }

    /** {@code name} only labels errors; {@code data} is the file's content. */
    public static List<ScanQaQuestion> parse(Path name, byte[] data) {
        JsonNode list = BenchmarkJson.topLevelArray(name, BenchmarkJson.parse(name, data), "ScanQA questions");
        List<ScanQaQuestion> out = new ArrayList<>(list.size());
        Set<String> seen = new HashSet<>();
        for (int i = 0; i < list.size(); i++) {
            EntryReader e = new EntryReader(name, list.get(i), i);
            QuestionId id = e.questionId();
            if (!seen.add(id.value())) throw e.failField("question_id", "repeats an earlier entry's");
            String scene = e.id("scene_id");
            String question = e.text("question");
            List<Integer> objectIds = e.has("object_id") ? e.ints("object_id") : List.of();
            List<String> objectNames = e.has("object_names") ? e.texts("object_names") : List.of();
            List<String> answers = e.has("answers") ? e.texts("answers") : List.of();
            out.add(new ScanQaQuestion(scene, objectIds, objectNames, id, question, answers));
        }
        return List.copyOf(out);
    }
}
