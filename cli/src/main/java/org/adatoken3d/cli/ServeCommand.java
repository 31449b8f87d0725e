package org.adatoken3d.cli;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.adatoken3d.evaluation.qa.QuestionSet;
import org.adatoken3d.evaluation.qa.SceneSet;
import org.adatoken3d.llava3d.Llava3d;
import org.adatoken3d.server.ChatServer;
import org.adatoken3d.server.SceneRegistry;
import org.adatoken3d.server.ServerOptions;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

@Command(name = "serve", mixinStandardHelpOptions = true,
        description = {"Serve the model over an OpenAI-compatible HTTP API, with scenes, batched decoding and a web page.",
                "",
                "POST /v1/chat/completions (OpenAI's format, streaming or not; extension fields 'scene' and 'prune'),"
                        + " GET /v1/models, GET|POST /v1/scenes, GET /health, GET /metrics, and a page at / to ask a scene and"
                        + " see which spatial tokens the answer kept.",
                "Concurrent requests decode together, one pass over the weights per token for up to --max-batch of them."
                        + " Binds to loopback unless --host says otherwise. SIGTERM (Ctrl-C) lets requests in flight finish"
                        + " for --drain seconds, refuses the rest with 503 and exits with 0; a second one exits at once."})
final class ServeCommand implements Runnable {
    @Mixin ModelOptions model;

    @Option(names = "--scenes", paramLabel = "DIR",
            description = "Folder of scenes, each served by its name: ScanNet folders, EmbodiedScan .json, spatial-token .safetensors.")
    Path scenesDir;

    @Option(names = "--scene-set", paramLabel = "FILE",
            description = "Also serve the scenes of a spatial-QA split (its question .json or its scenes .safetensors) as NAME-0, NAME-1, ...")
    List<Path> sceneSets = List.of();

    @Option(names = "--host", defaultValue = "127.0.0.1", description = "Address to bind (default: ${DEFAULT-VALUE}, loopback only).")
    String host;

    @Option(names = "--port", defaultValue = "8080", converter = Ranges.Port.class, description = "Port (default: ${DEFAULT-VALUE}; 0 picks a free one).")
    int port;

    @Option(names = "--api-key-file", paramLabel = "FILE", description = "File holding the bearer key every /v1 and /metrics request must send.")
    Path apiKeyFile;

    @Option(names = "--max-queue", defaultValue = "16", converter = Ranges.NonNegative.class, description = "Requests that may wait for a slot; more get 429 (default: ${DEFAULT-VALUE}).")
    int maxQueue;

    @Option(names = "--max-batch", defaultValue = "4", converter = Ranges.Slots.class, description = "Sequences decoded together per pass over the weights (default: ${DEFAULT-VALUE}).")
    int maxBatch;

    @Option(names = "--max-tokens-limit", defaultValue = "512", converter = Ranges.Tokens.class, description = "Most completion tokens a request may ask for (default: ${DEFAULT-VALUE}).")
    int maxTokensLimit;

    @Option(names = "--max-prompt-tokens", defaultValue = "8192", converter = Ranges.Tokens.class, description = "Longest prompt, spatial tokens included (default: ${DEFAULT-VALUE}).")
    int maxPromptTokens;

    @Option(names = "--max-body-kib", defaultValue = "1024", converter = Ranges.KiB.class, description = "Largest chat request body, KiB (default: ${DEFAULT-VALUE}).")
    int maxBodyKiB;

    @Option(names = "--max-upload-mib", defaultValue = "64", converter = Ranges.MiB.class, description = "Largest scene upload, MiB (default: ${DEFAULT-VALUE}).")
    int maxUploadMiB;

    @Option(names = "--request-timeout", defaultValue = "120", converter = Ranges.Seconds.class, description = "Time limit of one request in seconds, queueing included (default: ${DEFAULT-VALUE}).")
    int requestTimeout;

    @Option(names = "--drain", defaultValue = "10", converter = Ranges.GraceSeconds.class, description = "Seconds shutdown waits for requests in flight (default: ${DEFAULT-VALUE}).")
    int drain;

    @Override
    public void run() {
        ServerOptions options = options();
        Llava3d llava = model.open();
        SceneRegistry scenes = new SceneRegistry(256);
        if (scenesDir != null) scenes.scan(scenesDir, w -> Progress.say("%s", w));
        for (Path f : sceneSets) registerSceneSet(scenes, f);
        ChatServer server = ChatServer.start(llava, modelId(model.model), options, scenes);
        Shutdown shutdown = new Shutdown(() -> {
            Progress.say("serve: shutting down (requests in flight get up to %d s; a second Ctrl-C stops at once)", drain);
            server.shutdown();
            llava.close();
        });
        Progress.say("serve: %s on http://%s:%d/ (%d slots, queue %d%s)", server.modelId(), host, server.port(), maxBatch, maxQueue,
                options.apiKey() == null ? ", no API key" : ", bearer key required");
        shutdown.awaitSignal();
        Progress.say("serve: stopped");
    }

    ServerOptions options() {
        if (scenesDir != null) Outputs.existingFolder("--scenes", scenesDir);
        for (Path f : sceneSets) Outputs.existingFile("--scene-set", f);
        String key = null;
        if (apiKeyFile != null) {
            Outputs.existingFile("--api-key-file", apiKeyFile);
            try {
                key = Files.readString(apiKeyFile, StandardCharsets.UTF_8).strip();
            } catch (IOException e) {
                throw new UncheckedIOException(apiKeyFile + ": cannot read the API key: " + e.getMessage(), e);
            }
            if (key.isEmpty()) throw new UserException("--api-key-file " + apiKeyFile + " is empty");
        }
        return new ServerOptions(host, port, key, maxQueue, maxBatch, maxBodyKiB << 10, maxUploadMiB << 20, maxTokensLimit, maxPromptTokens,
                Duration.ofSeconds(requestTimeout), 256, scenesDir, Duration.ofSeconds(drain));
    }

    /** A model folder's name, as OpenAI's model id. */
    static String modelId(Path modelDir) {
        Path name = modelDir.toAbsolutePath().normalize().getFileName();
        return name == null ? "model" : name.toString();
    }

    /** Registers scene i of a spatial-QA split as {@code <scenes file stem>-i}, projected when first asked about. */
    static void registerSceneSet(SceneRegistry scenes, Path file) {
        SceneSet set = file.toString().endsWith(".json") ? QuestionSet.read(file).readScenes() : SceneSet.read(file);
        String stem = set.file().getFileName().toString().replaceFirst("\\.safetensors$", "");
        for (int i = 0; i < set.size(); i++) {
            int scene = i;
            scenes.register(stem + "-" + i, "set", set.tokens(i), llava -> set.spatialTokens(scene, llava.projector()));
        }
        Progress.say("serve: %d scenes from %s as %s-0 .. %s-%d", set.size(), set.file(), stem, stem, set.size() - 1);
    }
}
