package org.adatoken3d.cli;

import java.nio.file.Path;
import java.util.List;
import org.adatoken3d.llava3d.Answer;
import org.adatoken3d.llava3d.EncodedScene;
import org.adatoken3d.llava3d.GenerationOptions;
import org.adatoken3d.llava3d.Llava3d;
import org.adatoken3d.llava3d.SceneOptions;
import org.adatoken3d.llava3d.prompt.ClickQuestion;
import org.adatoken3d.llava3d.scene.SceneEncoder;
import org.adatoken3d.llava3d.scene.ViewSampler;
import org.adatoken3d.llava3d.spatial.SpatialTokens;
import org.adatoken3d.model.generation.Prompt;
import org.adatoken3d.pruning.GatePolicy;
import org.adatoken3d.pruning.KeepSet;
import org.adatoken3d.pruning.LayerStats;
import org.adatoken3d.pruning.PruneSpec;
import picocli.CommandLine.ArgGroup;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

@Command(name = "ask", mixinStandardHelpOptions = true,
        description = {"Answer a question about a scene (posed RGB-D views or spatial tokens), with AdaToken pruning.",
                "",
                "Answer a question about a scene in the llava_v1 prompt, with AdaToken pruning of the spatial block (or a "
                        + "baseline). The scene is a ScanNet-layout folder or an EmbodiedScan info JSON (--scene: 20 views through the "
                        + "CLIP tower, unprojected, pooled into 0.2 m voxels and projected, as LLaVA-3D does) or precomputed spatial "
                        + "tokens (--spatial). A [x, y, z] in the question (metres, in the scene's axis-aligned frame) becomes one click "
                        + "token from the model's click encoder.",
                "Prints the answer (control characters escaped), then tokens kept per layer, prefill FLOPs and KV-cache bytes "
                        + "before and after pruning, and a timing breakdown."})
final class AskCommand implements Runnable {
    @Mixin ModelOptions model;

    static final class SceneSource {
        @Option(names = "--spatial", required = true, paramLabel = "FILE.safetensors",
                description = "Spatial tokens: 'embeds' [N, hidden] or 'features' [N, mm_hidden], optionally 'xyz' [N, 3].")
        Path spatialFile;

        @Option(names = "--scene", required = true, paramLabel = "SCENE",
                description = "A ScanNet export folder (color/*.jpg, depth/*.png uint16, pose/*.txt, intrinsic/intrinsic_depth.txt, "
                        + "axis_align_matrix.txt), or an EmbodiedScan info .json (cam2img, depth_cam2img, axis_align_matrix, "
                        + "images with img_path, depth_path, cam2global; paths relative to the file) or a folder holding one.")
        Path sceneDir;
    }

    @ArgGroup(exclusive = true, multiplicity = "1") SceneSource source;

    @Option(names = "--question", required = true, paramLabel = "TEXT",
            description = "The question, as a user would ask it; [x, y, z] in it is a click (see above).")
    String question;

    @Option(names = "--prune", paramLabel = "POLICY",
            description = "none | fastv | random | tau=T | keep=R | auto, with optional ,layer=K,min=N,max=N,query=last|instruction "
                    + "(default: " + PruneOptions.DEFAULT_TEXT + ").")
    String prune;

    @Option(names = "--profile", paramLabel = "FILE",
            description = "Pruning profile for --prune auto (default: the model folder's adatoken-profile.json); an error with any other --prune.")
    Path profile;

    @Option(names = "--max-tokens", defaultValue = "64", paramLabel = "N", converter = Ranges.Tokens.class,
            description = "Most answer tokens (default: ${DEFAULT-VALUE}).")
    int maxTokens;

    @Option(names = "--vision-tower", paramLabel = "DIR",
            description = "CLIP vision tower folder (e.g. openai/clip-vit-large-patch14-336) when the model's shards do not carry it.")
    Path visionTower;

    @Option(names = "--views", defaultValue = "" + ViewSampler.DEFAULT_VIEWS, paramLabel = "N", converter = Ranges.Count.class,
            description = "Views sampled uniformly from the scene's valid frames (default: ${DEFAULT-VALUE}, as LLaVA-3D).")
    int views;

    @Option(names = "--depth-scale", paramLabel = "UNITS_PER_M", converter = Ranges.Positive.class,
            description = "Depth units per metre of the depth PNGs (default: the scene's own: 1000 for ScanNet, an EmbodiedScan info's depth_shift).")
    Double depthScale;

    @Option(names = "--seed", defaultValue = "0", description = "Seed of the random token subset when the scene fills more than 2560 voxels (default: ${DEFAULT-VALUE}).")
    long seed;

    @Option(names = "--report", paramLabel = "DIR",
            description = "Also write the pruning report (HTML with per-layer contribution plots and a 3D scatter of kept and pruned "
                    + "tokens) in this folder (created; it must be empty unless --force).")
    Path report;

    @Option(names = "--force", description = "Replace what the --report folder holds.")
    boolean force;

    @Override
    public void run() {
        if (source.sceneDir != null && !java.nio.file.Files.exists(source.sceneDir)) {
            throw new UserException("--scene " + source.sceneDir + ": no such file or folder");
        }
        if (source.spatialFile != null) Outputs.existingFile("--spatial", source.spatialFile);
        try (Outputs.Folder reportFolder = report == null ? null
                : Outputs.folder("--report", report, force, model.model, source.sceneDir, source.spatialFile, profile, visionTower);
             Llava3d llava = model.open(visionTower)) {
            GatePolicy gate = PruneOptions.policy(llava, prune, profile);
            AnswerText.warnIfSynthetic(llava.model());
            // A malformed click fails now rather than after the scene is encoded.
            ClickQuestion clicks = ClickQuestion.parse(question);
            EncodedScene scene = source.sceneDir != null
                    ? llava.encode(source.sceneDir, new SceneOptions(views, seed, depthScale), progress())
                    : llava.encode(source.spatialFile, SceneOptions.defaults());
            Prompt prompt = llava.prompt(scene.tokens(), question);
            for (int i = 0; i < clicks.clicks().size(); i++) {
                ClickQuestion.Click c = clicks.clicks().get(i);
                Progress.say("question: click (%s, %s, %s) m -> one token at prompt position %d", c.x(), c.y(), c.z(),
                        prompt.embeddedRows().get(i).position());
            }
            Answer a = llava.ask(prompt, gate, GenerationOptions.greedy(maxTokens), piece -> {
                System.out.print(AnswerText.printable(piece));
                System.out.flush();
            }, Progress.layers("prefill", llava.model().config().numLayers()));
            System.out.println();
            report(gate, a);
            if (!scene.isPrecomputed()) {
                SceneEncoder.Timings t = scene.timings();
                System.err.printf("  timing: read+preprocess %.2f s, vision %.2f s, unprojection %.2f s, 3D pooling %.2f s, projector %.2f s, prefill %.2f s, decode %.2f s (%d tokens)%n",
                        t.readNanos() / 1e9, t.visionNanos() / 1e9, t.unprojectionNanos() / 1e9, t.poolingNanos() / 1e9, t.projectorNanos() / 1e9,
                        a.prefillNanos() / 1e9, a.decodeNanos() / 1e9, a.ids().length);
            } else {
                System.err.printf("  timing: prefill %.2f s, decode %.2f s (%d tokens)%n", a.prefillNanos() / 1e9, a.decodeNanos() / 1e9,
                        a.ids().length);
            }
            if (reportFolder != null) writeReport(llava, gate, prompt, scene.tokens(), a.keepSet(), reportFolder);
        }
    }

    /** Scene encoding progress on stderr: a line per stage, a counter over the views. */
    static SceneEncoder.Listener progress() {
        long start = System.nanoTime();
        return new SceneEncoder.Listener() {
            @Override
            public void stage(String line) {
                Progress.say("%s", line);
            }

            @Override
            public void view(int done, int total) {
                Progress.update(String.format("vision: view %d/%d (%.1f s)", done, total, (System.nanoTime() - start) / 1e9), done == total);
            }
        };
    }

    private void writeReport(Llava3d llava, GatePolicy gate, Prompt prompt, SpatialTokens spatial, KeepSet keep, Outputs.Folder folder) {
        Progress.say("report: measuring the contribution at every layer (one more unpruned prefill)");
        List<LayerStats> layers = llava.measure(prompt, gate.query()).layers();
        Path html = Reports.write(llava, question, gate, layers, keep, spatial, folder);
        Progress.say("report: %s", html.toAbsolutePath());
    }

    /** Tokens kept, FLOPs and KV cache, and speed, on stderr. */
    static void report(GatePolicy gate, Answer a) {
        KeepSet keep = a.keepSet();
        System.err.printf("prune %s: kept %d of %d spatial tokens (%.1f%%); prompt %d tokens%n", PruneSpec.format(gate),
                keep.keptCount(), keep.total(), 100 * keep.keptFraction(), a.promptTokens());
        System.err.println("  " + a.flops().summary());
        System.err.printf("  KV cache after the answer: %.1f MiB measured%n", a.kvCacheBytes() / 1048576.0);
        System.err.printf("  time to first token %.3f s, %s%n", a.prefillNanos() / 1e9, GenerateCommand.generated(a));
    }
}
