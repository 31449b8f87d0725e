package org.adatoken3d.cli;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.List;
import org.adatoken3d.model.Model;
import org.adatoken3d.evaluation.calibration.SpatialRuns;
import org.adatoken3d.model.decoder.PrefillRequest;
import org.adatoken3d.model.generation.Generation;
import org.adatoken3d.model.generation.Generator;
import org.adatoken3d.model.generation.Prompt;
import org.adatoken3d.model.generation.SamplingParams;
import org.adatoken3d.llava3d.spatial.ClickEncoder;
import org.adatoken3d.llava3d.spatial.SpatialInput;
import org.adatoken3d.llava3d.prompt.SpatialPrompt;
import org.adatoken3d.llava3d.prompt.ClickQuestion;
import org.adatoken3d.llava3d.scene.Scene;
import org.adatoken3d.llava3d.scene.SceneEncoder;
import org.adatoken3d.llava3d.scene.SceneFrame;
import org.adatoken3d.llava3d.scene.ViewSampler;
import org.adatoken3d.llava3d.vision.ClipVisionTower;
import org.adatoken3d.pruning.FlopsModel;
import org.adatoken3d.pruning.FlopsReport;
import org.adatoken3d.pruning.GatePolicy;
import org.adatoken3d.pruning.KeepSet;
import org.adatoken3d.pruning.LayerStats;
import org.adatoken3d.pruning.PruneSpec;
import org.adatoken3d.report.RedundancyReport;
import picocli.CommandLine.ArgGroup;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

@Command(name = "ask", mixinStandardHelpOptions = true,
        description = {"Answer a question about a scene (posed RGB-D views or spatial tokens), with AdaToken pruning.",
                "",
                "Answer a question about a scene in the llava_v1 prompt, with AdaToken pruning of the spatial block (or a",
                "baseline). The scene is a ScanNet-layout folder or an EmbodiedScan info JSON (--scene: 20 views through the",
                "CLIP tower, unprojected, pooled into 0.2 m voxels and projected, as LLaVA-3D does) or precomputed spatial",
                "tokens (--spatial). A [x, y, z] in the question (metres, in the scene's axis-aligned frame) becomes one click",
                "token from the model's click encoder.",
                "Prints the answer, then tokens kept per layer, prefill FLOPs and KV-cache bytes before and after pruning,",
                "and a timing breakdown."})
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

    @Option(names = "--question", required = true, paramLabel = "TEXT") String question;

    @Option(names = "--prune", defaultValue = "tau=0.05",
            description = "none | fastv | random | tau=T | keep=R | auto, with optional ,layer=K,min=N,max=N,query=last|instruction (default: ${DEFAULT-VALUE}).")
    String prune;

    @Option(names = "--profile", paramLabel = "FILE", description = "Pruning profile for --prune auto (default: the model folder's adatoken-profile.json).")
    Path profile;

    @Option(names = "--max-tokens", defaultValue = "64", description = "Most answer tokens (default: ${DEFAULT-VALUE}).")
    int maxTokens;

    @Option(names = "--vision-tower", paramLabel = "DIR",
            description = "CLIP vision tower folder (e.g. openai/clip-vit-large-patch14-336) when the model's shards do not carry it.")
    Path visionTower;

    @Option(names = "--views", defaultValue = "" + ViewSampler.DEFAULT_VIEWS, paramLabel = "N",
            description = "Views sampled uniformly from the scene's valid frames (default: ${DEFAULT-VALUE}, as LLaVA-3D).")
    int views;

    @Option(names = "--depth-scale", paramLabel = "UNITS_PER_M",
            description = "Depth units per metre of the depth PNGs (default: the scene's own: 1000 for ScanNet, an EmbodiedScan info's depth_shift).")
    Double depthScale;

    @Option(names = "--seed", defaultValue = "0", description = "Seed of the random token subset when the scene fills more than 2560 voxels (default: ${DEFAULT-VALUE}).")
    long seed;

    @Option(names = "--report", paramLabel = "DIR",
            description = "Also write the pruning report (HTML with per-layer contribution plots and a 3D scatter of kept and pruned tokens).")
    Path report;

    @Override
    public void run() {
        try (Model m = model.open()) {
            GatePolicy gate = PruneSpec.parse(prune).resolve(m.directory(), profile, m.config().numLayers());
            // A malformed click, or a click the checkpoint cannot encode, fails now rather than after the scene is encoded.
            ClickQuestion clicks = ClickQuestion.parse(question);
            ClickEncoder clickEncoder = clicks.hasClicks() ? ClickEncoder.load(m.checkpoint(), m.config()) : null;
            SceneEncoder.Timings frontEnd = null;
            SpatialInput spatial;
            if (source.sceneDir != null) {
                SceneEncoder.Encoded encoded = encodeScene(m, source.sceneDir, views, seed, visionTower, depthScale);
                spatial = encoded.spatial();
                frontEnd = encoded.timings();
            } else {
                spatial = SpatialInput.read(source.spatialFile, m);
            }
            Prompt prompt = SpatialPrompt.build(m.tokenizer(), question, spatial, () -> clickEncoder);
            for (int i = 0; i < clicks.clicks().size(); i++) {
                ClickQuestion.Click c = clicks.clicks().get(i);
                Progress.say("question: click (%s, %s, %s) m -> one token at prompt position %d", c.x(), c.y(), c.z(),
                        prompt.embeddedRows().get(i).position());
            }
            PrefillRequest request = new PrefillRequest(prompt.spatial(), gate, gate.query(), false, PrefillRequest.Logits.LAST);
            Generation g = new Generator(m.decoder(), m.tokenizer()).generate(prompt, request, SamplingParams.greedy(), maxTokens,
                    model.kvBudgetBytes(), piece -> {
                        System.out.print(piece);
                        System.out.flush();
                    }, Progress.layers("prefill", m.config().numLayers()));
            System.out.println();
            report(m, g, gate, prompt);
            if (frontEnd != null) {
                System.err.printf("  timing: read+preprocess %.2f s, vision %.2f s, 3D pooling %.2f s, projector %.2f s, prefill %.2f s, decode %.2f s (%d tokens)%n",
                        frontEnd.readNanos() / 1e9, frontEnd.visionNanos() / 1e9, frontEnd.poolingNanos() / 1e9,
                        frontEnd.projectorNanos() / 1e9, g.prefillNanos() / 1e9, g.decodeNanos() / 1e9, g.generated().length);
            } else {
                System.err.printf("  timing: prefill %.2f s, decode %.2f s (%d tokens)%n", g.prefillNanos() / 1e9, g.decodeNanos() / 1e9,
                        g.generated().length);
            }
            if (report != null) writeReport(m, gate, prompt, spatial, g);
        }
    }

    /** Scene folder to spatial tokens, with progress on stderr; shared with {@code demo}. */
    static SceneEncoder.Encoded encodeScene(Model m, Path sceneDir, int views, long seed, Path visionTower) {
        return encodeScene(m, sceneDir, views, seed, visionTower, null);
    }

    /** As above; {@code depthScale} (depth units per metre) replaces the scene's own when not null. */
    static SceneEncoder.Encoded encodeScene(Model m, Path sceneDir, int views, long seed, Path visionTower, Double depthScale) {
        Scene scene = Scene.open(sceneDir, w -> Progress.say("warning: %s", w));
        if (depthScale != null) scene = scene.withDepthScale(depthScale);
        List<SceneFrame> picked = scene.sample(views);
        Progress.say("scene %s (%s): %d frames with a valid pose (%d skipped), %d views, depth %s units/m", scene.source(),
                scene.layout(), scene.frames().size(), scene.skipped(), picked.size(), number(scene.depthScale()));
        try (ClipVisionTower tower = ClipVisionTower.locate(m.checkpoint(), visionTower, m.config().mmVisionSelectLayer())) {
            Progress.say("vision tower: %s, %d x %d patches of %d px, width %d, %d of %d layers run", tower.source(),
                    tower.config().grid(), tower.config().grid(), tower.config().patchSize(), tower.config().hidden(),
                    tower.layersRun(), tower.config().layers());
            SceneEncoder encoder = SceneEncoder.of(m.checkpoint(), m.config(), tower);
            long start = System.nanoTime();
            return encoder.encode(scene, picked, seed, new SceneEncoder.Listener() {
                @Override
                public void stage(String line) {
                    Progress.say("%s", line);
                }

                @Override
                public void view(int done, int total) {
                    System.err.printf("\rvision: view %d/%d (%.1f s)", done, total, (System.nanoTime() - start) / 1e9);
                    if (done == total) System.err.println();
                }
            });
        }
    }

    private static String number(double v) {
        return v == Math.rint(v) && Math.abs(v) < 1e15 ? String.valueOf((long) v) : String.valueOf(v);
    }

    private void writeReport(Model m, GatePolicy gate, Prompt prompt, SpatialInput spatial, Generation g) {
        Progress.say("report: measuring the contribution at every layer (one more unpruned prefill)");
        List<LayerStats> layers = new SpatialRuns(m, model.kvBudgetBytes()).sample(prompt, gate.query()).layers();
        KeepSet keep = g.prefill().keepSet() != null ? g.prefill().keepSet() : KeepSet.all(spatial.count());
        try {
            Path html = RedundancyReport.write(new RedundancyReport.Input(m.directory().getFileName().toString(), question, gate,
                    layers, keep, spatial.xyz()), report);
            Progress.say("report: %s", html.toAbsolutePath());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
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
