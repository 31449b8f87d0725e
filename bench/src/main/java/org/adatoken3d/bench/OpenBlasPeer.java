package org.adatoken3d.bench;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

/**
 * OpenBLAS sgemm and sgemv through numpy ({@code openblas_bench.py} beside this module's sources), at the shapes,
 * threads and repeats of {@code bench kernels}. OpenBLAS runs as it picks itself: the variables that pin its core
 * type are removed for the child (and the script re-executes itself without them).
 *
 * @param script the path of {@code openblas_bench.py}
 */
public record OpenBlasPeer(Path script) {
    /** Its JSON ({@code openblas}, {@code sgemm}, {@code sgemv}), or a node holding only {@code error}. */
    public JsonNode measure(int threads, int m, int[][] gemmShapes, int[][] gemvShapes, int repeats) {
        if (!Files.isRegularFile(script)) return error("script not found at " + script);
        try {
            Peers.requirePython("the OpenBLAS peer", "python3-numpy");
            return Peers.runJson("the OpenBLAS benchmark", List.of(script.toString(), "--threads", Integer.toString(threads),
                    "--m", Integer.toString(m), "--gemm", shapes(gemmShapes), "--gemv", shapes(gemvShapes),
                    "--repeats", Integer.toString(repeats), "--working-set-mib", Long.toString(256)),
                    Map.of("OPENBLAS_NUM_THREADS", Integer.toString(threads)), 10);
        } catch (PeerException e) {
            return error(e.getMessage());
        }
    }

    /** The peer kept running to time sgemm in the engine's own rounds ({@link OpenBlasSession}). */
    public OpenBlasSession session(int threads) {
        if (!Files.isRegularFile(script)) throw new PeerException("the OpenBLAS peer: script not found at " + script);
        return OpenBlasSession.start(script, threads);
    }

    static ObjectNode error(String message) {
        ObjectNode n = new ObjectMapper().createObjectNode();
        n.put("error", message);
        return n;
    }

    private static String shapes(int[][] shapes) {
        StringBuilder sb = new StringBuilder();
        for (int[] s : shapes) sb.append(sb.isEmpty() ? "" : ",").append(s[0]).append('x').append(s[1]);
        return sb.toString();
    }
}
