package org.adatoken3d.bench;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

/**
 * Times the same checkpoint through the PyTorch oracle's eager forward ({@code conformance/python}, the package
 * {@code adatoken_oracle}), in a child process, so benchmarks print a ratio measured in one run.
 *
 * @param oracle the folder holding the {@code adatoken_oracle} package (put on the child's PYTHONPATH)
 */
public record TorchBench(Path oracle) {
    public record Result(double seconds, String version, String dtype) {}

    /** PyTorch eager prefill of {@code tokens} seeded random ids (the same as {@link PrefillBench#randomIds}). */
    public Result prefill(Path model, int tokens, boolean allLogits, int threads, int runs) {
        JsonNode json = run("the PyTorch prefill benchmark", List.of("-m", "adatoken_oracle.bench_prefill",
                "--model", model.toString(), "--tokens", Integer.toString(tokens), "--logits", allLogits ? "all" : "last",
                "--threads", Integer.toString(threads), "--runs", Integer.toString(runs)));
        return new Result(json.path("seconds").asDouble(), json.path("torch").asText(), json.path("dtype").asText());
    }

    /** Runs a module of the oracle package with {@code args}; its JSON result. */
    JsonNode run(String what, List<String> args) {
        Peers.requirePython("the PyTorch peer", "python3-torch, python3-numpy and python3-pil");
        return Peers.runJson(what, args, Map.of("PYTHONPATH", oracle.toString()), 120);
    }
}
