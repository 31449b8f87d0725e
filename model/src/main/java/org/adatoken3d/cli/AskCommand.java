package org.adatoken3d.cli;

import java.nio.file.Path;
import org.adatoken3d.model.Model;
import org.adatoken3d.model.decoder.PrefillRequest;
import org.adatoken3d.model.generation.Generation;
import org.adatoken3d.model.generation.Generator;
import org.adatoken3d.model.generation.Prompt;
import org.adatoken3d.model.generation.SamplingParams;
import org.adatoken3d.model.multimodal.SpatialInput;
import org.adatoken3d.model.multimodal.SpatialPrompt;
import org.adatoken3d.pruning.FlopsModel;
import org.adatoken3d.pruning.FlopsReport;
import org.adatoken3d.pruning.GatePolicy;
import org.adatoken3d.pruning.KeepSet;
import org.adatoken3d.pruning.PruneSpec;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

@Command(name = "ask", mixinStandardHelpOptions = true,
        description = {"Answer a question about a scene given as spatial tokens, with AdaToken pruning.",
                "",
                "Answer a question about a scene given as spatial tokens, in the llava_v1 prompt, with AdaToken",
                "pruning of the spatial block (or a baseline). Prints the answer, then tokens kept per layer, prefill",
                "FLOPs and KV-cache bytes before and after pruning, and timings."})
final class AskCommand implements Runnable {
    @Mixin ModelOptions model;

    @Option(names = "--spatial", required = true, paramLabel = "FILE.safetensors",
            description = "Spatial tokens: 'embeds' [N, hidden] or 'features' [N, mm_hidden], optionally 'xyz' [N, 3].")
    Path spatialFile;

    @Option(names = "--question", required = true, paramLabel = "TEXT") String question;

    @Option(names = "--prune", defaultValue = "tau=0.05",
            description = "none | fastv | random | tau=T | keep=R | auto, with optional ,layer=K,min=N,max=N,query=last|instruction (default: ${DEFAULT-VALUE}).")
    String prune;

    @Option(names = "--profile", paramLabel = "FILE", description = "Pruning profile for --prune auto (default: the model folder's adatoken-profile.json).")
    Path profile;

    @Option(names = "--max-tokens", defaultValue = "64", description = "Most answer tokens (default: ${DEFAULT-VALUE}).")
    int maxTokens;

    @Override
    public void run() {
        try (Model m = model.open()) {
            GatePolicy gate = PruneSpec.parse(prune).resolve(m.directory(), profile, m.config().numLayers());
            SpatialInput spatial = SpatialInput.read(spatialFile, m);
            Prompt prompt = SpatialPrompt.build(m.tokenizer(), question, spatial);
            PrefillRequest request = new PrefillRequest(prompt.spatial(), gate, gate.query(), false, PrefillRequest.Logits.LAST);
            Generation g = new Generator(m.decoder(), m.tokenizer()).generate(prompt, request, SamplingParams.greedy(), maxTokens,
                    model.kvBudgetBytes(), piece -> {
                        System.out.print(piece);
                        System.out.flush();
                    }, Progress.layers("prefill", m.config().numLayers()));
            System.out.println();
            report(m, g, gate, prompt);
        }
    }

    static void report(Model m, Generation g, GatePolicy gate, Prompt prompt) {
        int n = prompt.ids().length;
        KeepSet keep = g.prefill().keepSet() != null ? g.prefill().keepSet() : KeepSet.all(prompt.spatial().count());
        FlopsReport flops = new FlopsModel(Shapes.of(m.config()))
                .report(n, gate.gates() ? gate.layer() : m.config().numLayers(), keep, FlopsModel.Logits.LAST_TOKEN);
        System.err.printf("prune %s: kept %d of %d spatial tokens (%.1f%%); prompt %d tokens%n", PruneSpec.format(gate),
                keep.keptCount(), keep.total(), 100 * keep.keptFraction(), n);
        System.err.println("  " + flops.summary());
        System.err.printf("  time to first token %.3f s, decoding %.2f tok/s (%d tokens)%n", g.prefillNanos() / 1e9,
                g.decodeTokensPerSecond(), g.generated().length);
    }
}
