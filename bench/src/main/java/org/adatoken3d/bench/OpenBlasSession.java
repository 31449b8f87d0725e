package org.adatoken3d.bench;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStreamWriter;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * {@code openblas_bench.py --serve} kept running, so that one OpenBLAS sgemm can be timed between two of the
 * engine's GEMMs: on a shared machine whose speed drifts within minutes, only runs in the same rounds give a ratio
 * that means something. Each answer comes after the peer has slept 0.3 s, so OpenBLAS's spinning threads have left
 * the cores before the engine's next run.
 */
public final class OpenBlasSession implements AutoCloseable {
    private static final ObjectMapper JSON = new ObjectMapper();

    private final Process process;
    private final Writer requests;
    private final BufferedReader answers;
    private final JsonNode info;

    private OpenBlasSession(Process process) {
        this.process = process;
        this.requests = new OutputStreamWriter(process.getOutputStream(), StandardCharsets.UTF_8);
        this.answers = new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8));
        this.info = answer("its first line");
    }

    /** Starts the peer with {@code threads} OpenBLAS threads; a PeerException if python3-numpy or the script is missing. */
    static OpenBlasSession start(Path script, int threads) {
        Peers.requirePython("the OpenBLAS peer", "python3-numpy");
        ProcessBuilder pb = new ProcessBuilder(List.of(Peers.PYTHON.toString(), script.toString(), "--threads", Integer.toString(threads), "--serve"));
        Peers.PINNING.forEach(pb.environment()::remove);
        pb.environment().put("OPENBLAS_NUM_THREADS", Integer.toString(threads));
        pb.redirectError(ProcessBuilder.Redirect.INHERIT);
        try {
            OpenBlasSession s = new OpenBlasSession(pb.start());
            if (s.info.has("error")) throw new PeerException("the OpenBLAS peer: " + s.info.path("error").asText());
            return s;
        } catch (IOException e) {
            throw new PeerException("the OpenBLAS peer could not start: " + e.getMessage());
        }
    }

    /** {@code openblas} (library, core name, config, threads) and {@code numpy}, as the peer reported them. */
    public JsonNode info() {
        return info;
    }

    /** Seconds of one OpenBLAS sgemm C[m × n] = A[m × k] · Wᵀ (the first request of a shape is warmed up first). */
    public double sgemm(int m, int n, int k) {
        String what = "its answer to sgemm " + m + " x " + n + " x " + k;
        try {
            requests.write("sgemm " + m + " " + n + " " + k + "\n");
            requests.flush();
        } catch (IOException e) {
            throw gone(what);
        }
        JsonNode a = answer(what);
        if (!a.path("seconds").isNumber()) throw new PeerException("the OpenBLAS peer answered sgemm with " + a);
        return a.path("seconds").asDouble();
    }

    private JsonNode answer(String what) {
        String line;
        try {
            line = answers.readLine();
        } catch (IOException e) {
            throw new PeerException("the OpenBLAS peer could not be read (" + what + "): " + e.getMessage());
        }
        if (line == null) throw gone(what);
        try {
            JsonNode n = JSON.readTree(line);
            if (n != null && n.isObject()) return n;
        } catch (IOException e) {
            // reported below with the line itself
        }
        throw new PeerException("the OpenBLAS peer printed " + (line.length() > 120 ? line.substring(0, 120) + "..." : line) + " as " + what);
    }

    private PeerException gone(String what) {
        String exit = "";
        try {
            if (process.waitFor(2, TimeUnit.SECONDS)) exit = " (exit " + process.exitValue() + ")";
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        return new PeerException("the OpenBLAS peer exited" + exit + " before " + what + "; see its messages above");
    }

    /** Closes its stdin, which ends it; kills it if it has not gone within 10 s. */
    @Override
    public void close() {
        try {
            requests.close();
            if (!process.waitFor(10, TimeUnit.SECONDS)) process.destroyForcibly();
        } catch (IOException e) {
            process.destroyForcibly();
        } catch (InterruptedException e) {
            process.destroyForcibly();
            Thread.currentThread().interrupt();
        }
    }
}
