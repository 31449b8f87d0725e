package org.adatoken3d.evaluation.benchmark;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * Reads LLaVA-3D's question file: a JSON list of {@code {question_id, video, text}}. Other fields the converters
 * add ({@code scene_id}, {@code answers}, {@code type}) are allowed and ignored.
 */
public final class Llava3dQuestionFile {
    private Llava3dQuestionFile() {}

    public static List<Llava3dQuestion> read(Path file) {
        return parse(file, BenchmarkJson.readFile(file));
    }

    /** {@code name} only labels errors; {@code data} is the file's content. */
    public static List<Llava3dQuestion> parse(Path name, byte[] data) {
        JsonNode list = BenchmarkJson.topLevelArray(name, BenchmarkJson.parse(name, data), "LLaVA-3D questions");
        List<Llava3dQuestion> out = new ArrayList<>(list.size());
        Set<String> seen = new HashSet<>();
        for (int i = 0; i < list.size(); i++) {
            EntryReader e = new EntryReader(name, list.get(i), i);
            QuestionId id = e.questionId();
            if (!seen.add(id.value())) throw e.failField("question_id", "repeats an earlier entry's");
            out.add(new Llava3dQuestion(id, e.id("video"), e.text("text")));
        }
        return List.copyOf(out);
    }
}
