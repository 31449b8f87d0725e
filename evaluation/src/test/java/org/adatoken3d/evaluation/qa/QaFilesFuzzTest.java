package org.adatoken3d.evaluation.qa;

import com.code_intelligence.jazzer.junit.FuzzTest;
import java.lang.foreign.MemorySegment;
import java.nio.file.Path;
import org.adatoken3d.weights.InvalidFileException;
import org.adatoken3d.weights.SafetensorsFile;

/**
 * The spatial-QA file parsers on arbitrary bytes: a question file and a scene file. Each either yields a
 * well-formed value or throws {@link InvalidFileException}; any other exception is a finding. Under {@code mvn test}
 * these run in Jazzer's regression mode on the seeds in {@code QaFilesFuzzTestInputs/<method>/}; set
 * {@code JAZZER_FUZZ=1} to fuzz.
 */
class QaFilesFuzzTest {
    private static final Path FILE = Path.of("fuzz");

    @FuzzTest(maxDuration = "60s")
    void questionFile(byte[] data) {
        try {
            QuestionSet set = QuestionSet.parse(FILE, data);
            set.types();
            for (QaQuestion q : set.questions()) q.isAnsweredBy(q.answer());
        } catch (InvalidFileException expected) {
            // A clear error is the right answer to a bad file.
        }
    }

    @FuzzTest(maxDuration = "60s")
    void sceneFile(byte[] data) {
        try (SafetensorsFile file = SafetensorsFile.fromSegment(FILE, MemorySegment.ofArray(data))) {
            SceneSet set = SceneSet.from(file);
            for (int i = 0; i < set.size(); i++) {
                if (set.features(i).length != set.tokens(i) * set.featureWidth() || set.owner(i).length != set.tokens(i)) {
                    throw new AssertionError("scene " + i + " is cut inconsistently");
                }
            }
        } catch (InvalidFileException expected) {
            // A clear error is the right answer to a bad file.
        }
    }
}
