package org.adatoken3d.bench;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import org.adatoken3d.kernels.GeluForm;
import org.adatoken3d.kernels.Parallel;
import org.adatoken3d.kernels.WeightFormat;
import org.adatoken3d.llava3d.Answer;
import org.adatoken3d.llava3d.EncodedScene;
import org.adatoken3d.llava3d.GenerationOptions;
import org.adatoken3d.llava3d.Llava3d;
import org.adatoken3d.llava3d.SceneOptions;
import org.adatoken3d.llava3d.scene.Scene;
import org.adatoken3d.llava3d.scene.SceneEncoder;
import org.adatoken3d.llava3d.scene.SceneFrame;
import org.adatoken3d.llava3d.scene.VoxelPooling;
import org.adatoken3d.llava3d.vision.ClipVisionConfig;
import org.adatoken3d.llava3d.vision.ClipVisionTower;
import org.adatoken3d.model.generation.Prompt;
import org.adatoken3d.pruning.GatePolicy;
import org.adatoken3d.pruning.PruneSpec;

/**
 * {@code bench ask}: the whole pipeline, scene folder to answer, timed stage by stage (read, CLIP, unprojection and
 * pooling, projector, prefill, decode), once unpruned and once with AdaToken, each a complete run from the scene's
 * files, after untimed runs of both on a few views (so the JIT has compiled every path before any timing); the
 * end-to-end speed-up of AdaToken over unpruned is the paper's headline quantity. With a PyTorch peer, the oracle runs
 * the same stages on the same views, prompt and policy in the same run ({@code adatoken_oracle.bench_ask}).
 */
public final class AskBench {
    /** Views of the untimed warm-up run: enough calls of every per-view path for the JIT to compile it. */
    static final int WARM_UP_VIEWS = 3;
    static final List<String> STAGES = List.of("read", "clip", "unprojection_pooling", "projector", "prefill", "decode");
    static final List<String> STAGE_NAMES = List.of("read + preprocess", "CLIP", "unprojection + pooling", "projector", "prefill", "decode");

    /** Seconds per stage, in {@link #STAGES} order; {@code wall}: the run from the scene's files to the last token. */
    public record Stages(double[] seconds, double wall) {
        public double sum() {
            return Arrays.stream(seconds).sum();
        }

        /** Each stage's median, and the median wall time, over several runs. */
        static Stages median(List<Stages> runs) {
            double[] s = new double[STAGES.size()];
            for (int i = 0; i < s.length; i++) {
                int stage = i;
                s[i] = KernelBench.median(runs.stream().mapToDouble(r -> r.seconds()[stage]).toArray());
            }
            return new Stages(s, KernelBench.median(runs.stream().mapToDouble(Stages::wall).toArray()));
        }
    }

    /** One policy's run. */
    public record Run(String policy, Stages stages, int spatialTokens, int kept, int promptTokens, double prefillFlopsShare, String answer) {}

    /** PyTorch's runs, unpruned and AdaToken, and its version. */
    public record TorchRuns(String version, Stages unpruned, Stages pruned, int spatialTokens, int kept) {}

    /**
     * @param gemmGflops our GEMM on the tower's MLP shape (577 rows, BF16 or F32 weights as the tower's), same run
     */
    public record Result(AskShape shape, int views, int patches, String question, int decodeTokens, int runs, Run unpruned, Run pruned,
            double visionFlops, double gemmGflops, String gemmShape, TorchRuns torch) {
        public double visionGflops() {
            return visionFlops / unpruned.stages().seconds()[1] / 1e9;
        }
    }

    /**
     * @param shape the model's shape (for the figures' labels and the FLOPs of the tower)
     * @param scene the scene folder (ScanNet layout) or EmbodiedScan info file
     * @param gate AdaToken's policy (a {@code tau=} or {@code keep=} gate)
     * @param views views sampled from the scene
     * @param decodeTokens answer tokens decoded (exactly: greedy, EOS not stopping them)
     * @param runs timed runs of each policy, in rounds that alternate them; every figure is the median
     */
    public record Plan(AskShape shape, Path scene, GatePolicy gate, int views, int decodeTokens, String question, int runs) {}

    private AskBench() {}

    public static Result run(Llava3d llava, Plan plan, TorchBench torch, BenchProgress progress) {
        Scene scene = Scene.open(plan.scene(), w -> progress.say("warning: " + w));
        GatePolicy none = new GatePolicy.NoPruning();
        int warmViews = Math.min(WARM_UP_VIEWS, plan.views());
        progress.say("bench ask: warm-up, both policies twice on " + warmViews + " view(s) (untimed)");
        EncodedScene warm = llava.encode(scene, new SceneOptions(warmViews, 0, null), SceneEncoder.Listener.SILENT);
        for (int round = 0; round < 2; round++) {
            for (GatePolicy g : List.of(none, plan.gate())) {
                llava.ask(llava.prompt(warm.tokens(), plan.question()), g, GenerationOptions.exactly(2), null, null);
            }
        }
        // Rounds alternate the policies, so that load drifting on a shared machine hits both alike.
        List<Timed> unprunedRuns = new ArrayList<>(), prunedRuns = new ArrayList<>();
        for (int round = 1; round <= plan.runs(); round++) {
            String of = plan.runs() == 1 ? "" : " (run " + round + " of " + plan.runs() + ")";
            unprunedRuns.add(timed(llava, scene, plan, none, "unpruned", of, progress));
            prunedRuns.add(timed(llava, scene, plan, plan.gate(), "AdaToken " + PruneSpec.format(plan.gate()), of, progress));
        }
        Timed unpruned = medians(unprunedRuns);
        Run pruned = medians(prunedRuns).run();
        ClipVisionConfig v = plan.shape().vision();
        WeightFormat towerFormat = plan.shape().dtype() == org.adatoken3d.weights.DType.F32 ? WeightFormat.F32 : WeightFormat.BF16;
        double gemm;
        // Several warm-ups and repeats: one multiplication at this shape takes milliseconds, so one slow sample of a
        // shared machine would otherwise set the figure the tower is compared with.
        try (KernelBench bench = new KernelBench(3, 9, progress::say)) {
            gemm = bench.gemm(List.of(towerFormat), v.patches() + 1, v.intermediate(), v.hidden()).getFirst().gflops();
        }
        String gemmShape = String.format(Locale.ROOT, "%s %d x %d x %d", towerFormat, v.patches() + 1, v.intermediate(), v.hidden());
        TorchRuns peer = torch == null ? null : torch(torch, llava, scene, plan, unpruned.prompt(), progress);
        return new Result(plan.shape(), plan.views(), plan.views() * v.patches(), plan.question(), plan.decodeTokens(), plan.runs(), unpruned.run(), pruned,
                plan.views() * plan.shape().visionFlopsPerView(), gemm, gemmShape, peer);
    }

    /** A run and the prompt it answered (the PyTorch peer is given the same ids around its spatial block). */
    private record Timed(Run run, Prompt prompt) {}

    /** The last run with each stage's median over all runs (the counts and the answer are the same in every run). */
    private static Timed medians(List<Timed> runs) {
        Run last = runs.getLast().run();
        Stages median = Stages.median(runs.stream().map(t -> t.run().stages()).toList());
        return new Timed(new Run(last.policy(), median, last.spatialTokens(), last.kept(), last.promptTokens(), last.prefillFlopsShare(), last.answer()),
                runs.getLast().prompt());
    }

    private static Timed timed(Llava3d llava, Scene scene, Plan plan, GatePolicy gate, String name, String of, BenchProgress progress) {
        progress.say("bench ask: " + name + of + ": " + plan.views() + " views -> answer");
        // Each run starts from a collected heap, so that no run pays for the garbage of the one before it.
        System.gc();
        long t0 = System.nanoTime();
        EncodedScene e = llava.encode(scene, new SceneOptions(plan.views(), 0, null), new SceneEncoder.Listener() {
            @Override
            public void stage(String line) {}

            @Override
            public void view(int done, int total) {
                if (done == total || done % 5 == 0) progress.say(String.format(Locale.ROOT, "  vision: view %d/%d (%.1f s)", done, total,
                        (System.nanoTime() - t0) / 1e9));
            }
        });
        Prompt prompt = llava.prompt(e.tokens(), plan.question());
        Answer a = llava.ask(prompt, gate, GenerationOptions.exactly(plan.decodeTokens()), null,
                progress.layers("  prefill", llava.model().config().numLayers()));
        double wall = (System.nanoTime() - t0) / 1e9;
        SceneEncoder.Timings t = e.timings();
        double[] s = {t.readNanos() / 1e9, t.visionNanos() / 1e9, (t.unprojectionNanos() + t.poolingNanos()) / 1e9, t.projectorNanos() / 1e9,
            a.prefillNanos() / 1e9, a.decodeNanos() / 1e9};
        StringBuilder line = new StringBuilder("  ");
        for (int i = 0; i < s.length; i++) line.append(String.format(Locale.ROOT, "%s %.2f s, ", STAGE_NAMES.get(i), s[i]));
        progress.say(line.append(String.format(Locale.ROOT, "wall %.2f s", wall)).toString());
        return new Timed(new Run(name, new Stages(s, wall), e.tokens().count(), a.keepSet().keptCount(), a.promptTokens(), a.prefillFlopsShare(),
                a.text()), prompt);
    }

    /** The PyTorch peer on the same views, prompt and policy. */
    private static TorchRuns torch(TorchBench torch, Llava3d llava, Scene scene, Plan plan, Prompt p, BenchProgress progress) {
        ObjectMapper om = new ObjectMapper();
        ObjectNode r = om.createObjectNode();
        r.put("model", llava.model().directory().toAbsolutePath().toString());
        r.put("threads", Parallel.threads());
        ArrayNode views = r.putArray("views");
        for (SceneFrame f : scene.sample(plan.views())) {
            ObjectNode o = views.addObject();
            o.put("color", f.color().toAbsolutePath().toString());
            o.put("depth", f.depth().toAbsolutePath().toString());
            putAll(o.putArray("pose"), f.pose().m());
        }
        var k = scene.depthIntrinsics();
        putAll(r.putArray("depth_intrinsic"), new double[] {k.fx(), 0, k.cx(), 0, 0, k.fy(), k.cy(), 0, 0, 0, 1, 0, 0, 0, 0, 1});
        putAll(r.putArray("axis_align"), scene.axisAlignment().m());
        r.put("depth_scale", scene.depthScale());
        ClipVisionConfig v = plan.shape().vision();
        ObjectNode clip = r.putObject("clip");
        clip.put("prefix", ClipVisionTower.LLAVA_PREFIX);
        clip.put("heads", v.heads());
        clip.put("eps", v.layerNormEps());
        clip.put("act", v.activation() == GeluForm.QUICK ? "quick_gelu" : v.activation() == GeluForm.TANH ? "gelu_new" : "gelu");
        clip.put("select_layer", ClipVisionTower.DEFAULT_SELECT_LAYER);
        clip.put("image_size", v.imageSize());
        clip.put("patch", v.patchSize());
        r.put("voxel_size", VoxelPooling.VOXEL_SIZE);
        r.put("max_tokens", VoxelPooling.MAX_TOKENS);
        r.put("cap_seed", 0);
        if (!p.embeddedRows().isEmpty()) throw new PeerException("the PyTorch peer runs questions without click tokens ([x, y, z])");
        long need = 0;
        for (var t : llava.model().checkpoint().tensors()) need += 4 * t.elementCount();
        long free = availableMemory();
        if (free > 0 && need > free) {
            throw new PeerException(String.format(Locale.ROOT, "the PyTorch peer widens every weight to float32: %.1f GB, more than the %.1f GB this "
                    + "machine has available; use fewer layers", need / 1e9, free / 1e9));
        }
        // The prompt as the engine built it, around its spatial block; the peer puts its own tokens there.
        int start = p.spatial().start(), end = p.spatial().end();
        ObjectNode prompt = r.putObject("prompt");
        putAll(prompt.putArray("prefix_ids"), Arrays.copyOfRange(p.ids(), 0, start));
        putAll(prompt.putArray("suffix_ids"), Arrays.copyOfRange(p.ids(), end, p.ids().length));
        r.set("policy", policy(om, plan.gate()));
        r.put("decode_tokens", plan.decodeTokens());
        r.put("runs", plan.runs());
        JsonNode out;
        Path file;
        try {
            file = Files.createTempFile("adatoken3d-bench-ask", ".json");
            Files.writeString(file, om.writeValueAsString(r));
        } catch (IOException e) {
            throw new UncheckedIOException("bench ask: cannot write the PyTorch request: " + e.getMessage(), e);
        }
        try {
            progress.say("bench ask: the same stages in PyTorch (adatoken_oracle.bench_ask)");
            out = torch.run("the PyTorch bench ask", List.of("-m", "adatoken_oracle.bench_ask", "--request", file.toString()));
        } finally {
            try {
                Files.deleteIfExists(file);
            } catch (IOException e) {
                progress.say("warning: could not remove " + file);
            }
        }
        JsonNode runs = out.path("runs");
        if (runs.size() != 2) throw new PeerException("the PyTorch bench ask printed " + runs.size() + " runs, not 2");
        return new TorchRuns(out.path("torch").asText(), stages(runs.get(0)), stages(runs.get(1)), runs.get(0).path("spatial_tokens").asInt(),
                runs.get(1).path("kept").asInt());
    }

    /** MemAvailable of /proc/meminfo in bytes, or 0 when it cannot be read. */
    private static long availableMemory() {
        try {
            for (String line : Files.readAllLines(Path.of("/proc/meminfo"))) {
                if (line.startsWith("MemAvailable:")) return 1024 * Long.parseLong(line.replaceAll("\\D+", ""));
            }
        } catch (IOException | RuntimeException e) {
            // Not Linux: let the peer try.
        }
        return 0;
    }

    /** AdaToken's gate as the oracle's PrunePolicy reads it: a keep ratio or a tau, with its layer and query rows. */
    private static ObjectNode policy(ObjectMapper om, GatePolicy gate) {
        ObjectNode p = om.createObjectNode();
        switch (gate) {
            case GatePolicy.KeepRatio k -> {
                p.put("kind", "keep");
                p.put("text", java.math.BigDecimal.valueOf(k.ratio()).toPlainString());
                p.put("min_keep", k.minKeep());
                maxKeep(p, k.maxKeep());
            }
            case GatePolicy.AdaptiveGate a -> {
                p.put("kind", "tau");
                p.put("text", java.math.BigDecimal.valueOf(a.tau()).toPlainString());
                p.put("min_keep", a.minKeep());
                maxKeep(p, a.maxKeep());
            }
            default -> throw new PeerException("the PyTorch peer runs AdaToken's keep=R and tau=T gates, not " + PruneSpec.format(gate));
        }
        p.put("layer", gate.layer());
        p.put("query", gate.query().spec());
        return p;
    }

    /** Whether the PyTorch peer can run {@code gate} (the oracle's gate has the keep and tau forms). */
    public static boolean peerRuns(GatePolicy gate) {
        return gate instanceof GatePolicy.KeepRatio || gate instanceof GatePolicy.AdaptiveGate;
    }

    private static void maxKeep(ObjectNode p, int maxKeep) {
        if (maxKeep == GatePolicy.AdaptiveGate.UNBOUNDED) p.putNull("max_keep");
        else p.put("max_keep", maxKeep);
    }

    private static Stages stages(JsonNode run) {
        double[] s = new double[STAGES.size()];
        for (int i = 0; i < s.length; i++) s[i] = run.path("seconds").path(STAGES.get(i)).asDouble(Double.NaN);
        return new Stages(s, Arrays.stream(s).sum());
    }

    private static void putAll(ArrayNode a, double[] values) {
        for (double v : values) a.add(v);
    }

    private static void putAll(ArrayNode a, int[] values) {
        for (int v : values) a.add(v);
    }

    public static void print(Result r, PrintStream out) {
        Run u = r.unpruned(), p = r.pruned();
        out.printf(Locale.ROOT, "bench ask: %s, %d threads, %s%n", CpuName.get(), Parallel.threads(), "scene folder -> answer");
        out.printf(Locale.ROOT, "  shape: %s%n", r.shape().describe());
        out.printf(Locale.ROOT, "  scene: %d views -> %d patches -> %d spatial tokens; prompt %d tokens; %d answer tokens decoded (greedy)%n",
                r.views(), r.patches(), u.spatialTokens(), u.promptTokens(), r.decodeTokens());
        out.printf(Locale.ROOT, "  question: \"%s\"; %s%n", r.question(), r.runs() == 1 ? "one run of each policy"
                : "medians of " + r.runs() + " runs of each policy, in rounds alternating them");
        out.printf(Locale.ROOT, "  %s: kept %d of %d spatial tokens (%.1f%%), prefill FLOPs %.1f%% of unpruned%n", p.policy(), p.kept(), p.spatialTokens(),
                100.0 * p.kept() / p.spatialTokens(), 100 * p.prefillFlopsShare());
        TorchRuns t = r.torch();
        List<String> header = new ArrayList<>(List.of("stage", "unpruned s", "AdaToken s"));
        if (t != null) header.addAll(List.of("PyTorch unpruned s", "PyTorch AdaToken s", "speed-up over PyTorch (unpruned, AdaToken)"));
        TextTable table = new TextTable(header.toArray(String[]::new));
        for (int i = 0; i < STAGES.size(); i++) {
            row(table, STAGE_NAMES.get(i) + (i == 5 ? " (" + (r.decodeTokens() - 1) + " tokens)" : ""), u.stages().seconds()[i],
                    p.stages().seconds()[i], t == null ? null : t.unpruned().seconds()[i], t == null ? null : t.pruned().seconds()[i]);
        }
        row(table, "sum of the stages", u.stages().sum(), p.stages().sum(), t == null ? null : t.unpruned().sum(), t == null ? null : t.pruned().sum());
        row(table, "end to end (wall)", u.stages().wall(), p.stages().wall(), null, null);
        table.print(out, "  ");
        double speedup = u.stages().wall() / p.stages().wall();
        out.printf(Locale.ROOT, "  end-to-end speed-up of AdaToken over unpruned: %.2fx (prefill alone %.2fx)%s; the paper: 1.21x on GPU%n", speedup,
                u.stages().seconds()[4] / p.stages().seconds()[4],
                t == null ? "" : String.format(Locale.ROOT, "; PyTorch's %.2fx", t.unpruned().sum() / t.pruned().sum()));
        if (t != null) {
            out.printf(Locale.ROOT, "  PyTorch %s, float32 eager, the oracle's stages (%d spatial tokens, AdaToken kept %d): whole pipeline %.2fx faster here "
                    + "unpruned, %.2fx with AdaToken%n", t.version(), t.spatialTokens(), t.kept(), t.unpruned().sum() / u.stages().sum(),
                    t.pruned().sum() / p.stages().sum());
        }
        double share = r.visionGflops() / r.gemmGflops();
        out.printf(Locale.ROOT, "  CLIP tower: %.1f GFLOP/s, %.2f of our GEMM's %.1f GFLOP/s on its MLP shape (%s) in this run (issue 17: >= 0.8; %s)%n",
                r.visionGflops(), share, r.gemmGflops(), r.gemmShape(), share >= 0.8 ? "met" : "NOT MET");
        out.printf(Locale.ROOT, "  answers (synthetic weights: meaningless): unpruned \"%s\", AdaToken \"%s\"%n", printable(u.answer()), printable(p.answer()));
    }

    private static void row(TextTable table, String name, double ours, double oursPruned, Double torch, Double torchPruned) {
        List<Object> cells = new ArrayList<>(List.of(name, fmt(ours), fmt(oursPruned)));
        if (table.columns() > 3) {
            cells.add(torch == null ? "-" : fmt(torch));
            cells.add(torchPruned == null ? "-" : fmt(torchPruned));
            cells.add(torch == null ? "-" : String.format(Locale.ROOT, "%.2fx, %.2fx", torch / ours, torchPruned / oursPruned));
        }
        table.row(cells.toArray());
    }

    private static String fmt(double seconds) {
        return String.format(Locale.ROOT, seconds < 10 ? "%.3f" : "%.2f", seconds);
    }

    private static String printable(String s) {
        StringBuilder b = new StringBuilder();
        s.strip().codePoints().limit(60).forEach(c -> b.appendCodePoint(Character.isISOControl(c) ? ' ' : c));
        return b.toString();
    }
}
