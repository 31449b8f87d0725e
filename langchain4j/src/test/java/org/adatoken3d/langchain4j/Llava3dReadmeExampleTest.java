package org.adatoken3d.langchain4j;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.adatoken3d.evaluation.qa.QaQuestion;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The README's langchain4j example is {@link ReadmeExample}'s code, and it answers held-out question 0 in room 0. */
class Llava3dReadmeExampleTest {
    static final Path ROOT = Path.of(System.getProperty("adatoken3d.root", ".."));

    @Test
    void theReadmeHoldsTheExampleAsItIsCompiled() throws IOException {
        String source = Files.readString(ROOT.resolve("langchain4j/src/test/java/org/adatoken3d/langchain4j/ReadmeExample.java"));
        String body = source.substring(source.indexOf("// README:begin\n") + "// README:begin\n".length(), source.indexOf("        // README:end"));
        String unindented = String.join("\n", body.lines().map(l -> l.length() >= 8 ? l.substring(8) : l.strip()).toList());
        assertTrue(Files.readString(ROOT.resolve("README.md")).contains(unindented), "README.md lacks the example:\n" + unindented);
    }

    @Test
    void theExampleAnswersHeldOutQuestionZero(@TempDir Path tmp) throws IOException {
        QaQuestion q = SpatialQa.HELDOUT.questions().getFirst();
        assertEquals("Is the red cylinder bigger than the black ball?", q.question());
        Path room = tmp.resolve("room.safetensors");
        try (var llava = SpatialQa.open()) {
            SpatialQa.scene(llava, q.scene()).save(room);
        }
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        ReadmeExample.ask(SpatialQa.DIR.resolve("model"), room, new PrintStream(bytes, true, StandardCharsets.UTF_8));
        List<String> lines = bytes.toString(StandardCharsets.UTF_8).lines().toList();
        System.err.println("README example printed:\n" + String.join("\n", lines));
        assertEquals(2, lines.size(), lines.toString());
        assertTrue(q.isAnsweredBy(lines.get(0).substring(0, lines.get(0).indexOf(':'))), lines.get(0));
        assertTrue(lines.get(0).contains(" of " + SpatialQa.SCENES.tokens(q.scene()) + " spatial tokens"), lines.get(0));
        assertTrue(lines.get(1).endsWith(" [STOP]"), lines.get(1));
        assertTrue(q.isAnsweredBy(lines.get(1).substring(0, lines.get(1).length() - " [STOP]".length())), lines.get(1));
    }
}
