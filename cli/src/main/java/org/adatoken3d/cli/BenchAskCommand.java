package org.adatoken3d.cli;

import java.nio.file.Files;
import java.nio.file.Path;
import org.adatoken3d.bench.AskBench;
import org.adatoken3d.bench.AskShape;
import org.adatoken3d.bench.TorchBench;
import org.adatoken3d.llava3d.EngineOptions;
import org.adatoken3d.llava3d.Llava3d;
import org.adatoken3d.llava3d.synthetic.SyntheticScene;
import org.adatoken3d.pruning.GatePolicy;
import org.adatoken3d.pruning.PruneSpec;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

@Command(name = "ask", mixinStandardHelpOptions = true,
        description = {"The whole pipeline, scene folder to answer, per stage, unpruned and with AdaToken, optionally beside PyTorch.", "",
                "Writes once (under --dir) a synthetic checkpoint of --shape in the exact LLaVA-3D layout (seeded random weights) and a "
                + "synthetic room of 60 posed RGB-D frames (640 x 480, ScanNet layout), then runs the pipeline from the scene's files to "
                + "the answer twice, unpruned and with AdaToken (--prune), after untimed runs of both on three views: read and preprocess "
                + "the views, CLIP, unprojection and voxel pooling, the projector, prefill and decoding, each timed, and the end-to-end "
                + "speed-up of AdaToken over unpruned. The default shape is LLaVA-3D-7B itself (32 layers, 13.5 GB of BF16 weights written "
                + "on first use) with the real CLIP ViT-L/14-336 tower; --layers cuts the decoder (the tower stays whole), and the small "
                + "and tiny shapes are for tests and slow machines. The first line of the output says which of these ran.",
                "With --vs-torch, the PyTorch oracle (conformance/python, float32 eager, Debian's python3-torch) runs the same stages on "
                + "the same views, prompt and policy in the same run, and every stage is printed as a ratio. PyTorch holds every weight "
                + "widened to float32: the 7B shape needs about 30 GB for it, so use --layers on smaller machines."})
final class BenchAskCommand implements Runnable {
    @Option(names = "--shape", defaultValue = "llava3d-7b", paramLabel = "SHAPE",
            description = "llava3d-7b (LLaVA-3D-7B's decoder, CLIP ViT-L/14-336), small or tiny (narrow towers; not 7B figures). Default: ${DEFAULT-VALUE}.")
    String shape;

    @Option(names = "--layers", paramLabel = "N", converter = Ranges.Count.class,
            description = "Decoder layers, at most the shape's (default: all of them: 32 for llava3d-7b).")
    Integer layers;

    @Option(names = "--views", defaultValue = "20", paramLabel = "N", converter = Ranges.Count.class,
            description = "Views sampled from the scene (LLaVA-3D: 20; default: ${DEFAULT-VALUE}).")
    int views;

    @Option(names = "--tokens", defaultValue = "16", paramLabel = "N", converter = Ranges.DecodedTokens.class,
            description = "Answer tokens decoded, exactly (greedy; synthetic weights never stop on their own), at least 2 (default: ${DEFAULT-VALUE}).")
    int tokens;

    @Option(names = "--runs", defaultValue = "1", paramLabel = "N", converter = Ranges.Count.class,
            description = "Timed runs of each policy, in rounds alternating them; each stage's median is printed (default: ${DEFAULT-VALUE}: "
                    + "one run of the 7B shape is minutes; on a shared machine give 3 at a smaller shape).")
    int runs;

    @Option(names = "--prune", defaultValue = "keep=0.3", paramLabel = "SPEC",
            description = "AdaToken's policy: keep=R (the contribution ranking, a fixed share) or tau=T (the dynamic budget), with options as "
                    + "ask takes them. Default ${DEFAULT-VALUE}: random weights spread attention evenly, so a tau budget keeps nearly every token; "
                    + "trained models leave most tokens below 5%% of the contribution (the spatial-QA model keeps 17.8%% at tau=0.5).")
    String prune;

    @Option(names = "--question", defaultValue = "What is the colour of the box next to the door?", paramLabel = "TEXT",
            description = "The question asked (default: ${DEFAULT-VALUE}).")
    String question;

    @Option(names = "--scene", paramLabel = "PATH", description = "A scene folder (ScanNet layout) or EmbodiedScan info JSON instead of the synthetic room.")
    Path scene;

    @Option(names = "--dir", paramLabel = "DIR",
            description = "Where the synthetic checkpoints and room are written once and reused (default: adatoken3d/bench-ask under XDG_CACHE_HOME or ~/.cache).")
    Path dir;

    @Option(names = "--threads", paramLabel = "N", converter = Ranges.Threads.class, description = "Worker threads, 1 to 4 per core (default: all cores); PyTorch gets as many.")
    Integer threads;

    @Option(names = "--vs-torch", description = "Also run the stages in PyTorch (the oracle's front end and decoder) in the same run.")
    boolean vsTorch;

    @Override
    public void run() {
        AskShape s = AskShape.of(shape, layers);
        if (scene != null && !Files.exists(scene)) throw new UserException("--scene " + scene + ": no such file or folder");
        PruneSpec spec = PruneSpec.parse(prune);
        if (spec.isAuto()) throw new UserException("--prune auto reads a calibrated profile, which synthetic weights do not have; give keep=R or tau=T");
        GatePolicy gate = spec.policy();
        if (!gate.gates()) throw new UserException("--prune must name an AdaToken policy (keep=R or tau=T), got " + prune);
        if (gate.layer() > s.layers() - 1) {
            throw new UserException("--prune " + prune + " gates before layer " + gate.layer() + ", which leaves no layer of a " + s.layers()
                    + "-layer decoder to prune; give more --layers or a layer=K below " + s.layers() + " (e.g. " + prune + ",layer=1)");
        }
        if (vsTorch && !AskBench.peerRuns(gate)) throw new UserException("--vs-torch runs AdaToken's keep=R or tau=T policies, not " + prune);
        ModelOptions.applyThreads(threads);
        Path root = dir != null ? dir : BundledFiles.cacheDir().resolve("bench-ask");
        Path model = root.resolve(s.folderName());
        Path room = scene != null ? scene : root.resolve("scene");
        // Written once and reused; each is written aside and moved into place whole, so an interrupted first run
        // leaves nothing that a later one would take for complete.
        if (!Files.isRegularFile(model.resolve("config.json"))) {
            try (Outputs.Folder f = Outputs.folder("--dir", model, true)) {
                SynthCommand.write(s.checkpoint(), f.staging(), s.folderName());
                f.commit();
            }
        }
        if (scene == null && !Files.isDirectory(room.resolve("pose"))) {
            Progress.say("writing the synthetic room to %s", room);
            try (Outputs.Folder f = Outputs.folder("--dir", room, true)) {
                SyntheticScene.write(f.staging(), SyntheticScene.Options.standard(7));
                f.commit();
            }
        }
        TorchBench torch = vsTorch ? new TorchBench(BundledFiles.folder("python", BundledFiles.cacheDir())) : null;
        EngineOptions options = EngineOptions.defaults().withKvBudgetBytes((long) (ModelOptions.defaultKvBudgetGiB() * (1L << 30)));
        try (Llava3d llava = Llava3d.open(model, options)) {
            AskBench.Result r = AskBench.run(llava, new AskBench.Plan(s, room, gate, views, tokens, question, runs), torch, CliProgress.STDERR);
            AskBench.print(r, System.out);
        }
    }
}
