package org.adatoken3d.evaluation.benchmark;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import org.adatoken3d.weights.InvalidFileException;
import org.junit.jupiter.api.Test;

class ScanQaFileTest {
    private static final Path FILE = Path.of("ScanQA_v1.0_val.json");

    private static List<ScanQaQuestion> parse(String json) {
        return ScanQaFile.parse(FILE, json.getBytes(StandardCharsets.UTF_8));
    }

    private static String error(String json) {
        return assertThrows(InvalidFileException.class, () -> parse(json)).getMessage();
    }

    @Test
    void readsEveryFieldOfAValEntry() {
        List<ScanQaQuestion> qs = parse("""
                [{"scene_id": "scene0011_00", "object_id": [2, 3], "object_names": ["chair", "chair"],
                  "question_id": "val-scene0011-0", "question": "What color is the chair in the kitchen?",
                  "answers": ["dark brown", "brown"]}]""");
        assertEquals(List.of(new ScanQaQuestion("scene0011_00", List.of(2, 3), List.of("chair", "chair"),
                QuestionId.of("val-scene0011-0"), "What color is the chair in the kitchen?", List.of("dark brown", "brown"))), qs);
        assertEquals(ScanQaType.COLOR, qs.getFirst().type());
    }

    @Test
    void testSplitHasNoAnswersAndMayHaveNoObjects() {
        ScanQaQuestion q = parse("""
                [{"scene_id": "scene0707_00", "question_id": "test-scene0707-1", "question": "Where is the sink?"}]""").getFirst();
        assertEquals(List.of(), q.answers());
        assertEquals(List.of(), q.objectIds());
    }

    @Test
    void errorsNameFileEntryQuestionIdAndField() {
        assertEquals("ScanQA_v1.0_val.json: entry 1 (question_id b): field \"answers\" must be a list of strings, found a number in it",
                error("""
                        [{"scene_id": "s", "question_id": "a", "question": "q", "answers": []},
                         {"scene_id": "s", "question_id": "b", "question": "q", "answers": ["x", 3]}]"""));
        assertEquals("ScanQA_v1.0_val.json: entry 0 (question_id a): field \"scene_id\" is missing",
                error("[{\"question_id\": \"a\", \"question\": \"q\"}]"));
        assertEquals("ScanQA_v1.0_val.json: entry 0: field \"question_id\" is missing", error("[{\"scene_id\": \"s\"}]"));
        assertEquals("ScanQA_v1.0_val.json: entry 1 (question_id a): field \"question_id\" repeats an earlier entry's",
                error("[{\"scene_id\":\"s\",\"question_id\":\"a\",\"question\":\"q\"},{\"scene_id\":\"s\",\"question_id\":\"a\",\"question\":\"q\"}]"));
        assertEquals("ScanQA_v1.0_val.json: must be a JSON list of ScanQA questions, found an object", error("{}"));
    }

    @Test
    void brokenJsonIsOneLineWithItsPosition() {
        String message = error("[{\"scene_id\": ");
        assertEquals(true, message.startsWith("ScanQA_v1.0_val.json: is not valid JSON: "), message);
        assertEquals(false, message.contains("\n"), message);
    }

    @Test
    void overlongTextIsRefused() {
        String longQuestion = "x".repeat(BenchmarkJson.MAX_TEXT_CHARS + 1);
        assertEquals("ScanQA_v1.0_val.json: entry 0 (question_id a): field \"question\" is longer than " + BenchmarkJson.MAX_TEXT_CHARS + " characters",
                error("[{\"scene_id\":\"s\",\"question_id\":\"a\",\"question\":\"" + longQuestion + "\"}]"));
    }

    @Test
    void questionTypesFollowScanQasScorer() {
        // Cases from the rule order of qclass1 in ATR-DBI/ScanQA scripts/score.py, worked by hand.
        assertEquals(ScanQaType.PLACE, ScanQaType.of("Where is the brown chair?"));
        assertEquals(ScanQaType.PLACE, ScanQaType.of("What is Where?"));
        assertEquals(ScanQaType.NUMBER, ScanQaType.of("How many chairs are there?"));
        assertEquals(ScanQaType.COLOR, ScanQaType.of("What is the color of the sofa?"));
        assertEquals(ScanQaType.OBJECT_NATURE, ScanQaType.of("What type of table is it?"));
        assertEquals(ScanQaType.OBJECT_NATURE, ScanQaType.of("What shape is the rug?"));
        assertEquals(ScanQaType.OBJECT, ScanQaType.of("What is under the desk?"));
        assertEquals(ScanQaType.OTHER, ScanQaType.of("what is under the desk?"));
        assertEquals(ScanQaType.OTHER, ScanQaType.of("Which side is the door on?"));
    }
}
