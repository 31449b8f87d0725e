package org.adatoken3d.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/**
 * Times the same checkpoint through the PyTorch oracle's eager forward ({@code conformance/python}), in a child
 * process, so benchmarks print a ratio measured in one run.
 */
final class TorchBench {
    record Result(double seconds, String version, String dtype) {}

    private TorchBench() {}

    static Result prefill(Path model, int tokens, boolean allLogits, int threads, int runs) {
        Path python = Path.of("/usr/bin/python3");
        if (!Files.isExecutable(python)) {
            throw new UserException("--vs-torch needs Debian's python3-torch (/usr/bin/python3 not found); run ./run-tests once as root to install it");
        }
        ProcessBuilder pb = new ProcessBuilder(List.of(python.toString(), "-m", "adatoken_oracle.bench_prefill",
                "--model", model.toString(), "--tokens", Integer.toString(tokens), "--logits", allLogits ? "all" : "last",
                "--threads", Integer.toString(threads), "--runs", Integer.toString(runs)));
        pb.environment().put("PYTHONPATH", BundledFiles.folder("python", BundledFiles.cacheDir()).toString());
        // These pin OpenBLAS to old kernels on this machine (a guard for old builds); the peer gets its best.
        pb.environment().remove("OPENBLAS_CORETYPE");
        pb.environment().remove("OPENBLAS_L2_SIZE");
        pb.redirectError(ProcessBuilder.Redirect.INHERIT);
        try {
            Process p = pb.start();
            String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            int rc = p.waitFor();
            if (rc != 0) throw new UserException("the PyTorch benchmark failed (exit " + rc + "); see its messages above");
            JsonNode json = new ObjectMapper().readTree(out.lines().reduce((a, b) -> b).orElse("{}"));
            return new Result(json.path("seconds").asDouble(), json.path("torch").asText(), json.path("dtype").asText());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }
}
