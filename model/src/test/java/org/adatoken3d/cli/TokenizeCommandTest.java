package org.adatoken3d.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.stream.Collectors;
import org.adatoken3d.model.tokenizer.PeerVectors;
import org.junit.jupiter.api.Test;

/** The {@code tokenize} command run in-process, as {@code ./adatoken3d tokenize ...} runs it. */
class TokenizeCommandTest {
    record Run(int exitCode, String out, String err) {
        String lastLine() {
            List<String> lines = out.lines().toList();
            return lines.isEmpty() ? "" : lines.getLast();
        }
    }

    static Run run(String... args) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        int code = Main.commandLine().setOut(new PrintWriter(out)).setErr(new PrintWriter(err)).execute(args);
        return new Run(code, out.toString(), err.toString());
    }

    static Path shared(String path) {
        return Path.of(System.getProperty("adatoken3d.shared", "../shared")).resolve(path);
    }

    @Test
    void reproducesEveryLlamaCppPeerVectorEndToEnd() throws Exception {
        PeerVectors peers = PeerVectors.load();
        String model = shared("data/llama2-tokenizer").toString();
        StringBuilder failures = new StringBuilder();
        for (int i = 0; i < peers.texts().size(); i++) {
            Run r = run("tokenize", "--model", model, "--text=" + peers.texts().get(i), "--no-bos");
            String expected = Arrays.stream(peers.ids().get(i)).mapToObj(Integer::toString).collect(Collectors.joining(","));
            if (r.exitCode() != 0 || !r.lastLine().equals(expected)) {
                failures.append("case ").append(i).append(": exit ").append(r.exitCode()).append(", last line \"")
                        .append(r.lastLine()).append("\", expected \"").append(expected).append("\"\n");
            }
        }
        assertEquals("", failures.toString());
        assertEquals(46, peers.texts().size());
    }

    @Test
    void bosComesFirstUnlessNoBosAndPiecesGoToStderr() {
        Run r = run("tokenize", "--model", shared("data/llama2-tokenizer").toString(), "--text", "Hello world");
        assertEquals(0, r.exitCode());
        assertEquals("1,15043,3186\n", r.out());
        assertEquals("3 tokens: 1=\"<s>\" 15043=\"\u2581Hello\" 3186=\"\u2581world\"\n", r.err());
    }

    @Test
    void explicitTokenizerFileOfTheStoriesModel() {
        Run r = run("tokenize", "--tokenizer", shared("data/stories260K/tokenizer.bin").toString(), "--text", "Once upon a time");
        assertEquals(0, r.exitCode());
        assertTrue(r.lastLine().startsWith("1,"), r.out());
        // The BOS piece of llama2.c's export is "\n<s>\n": escaped so the piece list stays on one line.
        assertTrue(r.err().startsWith("5 tokens: 1=\"\\n<s>\\n\" "), r.err());
    }

    @Test
    void badInputIsOneLineOnStderrAndExitCode2() {
        Run missing = run("tokenize", "--model", "/nonexistent/model", "--text", "x");
        assertEquals(2, missing.exitCode());
        assertEquals("error: /nonexistent/model: not a model folder (no such directory)\n", missing.err());
        Run both = run("tokenize", "--model", "a", "--tokenizer", "b", "--text", "x");
        assertEquals(2, both.exitCode());
        assertTrue(both.err().contains("mutually exclusive"), both.err());
    }
}
