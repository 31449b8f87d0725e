package org.adatoken3d.evaluation.qa;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.adatoken3d.weights.DType;
import org.adatoken3d.weights.InvalidFileException;
import org.adatoken3d.weights.SafetensorsWriter;
import org.adatoken3d.weights.TensorSource;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The spatial-QA split files: scenes cut by offsets, questions with their scene file, and clear errors. */
class QaFilesTest {
    @TempDir Path tmp;

    private Path scenes(long[] offsets, int tokens, int width) throws Exception {
        float[] features = new float[tokens * width];
        for (int i = 0; i < features.length; i++) features[i] = i;
        float[] xyz = new float[tokens * 3];
        for (int i = 0; i < xyz.length; i++) xyz[i] = -i;
        int[] owner = new int[tokens];
        for (int i = 0; i < tokens; i++) owner[i] = i % 3 - 1;
        Path file = tmp.resolve("s.safetensors");
        SafetensorsWriter.write(file, Map.of(), List.of(
                TensorSource.ofFloats("features", DType.F32, new long[] {tokens, width}, features),
                TensorSource.ofFloats("xyz", DType.F16, new long[] {tokens, 3}, xyz),
                TensorSource.ofInts("owner", new long[] {tokens}, owner),
                TensorSource.ofLongs("offsets", new long[] {offsets.length}, offsets)));
        return file;
    }

    @Test
    void scenesAreTheRowsBetweenConsecutiveOffsets() throws Exception {
        SceneSet set = SceneSet.read(scenes(new long[] {0, 2, 5}, 5, 2));
        assertEquals(2, set.size());
        assertEquals(2, set.featureWidth());
        assertEquals(3, set.tokens(1));
        assertArrayEquals(new float[] {4, 5, 6, 7, 8, 9}, set.features(1));
        assertArrayEquals(new float[] {-6, -7, -8, -9, -10, -11, -12, -13, -14}, set.xyz(1));
        assertArrayEquals(new int[] {1, -1, 0}, set.owner(1));
        InvalidFileException e = assertThrows(InvalidFileException.class, () -> set.tokens(2));
        assertTrue(e.getMessage().contains("has 2 scenes; scene 2 does not exist"), e.getMessage());
    }

    @Test
    void offsetsThatDoNotCoverTheTokensAreRejected() throws Exception {
        Path shortEnd = scenes(new long[] {0, 2, 4}, 5, 2);
        assertTrue(assertThrows(InvalidFileException.class, () -> SceneSet.read(shortEnd)).getMessage()
                .contains("offsets end at 4, but the file holds 5 tokens"));
        Path empty = scenes(new long[] {0, 2, 2, 5}, 5, 2);
        assertTrue(assertThrows(InvalidFileException.class, () -> SceneSet.read(empty)).getMessage()
                .contains("offsets must increase"));
    }

    @Test
    void questionsNameTheirSceneFileRelativeToThemselves() throws Exception {
        Path file = tmp.resolve("sub/q.json");
        Files.createDirectories(file.getParent());
        Files.writeString(file, """
                {"format": "adatoken3d-spatialqa/1", "scenes_file": "s.safetensors", "questions": [
                 {"scene": 1, "type": "colour", "question": "What colour is the cube?", "answer": "red"},
                 {"scene": 0, "type": "exists", "question": "Is there a blue ball?", "answer": "no"}]}""");
        QuestionSet set = QuestionSet.read(file);
        assertEquals(tmp.resolve("sub/s.safetensors").toAbsolutePath().normalize(), set.scenesFile());
        assertEquals(List.of("colour", "exists"), List.copyOf(set.types()));
        assertEquals(new QaQuestion(1, "colour", "What colour is the cube?", "red"), set.questions().getFirst());
        assertEquals(1, set.first(1).questions().size());
        assertTrue(set.questions().getFirst().isAnsweredBy(" Red. "));
        assertTrue(!set.questions().getFirst().isAnsweredBy("red cube"));
    }

    @Test
    void malformedQuestionsAreOneClearError() {
        Path f = Path.of("q.json");
        String head = "{\"format\": \"adatoken3d-spatialqa/1\", \"scenes_file\": \"s.safetensors\", \"questions\": ";
        assertTrue(parseError(f, "[1, 2]").contains("expected a JSON object"));
        assertTrue(parseError(f, "{").contains("not valid JSON"));
        assertTrue(parseError(f, head + "[]}").contains("questions must be a non-empty array"));
        assertTrue(parseError(f, head + "[{\"scene\": -1, \"type\": \"a\", \"question\": \"b\", \"answer\": \"c\"}]}")
                .contains("question 0: scene must be an index >= 0"));
        assertTrue(parseError(f, head + "[{\"scene\": 0, \"type\": \"a\", \"question\": \"b\"}]}")
                .contains("question 0: answer must be a non-empty string"));
        assertTrue(parseError(f, "{\"format\": \"adatoken3d-spatialqa/1\", \"scenes_file\": \"/abs\", \"questions\": []}")
                .contains("scenes_file is the absolute path \"/abs\""));
    }

    @Test
    void aSceneFileOutsideTheQuestionFilesFolderIsRefused() throws Exception {
        Path dir = Files.createDirectories(tmp.resolve("split"));
        Path outside = Files.writeString(tmp.resolve("secret.safetensors"), "not for the reader");
        Files.createSymbolicLink(dir.resolve("link.safetensors"), outside);
        String body = ", \"questions\": [{\"scene\": 0, \"type\": \"a\", \"question\": \"b\", \"answer\": \"c\"}]}";
        for (String[] c : new String[][] {{"../../../etc/passwd", "lies outside"}, {"/etc/passwd", "is the absolute path"},
                {"sub/../../secret.safetensors", "lies outside"}, {"link.safetensors", "symbolic link"}}) {
            Path q = dir.resolve("q.json");
            Files.writeString(q, "{\"format\": \"adatoken3d-spatialqa/1\", \"scenes_file\": \"" + c[0] + "\"" + body);
            InvalidFileException e = assertThrows(InvalidFileException.class, () -> QuestionSet.read(q), c[0]);
            assertTrue(e.getMessage().startsWith(q + ": scenes_file ") && e.getMessage().contains(c[1]), e.getMessage());
        }
    }

    private static String parseError(Path f, String json) {
        InvalidFileException e = assertThrows(InvalidFileException.class,
                () -> QuestionSet.parse(f, json.getBytes(java.nio.charset.StandardCharsets.UTF_8)));
        assertTrue(e.getMessage().startsWith("q.json: "), e.getMessage());
        return e.getMessage();
    }
}
