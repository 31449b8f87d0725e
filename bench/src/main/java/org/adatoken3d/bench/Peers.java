package org.adatoken3d.bench;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * Runs a Python peer in a child process and reads the JSON it prints last on stdout. The peers use Debian's
 * {@code /usr/bin/python3} (with python3-numpy, python3-torch, python3-pil), never a virtual environment's: that
 * is the interpreter whose numpy and torch the README's figures name.
 */
final class Peers {
    static final Path PYTHON = Path.of("/usr/bin/python3");
    /** These pin OpenBLAS to older kernels on some machines (a guard for old builds); a peer gets its best kernel. */
    static final List<String> PINNING = List.of("OPENBLAS_CORETYPE", "OPENBLAS_L2_SIZE");

    private Peers() {}

    /** A PeerException saying what {@code what} needs when there is no {@link #PYTHON}; {@code packages}: Debian's names. */
    static void requirePython(String what, String packages) {
        if (!Files.isExecutable(PYTHON)) {
            throw new PeerException(what + " needs Debian's python3 with " + packages + " (" + PYTHON
                    + " not found; ./run-tests installs them when run as root)");
        }
    }

    /**
     * Runs {@code args} (after the interpreter) with {@code environment} added, stderr passed through; the last line
     * of stdout as JSON. A peer that fails, hangs past {@code timeoutMinutes} or prints no JSON is a PeerException.
     */
    static JsonNode runJson(String what, List<String> args, Map<String, String> environment, long timeoutMinutes) {
        ProcessBuilder pb = new ProcessBuilder(concat(PYTHON.toString(), args));
        PINNING.forEach(pb.environment()::remove);
        pb.environment().putAll(environment);
        pb.redirectError(ProcessBuilder.Redirect.INHERIT);
        try {
            Process p = pb.start();
            byte[] out = p.getInputStream().readAllBytes();
            if (!p.waitFor(timeoutMinutes, TimeUnit.MINUTES)) {
                p.destroyForcibly();
                throw new PeerException(what + " did not finish within " + timeoutMinutes + " minutes");
            }
            if (p.exitValue() != 0) throw new PeerException(what + " failed (exit " + p.exitValue() + "); see its messages above");
            String last = new String(out, StandardCharsets.UTF_8).lines().reduce((a, b) -> b).orElse("");
            JsonNode json;
            try {
                json = new ObjectMapper().readTree(last);
            } catch (IOException e) {
                json = null;
            }
            // An empty last line reads as a missing node, not an error.
            if (json == null || !json.isObject()) throw new PeerException(what + " printed no JSON result (its last line: " + abbreviate(last) + ")");
            return json;
        } catch (IOException e) {
            throw new PeerException(what + " could not start: " + e.getMessage());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new PeerException(what + " was interrupted");
        }
    }

    private static List<String> concat(String first, List<String> rest) {
        List<String> all = new ArrayList<>();
        all.add(first);
        all.addAll(rest);
        return all;
    }

    private static String abbreviate(String s) {
        return s.length() > 120 ? s.substring(0, 120) + "..." : s;
    }
}
