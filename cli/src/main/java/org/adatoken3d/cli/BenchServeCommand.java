package org.adatoken3d.cli;

import org.adatoken3d.bench.ServeLoadBench;
import org.adatoken3d.llava3d.Llava3d;
import org.adatoken3d.server.ServerOptions;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

@Command(name = "serve", mixinStandardHelpOptions = true,
        description = {"Load test of the chat server on loopback: batched decoding, latency, bad input and memory.",
                "",
                "Starts the server in this process on 127.0.0.1 (a free port) and drives it over HTTP. Phase 1: one "
                + "streaming client sends --requests requests one after another. Phase 2: --clients streaming clients send "
                + "--requests each at once; decode tokens/s against phase 1, counted apart from prefill while every client is between its first and last token, is what batched decoding buys. "
                + "Phase 3: the same clients send a mix of valid requests, malformed JSON, unknown scenes, bad prune specs, "
                + "oversized bodies, clients that leave mid-stream and concurrent scene uploads. Reports p50/p95 time to "
                + "first token and latency, responses by status, and the server's RSS before and after."})
final class BenchServeCommand implements Runnable {
    @Mixin ModelOptions model;

    @Option(names = "--clients", defaultValue = "4", paramLabel = "N", converter = Ranges.Clients.class,
            description = "Concurrent clients of phases 2 and 3, 1 to 64 (default: ${DEFAULT-VALUE}).")
    int clients;

    @Option(names = "--requests", defaultValue = "8", paramLabel = "N", converter = Ranges.Requests.class,
            description = "Requests per client and phase, 1 to 1000 (default: ${DEFAULT-VALUE}).")
    int requests;

    @Option(names = "--max-tokens", defaultValue = "48", paramLabel = "N", converter = Ranges.DecodedTokens.class,
            description = "max_tokens of each request, at least 2 (default: ${DEFAULT-VALUE}).")
    int maxTokens;

    @Option(names = "--max-batch", paramLabel = "N", converter = Ranges.Slots.class, description = "Server slots (default: --clients).")
    Integer maxBatch;

    @Option(names = "--prefill-chunk", paramLabel = "ROWS", converter = Ranges.PrefillChunk.class,
            description = "Prompt rows the server prefills between two decoding steps, at least 9 (default: the server's, 64).")
    Integer prefillChunk;

    @Option(names = "--timeout", defaultValue = "600", paramLabel = "SECONDS", converter = Ranges.Seconds.class,
            description = "Give up after this many seconds in all (default: ${DEFAULT-VALUE}).")
    int timeoutSeconds;

    @Override
    public void run() {
        try (Llava3d llava = model.open()) {
            new ServeLoadBench(clients, requests, maxTokens, maxBatch == null ? clients : maxBatch,
                    prefillChunk == null ? ServerOptions.defaults().prefillChunk() : prefillChunk, timeoutSeconds, System.out, CliProgress.STDERR)
                    .run(llava, ServeCommand.modelId(model.model));
        }
    }
}

