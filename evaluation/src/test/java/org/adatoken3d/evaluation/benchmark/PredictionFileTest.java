package org.adatoken3d.evaluation.benchmark;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import org.adatoken3d.weights.InvalidFileException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class PredictionFileTest {
    @TempDir
    Path dir;

    private static Prediction prediction(QuestionId id, String text) {
        ObjectNode metadata = BenchmarkJson.mapper().createObjectNode().put("policy", "adatoken").put("kept", 412);
        return new Prediction(id, "Where is the \"lamp\"?\n", text, "a-" + id, "llava-3d-7b", metadata);
    }

    @Test
    void writesLlava3dsLineFormatAndReadsItBack() throws IOException {
        List<Prediction> predictions = List.of(prediction(QuestionId.of("val-scene0011-0"), "On the desk."), prediction(QuestionId.of(220602000000L), "ünïcode"));
        Path file = dir.resolve("answers.jsonl");
        PredictionFile.write(file, predictions);
        List<String> lines = Files.readAllLines(file);
        assertEquals("{\"question_id\":\"val-scene0011-0\",\"prompt\":\"Where is the \\\"lamp\\\"?\\n\",\"text\":\"On the desk.\","
                + "\"answer_id\":\"a-val-scene0011-0\",\"model_id\":\"llava-3d-7b\",\"metadata\":{\"policy\":\"adatoken\",\"kept\":412}}", lines.get(0));
        assertEquals(true, lines.get(1).startsWith("{\"question_id\":220602000000,"), lines.get(1));
        assertEquals(predictions, PredictionFile.read(file));
    }

    @Test
    void readsWhatLlava3dWrites() {
        // The line as Python's json.dumps writes it in llava/eval/model_scanqa.py (", " and ": " separators).
        String line = "{\"question_id\": \"0\", \"prompt\": \"What is it?\", \"text\": \"A chair\", \"answer_id\": \"Xy3\", \"model_id\": \"llava-3d-7b\", \"metadata\": {}}\n";
        Prediction p = PredictionFile.parse(Path.of("a.jsonl"), line.getBytes(StandardCharsets.UTF_8)).getFirst();
        assertEquals(QuestionId.of("0"), p.questionId());
        assertEquals("A chair", p.text());
        assertEquals(0, p.metadata().size());
    }

    @Test
    void rewriteReplacesWholeFileAndLeavesNoTemporaryFile() throws IOException {
        Path file = dir.resolve("answers.jsonl");
        PredictionFile.write(file, List.of(prediction(QuestionId.of("1"), "old"), prediction(QuestionId.of("2"), "old")));
        List<Prediction> fresh = List.of(prediction(QuestionId.of("3"), "new"));
        PredictionFile.write(file, fresh);
        assertArrayEquals(PredictionFile.format(fresh), Files.readAllBytes(file));
        try (Stream<Path> files = Files.list(dir)) {
            assertEquals(List.of(file), files.toList());
        }
    }

    @Test
    void failedWriteKeepsTheOldFile() throws IOException {
        Path file = dir.resolve("answers.jsonl");
        List<Prediction> old = List.of(prediction(QuestionId.of("1"), "old"));
        PredictionFile.write(file, old);
        byte[] before = Files.readAllBytes(file);
        // A folder where the target should be makes the rename fail after the temporary file is complete.
        Path blocked = dir.resolve("blocked.jsonl");
        Files.createDirectory(blocked);
        Files.writeString(blocked.resolve("keep"), "x");
        assertThrows(IOException.class, () -> PredictionFile.write(blocked, old));
        assertArrayEquals(before, Files.readAllBytes(file));
        try (Stream<Path> files = Files.list(dir)) {
            assertEquals(2, files.count(), "only the old file and the folder remain");
        }
    }

    @Test
    void errorsNameLineQuestionIdAndField() {
        String data = "{\"question_id\": \"0\", \"prompt\": \"p\", \"text\": \"t\", \"answer_id\": \"a\", \"model_id\": \"m\"}\n\n"
                + "{\"question_id\": \"1\", \"prompt\": \"p\", \"text\": 5, \"answer_id\": \"a\", \"model_id\": \"m\"}\n";
        assertEquals("p.jsonl: line 3 (question_id 1): field \"text\" must be a string, found a number",
                assertThrows(InvalidFileException.class, () -> PredictionFile.parse(Path.of("p.jsonl"), data.getBytes(StandardCharsets.UTF_8))).getMessage());
        String duplicate = "{\"question_id\": 4, \"prompt\": \"p\", \"text\": \"t\", \"answer_id\": \"a\", \"model_id\": \"m\"}\n".repeat(2);
        assertEquals("p.jsonl: line 2 (question_id 4): field \"question_id\" repeats an earlier line's",
                assertThrows(InvalidFileException.class, () -> PredictionFile.parse(Path.of("p.jsonl"), duplicate.getBytes(StandardCharsets.UTF_8))).getMessage());
    }

    @Test
    void llava3dQuestionFileReadsStringAndNumberIds() {
        String json = "[{\"question_id\": \"0\", \"video\": \"scene0011_00\", \"text\": \"What is it?\", \"answers\": [\"x\"]},"
                + " {\"question_id\": 5, \"video\": \"scene0012_00\", \"text\": \"I sit. Is it red?\"}]";
        List<Llava3dQuestion> qs = Llava3dQuestionFile.parse(Path.of("q.json"), json.getBytes(StandardCharsets.UTF_8));
        assertEquals(List.of(new Llava3dQuestion(QuestionId.of("0"), "scene0011_00", "What is it?"),
                new Llava3dQuestion(QuestionId.of(5), "scene0012_00", "I sit. Is it red?")), qs);
        assertEquals("q.json: entry 0 (question_id 0): field \"video\" is empty",
                assertThrows(InvalidFileException.class, () -> Llava3dQuestionFile.parse(Path.of("q.json"),
                        "[{\"question_id\": \"0\", \"video\": \"\", \"text\": \"t\"}]".getBytes(StandardCharsets.UTF_8))).getMessage());
    }
}
