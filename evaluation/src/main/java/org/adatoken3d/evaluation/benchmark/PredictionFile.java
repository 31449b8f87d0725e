package org.adatoken3d.evaluation.benchmark;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.adatoken3d.weights.AtomicFiles;
import org.adatoken3d.weights.InvalidFileException;

/**
 * LLaVA-3D's prediction file: one JSON object per line, {@code {question_id, prompt, text, answer_id, model_id,
 * metadata}}. The writer never leaves a half-written file: it writes a temporary file in the same folder,
 * forces it to disk and renames it over the target in one step, so a reader sees the old file or the whole new
 * one.
 */
public final class PredictionFile {
    /** Longest line read; a line holds a prompt and a generated text, each bounded. */
    static final int MAX_LINE_CHARS = 1 << 20;

    private PredictionFile() {}

    public static List<Prediction> read(Path file) {
        return parse(file, BenchmarkJson.readFile(file));
    }

    /** {@code name} only labels errors; {@code data} is the file's content. Blank lines are skipped. */
    public static List<Prediction> parse(Path name, byte[] data) {
        String content = new String(data, StandardCharsets.UTF_8);
        List<Prediction> out = new ArrayList<>();
        Set<String> seen = new HashSet<>();
        int lineNumber = 0;
        for (int start = 0; start < content.length(); ) {
            int end = content.indexOf('\n', start);
            if (end < 0) end = content.length();
            String line = content.substring(start, end);
            start = end + 1;
            lineNumber++;
            if (line.isBlank()) continue;
            String where = "line " + lineNumber;
            if (line.length() > MAX_LINE_CHARS) throw new InvalidFileException(name, where + ": is longer than " + MAX_LINE_CHARS + " characters");
            BenchmarkJson.checkEntryCount(name, out.size() + 1L);
            JsonNode node;
            try {
                node = BenchmarkJson.mapper().readTree(line);
            } catch (JsonProcessingException e) {
                throw new InvalidFileException(name, where + ": is not valid JSON: " + BenchmarkJson.oneLine(e), e);
            }
            if (node == null || node.isMissingNode()) throw new InvalidFileException(name, where + ": is not valid JSON");
            EntryReader e = new EntryReader(name, node, where);
            QuestionId id = e.questionId();
            if (!seen.add(id.value())) throw e.failField("question_id", "repeats an earlier line's");
            String prompt = e.text("prompt");
            String text = e.text("text");
            String answerId = e.id("answer_id");
            String modelId = e.id("model_id");
            JsonNode metadata = e.object("metadata");
            out.add(new Prediction(id, prompt, text, answerId, modelId, (ObjectNode) metadata));
        }
        return List.copyOf(out);
    }

    /** The file's bytes for these predictions, one line each in the given order. */
    public static byte[] format(List<Prediction> predictions) {
        StringBuilder sb = new StringBuilder();
        for (Prediction p : predictions) {
            ObjectNode line = BenchmarkJson.mapper().createObjectNode();
            if (p.questionId().numeric()) line.put("question_id", Long.parseLong(p.questionId().value()));
            else line.put("question_id", p.questionId().value());
            line.put("prompt", p.prompt());
            line.put("text", p.text());
            line.put("answer_id", p.answerId());
            line.put("model_id", p.modelId());
            line.set("metadata", p.metadata());
            try {
                sb.append(BenchmarkJson.mapper().writeValueAsString(line)).append('\n');
            } catch (JsonProcessingException e) {
                throw new IllegalStateException("cannot serialise a prediction: " + e.getOriginalMessage(), e);
            }
        }
        return sb.toString().getBytes(StandardCharsets.UTF_8);
    }

    /** Replaces {@code file} with these predictions, atomically (see the class comment). */
    public static void write(Path file, List<Prediction> predictions) throws IOException {
        byte[] bytes = format(predictions);
        Files.createDirectories(file.toAbsolutePath().getParent());
        AtomicFiles.write(file, bytes);
    }
}
