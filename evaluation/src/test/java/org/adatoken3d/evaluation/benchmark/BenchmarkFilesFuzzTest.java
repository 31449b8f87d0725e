package org.adatoken3d.evaluation.benchmark;

import com.code_intelligence.jazzer.api.FuzzedDataProvider;
import com.code_intelligence.jazzer.junit.FuzzTest;
import java.nio.file.Path;
import java.util.List;
import org.adatoken3d.weights.InvalidFileException;

/**
 * Every benchmark reader on arbitrary bytes: each either returns well-formed entries or throws
 * {@link InvalidFileException} whose message starts with the file's name; any other exception is a finding.
 * Under {@code mvn test} these replay the seeds in {@code BenchmarkFilesFuzzTestInputs/<method>/};
 * {@code scripts/fuzz BenchmarkFilesFuzzTest} fuzzes them for a bounded time.
 */
class BenchmarkFilesFuzzTest {
    private static final Path FILE = Path.of("fuzz.json");
    private static final Path OTHER = Path.of("fuzz-annotations.json");

    @FuzzTest(maxDuration = "60s")
    void scanQaReaderFailsOnlyWithInvalidFileException(byte[] data) {
        try {
            for (ScanQaQuestion q : ScanQaFile.parse(FILE, data)) {
                if (q.sceneId().isEmpty() || q.question() == null || q.type() == null) throw new AssertionError("malformed " + q);
            }
        } catch (InvalidFileException expected) {
            named(expected, FILE);
        }
    }

    @FuzzTest(maxDuration = "60s")
    void sqa3dReaderFailsOnlyWithInvalidFileException(FuzzedDataProvider data) {
        byte[] questions = data.consumeBytes(data.remainingBytes() / 2);
        byte[] annotations = data.consumeRemainingAsBytes();
        try {
            for (Sqa3dQuestion q : Sqa3dFiles.parse(FILE, questions, OTHER, annotations)) {
                if (q.answers().isEmpty() || !q.prompt().endsWith(q.question()) || q.type() == null) throw new AssertionError("malformed " + q);
            }
        } catch (InvalidFileException expected) {
            if (!expected.getMessage().startsWith(FILE + ": ") && !expected.getMessage().startsWith(OTHER + ": ")) {
                throw new AssertionError("unnamed file", expected);
            }
        }
    }

    @FuzzTest(maxDuration = "60s")
    void llava3dQuestionReaderFailsOnlyWithInvalidFileException(byte[] data) {
        try {
            for (Llava3dQuestion q : Llava3dQuestionFile.parse(FILE, data)) {
                if (q.video().isEmpty() || q.text() == null) throw new AssertionError("malformed " + q);
            }
        } catch (InvalidFileException expected) {
            named(expected, FILE);
        }
    }

    /** What parses must also survive a write and a read back unchanged. */
    @FuzzTest(maxDuration = "60s")
    void predictionReaderFailsOnlyWithInvalidFileException(byte[] data) {
        List<Prediction> read;
        try {
            read = PredictionFile.parse(FILE, data);
        } catch (InvalidFileException expected) {
            named(expected, FILE);
            return;
        }
        List<Prediction> again = PredictionFile.parse(FILE, PredictionFile.format(read));
        if (!again.equals(read)) throw new AssertionError("a written prediction file reads back differently");
    }

    private static void named(InvalidFileException e, Path file) {
        if (!e.getMessage().startsWith(file + ": ")) throw new AssertionError("unnamed file", e);
    }
}
