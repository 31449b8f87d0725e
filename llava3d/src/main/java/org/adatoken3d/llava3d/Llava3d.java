package org.adatoken3d.llava3d;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.function.IntConsumer;
import org.adatoken3d.kernels.EngineArgumentException;
import org.adatoken3d.kernels.Parallel;
import org.adatoken3d.kernels.backend.Backends;
import org.adatoken3d.llava3d.prompt.ClickQuestion;
import org.adatoken3d.llava3d.prompt.SpatialPrompt;
import org.adatoken3d.llava3d.scene.Scene;
import org.adatoken3d.llava3d.scene.SceneEncoder;
import org.adatoken3d.llava3d.spatial.ClickEncoder;
import org.adatoken3d.llava3d.spatial.Projector;
import org.adatoken3d.llava3d.spatial.SpatialTokens;
import org.adatoken3d.llava3d.vision.ClipVisionTower;
import org.adatoken3d.model.Model;
import org.adatoken3d.model.decoder.PrefillRequest;
import org.adatoken3d.model.decoder.PrefillResult;
import org.adatoken3d.model.generation.Generation;
import org.adatoken3d.model.generation.Generator;
import org.adatoken3d.model.generation.Prompt;
import org.adatoken3d.model.generation.TokenListener;
import org.adatoken3d.pruning.CalibrationSample;
import org.adatoken3d.pruning.FlopsModel;
import org.adatoken3d.pruning.FlopsReport;
import org.adatoken3d.pruning.GatePolicy;
import org.adatoken3d.pruning.KeepSet;
import org.adatoken3d.pruning.PruneSpec;
import org.adatoken3d.pruning.QuerySet;
import org.adatoken3d.weights.LlavaConfig;

/**
 * The LLaVA-3D pipeline in one object: a model folder opened once, scenes encoded into spatial tokens, and
 * questions answered with AdaToken pruning of the spatial block during prefill.
 *
 * <pre>{@code
 * try (Llava3d llava = Llava3d.open(modelDir, EngineOptions.defaults())) {
 *     SpatialTokens room = llava.encode(sceneDir, SceneOptions.defaults()).tokens();
 *     Answer a = llava.ask(room, "What colour is the chair?", llava.policy("auto"), GenerationOptions.greedy(64), System.out::print);
 * }
 * }</pre>
 *
 * The projector, the vision tower and the click encoder are loaded on first use and kept, so a checkpoint that lacks
 * one only fails when a request needs it. One instance may serve requests from several threads one at a time; it is
 * not safe to ask from two threads at once.
 */
public final class Llava3d implements AutoCloseable {
    private final Model model;
    private final EngineOptions options;
    private final FlopsModel flops;
    private Projector projector;
    private ClipVisionTower tower;
    private SceneEncoder sceneEncoder;
    private ClickEncoder clickEncoder;

    private Llava3d(Model model, EngineOptions options) {
        this.model = model;
        this.options = options;
        this.flops = new FlopsModel(model.decoderShape());
    }

    /** Opens a Hugging Face layout model folder (config.json, safetensors, tokenizer), memory-mapping its weights. */
    public static Llava3d open(Path modelDir, EngineOptions options) {
        if (options.threads() > 0) Parallel.setThreads(options.threads());
        return new Llava3d(Model.open(modelDir, options.storage(), options.ropeStyle(), Backends.open(options.device())), options);
    }

    /** The decoder, tokenizer, config and checkpoint, for work below the pipeline (benchmarks, the oracle interface). */
    public Model model() {
        return model;
    }

    public EngineOptions options() {
        return options;
    }

    /**
     * A gate policy as written on a command line ({@code none}, {@code tau=0.05}, {@code keep=0.3}, {@code fastv},
     * {@code random}, {@code auto}, with options); {@code auto} reads the model folder's calibrated profile.
     */
    public GatePolicy policy(String spec) {
        return policy(spec, null);
    }

    /** As {@link #policy(String)}, reading {@code auto} from {@code profile} when it is not null. */
    public GatePolicy policy(String spec, Path profile) {
        return PruneSpec.parse(spec).resolve(model.directory(), profile, model.config().numLayers());
    }

    /** True when the model folder has a calibrated pruning profile, so {@code auto} works. */
    public boolean hasProfile() {
        return Files.isRegularFile(model.directory().resolve(PruneSpec.PROFILE_FILE_NAME));
    }

    /**
     * A scene to spatial tokens: a ScanNet export folder or an EmbodiedScan info JSON (views through the CLIP tower,
     * unprojected, pooled into voxels and projected), or a {@code .safetensors} file of precomputed tokens (see
     * {@link SpatialTokens}).
     */
    public EncodedScene encode(Path scene, SceneOptions sceneOptions) {
        return encode(scene, sceneOptions, SceneEncoder.Listener.SILENT);
    }

    /** As {@link #encode(Path, SceneOptions)}, telling {@code listener} each stage, view and warning. */
    public EncodedScene encode(Path scene, SceneOptions sceneOptions, SceneEncoder.Listener listener) {
        if (Files.isRegularFile(scene) && scene.getFileName().toString().endsWith(".safetensors")) {
            return EncodedScene.precomputed(spatialTokens(scene));
        }
        Scene opened = Scene.open(scene, w -> listener.stage("warning: " + w));
        return encode(sceneOptions.depthScale() != null ? opened.withDepthScale(sceneOptions.depthScale()) : opened, sceneOptions, listener);
    }

    /** An opened scene to spatial tokens, through the vision tower (loaded once, on first use). */
    public EncodedScene encode(Scene scene, SceneOptions sceneOptions, SceneEncoder.Listener listener) {
        var picked = scene.sample(sceneOptions.views());
        listener.stage(String.format("scene %s (%s): %d frames with a valid pose (%d skipped), %d views, depth %s units/m",
                scene.source(), scene.layout(), scene.frames().size(), scene.skipped(), picked.size(), number(scene.depthScale())));
        SceneEncoder encoder = sceneEncoder(listener);
        return EncodedScene.of(encoder.encode(scene, picked, sceneOptions.seed(), listener));
    }

    /** Precomputed spatial tokens from a file: {@code embeds [N, hidden]}, or {@code features [N, mm_hidden]} projected here. */
    public SpatialTokens spatialTokens(Path file) {
        return SpatialTokens.read(file, model.config().hiddenSize(), this::projector);
    }

    /** The {@code llava_v1} prompt for {@code question} about {@code scene}, a click token for each {@code [x, y, z]}. */
    public Prompt prompt(SpatialTokens scene, String question) {
        return SpatialPrompt.build(model.tokenizer(), question, scene, this::clickEncoder);
    }

    /**
     * The {@code llava_v1} prompt for a whole chat about {@code scene} (null: a text-only chat): the first user turn as
     * {@link #prompt} renders a question, each later turn after the answer before it (see {@link ChatPrompts}). A chat
     * the template cannot hold is refused ({@link org.adatoken3d.kernels.EngineArgumentException} naming
     * {@code messages} or {@code messages[i]}), never cut down.
     */
    public Prompt chatPrompt(List<ChatTurn> messages, SpatialTokens scene) {
        return ChatPrompts.build(this, messages, scene);
    }

    /**
     * Answers {@code question} about {@code scene}: the prompt's spatial block gated by {@code gate} during prefill
     * (the KV cache keeps only what the gate kept), then generation. {@code listener} (may be null) hears the text
     * as it comes and may cancel.
     */
    public Answer ask(SpatialTokens scene, String question, GatePolicy gate, GenerationOptions generation, TokenListener listener) {
        // A malformed click fails before any work on the scene.
        ClickQuestion.parse(question);
        return ask(prompt(scene, question), gate, generation, listener, null);
    }

    /** Answers a ready prompt (text-only when it has no spatial block); {@code onLayer} (may be null) hears prefill progress. */
    public Answer ask(Prompt prompt, GatePolicy gate, GenerationOptions generation, TokenListener listener, IntConsumer onLayer) {
        if (prompt.spatial() == null && gate.gates()) {
            throw new EngineArgumentException("prune", "needs spatial tokens in the prompt; this prompt is text only");
        }
        PrefillRequest request = PrefillRequest.gated(prompt.spatial(), gate);
        Generator generator = generation.stopAtEos() ? new Generator(model.decoder(), model.tokenizer())
                : new Generator(model.decoder(), model.hasTokenizer() ? model.tokenizer() : null, Generator.NO_EOS);
        Generation g = generator.generate(prompt, request, generation.sampling(),
                generation.maxTokens(), options.kvBudgetBytes(), listener, onLayer);
        KeepSet keep = keepSet(prompt, g.prefill());
        FlopsReport report = flops(prompt.ids().length, gate, keep);
        return new Answer(g.text(), g.generated(), g.stop(), keep, report, g.cache().usedBytes(), g.promptTokens(), g.prefillNanos(),
                g.decodeNanos());
    }

    /** The FLOPs model's account of a prompt of {@code promptTokens} under {@code gate}, which kept {@code keep}. */
    public FlopsReport flops(int promptTokens, GatePolicy gate, KeepSet keep) {
        return flops.report(promptTokens, gate.gates() ? gate.layer() : model.config().numLayers(), keep, FlopsModel.Logits.LAST_TOKEN);
    }

    /** The tokens a prefill kept: the gate's keep-set, or every spatial token when it did not gate. */
    public static KeepSet keepSet(Prompt prompt, PrefillResult prefill) {
        if (prefill.keepSet() != null) return prefill.keepSet();
        return KeepSet.all(prompt.spatial() == null ? 0 : prompt.spatial().count());
    }

    /**
     * Attention pattern mining on one input: an unpruned prefill recording the spatial share and the contribution of
     * every spatial token at every layer, measured from the rows of {@code query}.
     */
    public CalibrationSample measure(Prompt prompt, QuerySet query) {
        PrefillRequest request = new PrefillRequest(prompt.spatial(), new GatePolicy.NoPruning(), query, true, PrefillRequest.Logits.LAST);
        var decoder = model.decoder();
        decoder.checkFitsContext(prompt.ids().length);
        var cache = decoder.newCache(prompt.ids().length, options.kvBudgetBytes());
        PrefillResult result = decoder.prefill(prompt.embed(decoder), prompt.ids().length, cache, request, null);
        return CalibrationSample.of(prompt.ids().length, result.contributions());
    }

    /** The model's mm_projector (loaded once). */
    public synchronized Projector projector() {
        if (projector == null) projector = Projector.load(model.checkpoint(), model.llavaConfig().orElse(null));
        return projector;
    }

    private synchronized ClickEncoder clickEncoder() {
        if (clickEncoder == null) clickEncoder = ClickEncoder.load(model.checkpoint(), model.config());
        return clickEncoder;
    }

    private synchronized SceneEncoder sceneEncoder(SceneEncoder.Listener listener) {
        if (sceneEncoder == null) {
            tower = ClipVisionTower.locate(model.checkpoint(), options.visionTower(), model.llavaConfig().map(LlavaConfig::mmVisionSelectLayer).orElse(null));
            listener.stage(String.format("vision tower: %s, %d x %d patches of %d px, width %d, %d of %d layers run", tower.source(),
                    tower.config().grid(), tower.config().grid(), tower.config().patchSize(), tower.config().hidden(), tower.layersRun(),
                    tower.config().layers()));
            sceneEncoder = SceneEncoder.of(model.checkpoint(), tower, projector());
        }
        return sceneEncoder;
    }

    private static String number(double v) {
        return v == Math.rint(v) && Math.abs(v) < 1e15 ? String.valueOf((long) v) : String.valueOf(v);
    }

    @Override
    public synchronized void close() {
        try {
            if (tower != null) tower.close();
        } finally {
            model.close();
        }
    }
}
