package org.adatoken3d.evaluation.benchmark;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import org.adatoken3d.weights.InvalidFileException;
import org.junit.jupiter.api.Test;

class Sqa3dFilesTest {
    private static final Path QUESTIONS = Path.of("v1_balanced_questions_test_scannetv2.json");
    private static final Path ANNOTATIONS = Path.of("v1_balanced_sqa_annotations_test_scannetv2.json");

    private static final String QUESTION_FILE = """
            {"info": {}, "questions": [
              {"alternative_situation": ["I stand looking out of the window."], "question": "What color is the desk to my right?",
               "question_id": 220602000000, "scene_id": "scene0380_00",
               "situation": "I am facing a window and there is a desk on my right."},
              {"alternative_situation": [], "question": "  is the door open?", "question_id": 220602000001,
               "scene_id": "scene0380_00", "situation": "I am sitting on the bed."}]}""";
    private static final String ANNOTATION_FILE = """
            {"annotations": [
              {"answer_type": "other", "answers": [{"answer": "yes", "answer_confidence": "yes", "answer_id": 1}],
               "position": {"x": 0, "y": 0, "z": 0}, "question_id": 220602000001, "question_type": "N/A", "scene_id": "scene0380_00"},
              {"answer_type": "other", "answers": [{"answer": "brown", "answer_confidence": "yes", "answer_id": 1}],
               "question_id": 220602000000, "question_type": "N/A", "scene_id": "scene0380_00"}]}""";

    private static List<Sqa3dQuestion> parse(String questions, String annotations) {
        return Sqa3dFiles.parse(QUESTIONS, questions.getBytes(StandardCharsets.UTF_8), ANNOTATIONS, annotations.getBytes(StandardCharsets.UTF_8));
    }

    @Test
    void joinsByQuestionIdInQuestionOrder() {
        List<Sqa3dQuestion> qs = parse(QUESTION_FILE, ANNOTATION_FILE);
        assertEquals(2, qs.size());
        Sqa3dQuestion first = qs.getFirst();
        assertEquals(QuestionId.of(220602000000L), first.questionId());
        assertEquals(List.of("brown"), first.answers());
        assertEquals("I am facing a window and there is a desk on my right. What color is the desk to my right?", first.prompt());
        assertEquals(Sqa3dType.WHAT, first.type());
        assertEquals(List.of("yes"), qs.get(1).answers());
        assertEquals(Sqa3dType.IS, qs.get(1).type());
    }

    @Test
    void questionTypesFollowLeosPrefixRule() {
        // Worked by hand from get_sqa_question_type (embodied-generalist data/data_utils.py).
        assertEquals(0, Sqa3dType.of("What is on my left?").code());
        assertEquals(1, Sqa3dType.of("Isn't the lamp on?").code());
        assertEquals(2, Sqa3dType.of("HOW many chairs?").code());
        assertEquals(3, Sqa3dType.of("\tCan I sit down?").code());
        assertEquals(4, Sqa3dType.of("Which way is the door?").code());
        assertEquals(5, Sqa3dType.of("Where is the door?").code());
        assertEquals(5, Sqa3dType.of("").code());
    }

    @Test
    void questionWithoutAnnotationIsNamed() {
        String annotations = "{\"annotations\": [{\"question_id\": 220602000000, \"scene_id\": \"scene0380_00\", \"answers\": [{\"answer\": \"a\"}]}]}";
        assertEquals(QUESTIONS + ": entry 1 (question_id 220602000001): has no annotation in " + ANNOTATIONS,
                assertThrows(InvalidFileException.class, () -> parse(QUESTION_FILE, annotations)).getMessage());
    }

    @Test
    void annotationWithoutQuestionIsNamed() {
        String annotations = ANNOTATION_FILE.replace("]}", ", {\"question_id\": 7, \"scene_id\": \"s\", \"answers\": [{\"answer\": \"a\"}]}]}");
        assertEquals(ANNOTATIONS + ": entry 2 (question_id 7): has no question in " + QUESTIONS + " (1 annotations have none)",
                assertThrows(InvalidFileException.class, () -> parse(QUESTION_FILE, annotations)).getMessage());
    }

    @Test
    void sceneMismatchAndBadAnswersAreNamed() {
        String otherScene = ANNOTATION_FILE.replace("\"question_id\": 220602000000, \"question_type\": \"N/A\", \"scene_id\": \"scene0380_00\"",
                "\"question_id\": 220602000000, \"scene_id\": \"scene0001_00\"");
        assertEquals(QUESTIONS + ": entry 0 (question_id 220602000000): field \"scene_id\" is scene0380_00 but its annotation (entry 1 of "
                + ANNOTATIONS + ") says scene0001_00", assertThrows(InvalidFileException.class, () -> parse(QUESTION_FILE, otherScene)).getMessage());
        String badAnswer = "{\"annotations\": [{\"question_id\": 1, \"scene_id\": \"s\", \"answers\": [\"brown\"]}]}";
        assertEquals(ANNOTATIONS + ": entry 0 (question_id 1): field \"answers\" item 0 must be an object with a string \"answer\"",
                assertThrows(InvalidFileException.class, () -> parse(QUESTION_FILE, badAnswer)).getMessage());
        assertEquals(QUESTIONS + ": has no \"questions\" list",
                assertThrows(InvalidFileException.class, () -> parse("{}", ANNOTATION_FILE)).getMessage());
    }
}
