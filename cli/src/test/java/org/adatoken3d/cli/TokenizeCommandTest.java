package org.adatoken3d.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.Arrays;
import java.util.stream.Collectors;
import org.adatoken3d.model.tokenizer.PeerVectors;
import org.junit.jupiter.api.Test;

/** The {@code tokenize} command run in-process, as {@code ./adatoken3d tokenize ...} runs it. */
class TokenizeCommandTest {


    static Path shared(String path) {
        return Path.of(System.getProperty("adatoken3d.shared", "../shared")).resolve(path);
    }

    @Test
    void reproducesEveryLlamaCppPeerVectorEndToEnd() throws Exception {
        PeerVectors peers = PeerVectors.load();
        String model = shared("data/llama2-tokenizer").toString();
        StringBuilder failures = new StringBuilder();
        for (int i = 0; i < peers.texts().size(); i++) {
            CliRun r = CliRun.of("tokenize", "--model", model, "--text=" + peers.texts().get(i), "--no-bos");
            String expected = Arrays.stream(peers.ids().get(i)).mapToObj(Integer::toString).collect(Collectors.joining(","));
            if (r.exit() != 0 || !r.lastLine().equals(expected)) {
                failures.append("case ").append(i).append(": exit ").append(r.exit()).append(", last line \"")
                        .append(r.lastLine()).append("\", expected \"").append(expected).append("\"\n");
            }
        }
        assertEquals("", failures.toString());
        assertEquals(46, peers.texts().size());
    }

    @Test
    void bosComesFirstUnlessNoBosAndPiecesGoToStderr() {
        CliRun r = CliRun.of("tokenize", "--model", shared("data/llama2-tokenizer").toString(), "--text", "Hello world");
        assertEquals(0, r.exit());
        assertEquals("1,15043,3186\n", r.out());
        assertEquals("3 tokens: 1=\"<s>\" 15043=\"\u2581Hello\" 3186=\"\u2581world\"\n", r.err());
    }

    @Test
    void explicitTokenizerFileOfTheStoriesModel() {
        CliRun r = CliRun.of("tokenize", "--tokenizer", shared("data/stories260K/tokenizer.bin").toString(), "--text", "Once upon a time");
        assertEquals(0, r.exit());
        assertTrue(r.lastLine().startsWith("1,"), r.out());
        // The BOS piece of llama2.c's export is "\n<s>\n": escaped so the piece list stays on one line.
        assertTrue(r.err().startsWith("5 tokens: 1=\"\\n<s>\\n\" "), r.err());
    }

    @Test
    void badInputIsOneLineOnStderrAndExitCode2() {
        CliRun missing = CliRun.of("tokenize", "--model", "/nonexistent/model", "--text", "x");
        assertEquals(2, missing.exit());
        assertEquals("error: --model /nonexistent/model: no such folder\n", missing.err());
        CliRun both = CliRun.of("tokenize", "--model", "a", "--tokenizer", "b", "--text", "x");
        assertEquals(2, both.exit());
        assertTrue(both.stderr().contains("mutually exclusive"), both.stderr());
    }
}
