package org.adatoken3d.conformance;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import com.fasterxml.jackson.databind.ObjectMapper;
import java.lang.foreign.ValueLayout;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;
import org.adatoken3d.kernels.GeluForm;
import org.adatoken3d.llava3d.spatial.ClickEncoder;
import org.adatoken3d.llava3d.spatial.Projector;
import org.adatoken3d.llava3d.prompt.ClickQuestion;
import org.adatoken3d.llava3d.scene.CameraIntrinsics;
import org.adatoken3d.llava3d.vision.ClipImageProcessor;
import org.adatoken3d.llava3d.scene.DepthImage;
import org.adatoken3d.llava3d.scene.Matrix4;
import org.adatoken3d.llava3d.spatial.PositionEmbedding3d;
import org.adatoken3d.llava3d.scene.ProcessedDepth;
import org.adatoken3d.llava3d.scene.RgbImage;
import org.adatoken3d.llava3d.scene.Unprojection;
import org.adatoken3d.llava3d.scene.VoxelPooling;
import org.adatoken3d.llava3d.vision.ClipVisionConfig;
import org.adatoken3d.llava3d.vision.ClipVisionTower;
import org.adatoken3d.testing.SeededCases;
import org.adatoken3d.weights.Checkpoint;
import org.adatoken3d.weights.DType;
import org.adatoken3d.weights.DecoderConfig;
import org.adatoken3d.weights.LlavaConfig;
import org.adatoken3d.weights.ModelConfig;
import org.adatoken3d.weights.SafetensorsFile;
import org.adatoken3d.weights.SafetensorsWriter;
import org.adatoken3d.weights.Tensor;
import org.adatoken3d.weights.TensorSource;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The LLaVA-3D front end against the PyTorch oracle ({@code adatoken_oracle.frontend}, FORMAT.md section 12), one
 * property per stage: Java draws each case's inputs from its seed and writes them as a front-end fixture, the oracle
 * computes every case's expected outputs in one run, and each property re-draws its cases and compares the engine's
 * stage with them. Without PyTorch (and Pillow) these fail under CI and otherwise report that they did not run.
 */
class FrontEndOracleTest {
    static final String FORMAT = "adatoken3d-frontend/1";
    static final int CASES = 40;
    private static final ObjectMapper JSON = new ObjectMapper();

    @TempDir static Path tmp;
    private static String unavailable;

    /** Every stage: its property name (also the case folder prefix), how many cases, and how to draw one. */
    private enum Stage {
        CLIP("clipPreprocessingMatchesPillowAndHuggingFace", CASES),
        DEPTH("depthPreprocessingMatchesLlava3d", CASES),
        UNPROJECT("unprojectionMatchesLlava3d", CASES),
        VOXELS("voxelPoolingMatchesLlava3d", CASES),
        VIT("clipTowerMatchesHuggingFaceClipVisionModel", 25),
        POSITION("positionMlpMatchesLlava3d", 20),
        PROJECTOR("projectorMatchesLlavaMlp2xGelu", 20),
        CLICK("clickTokensMatchLlava3dClickEncoder", 25);

        final String property;
        final int count;

        Stage(String property, int count) {
            this.property = property;
            this.count = count;
        }
    }

    @BeforeAll
    static void generateFixtures() throws Exception {
        unavailable = oracleUnavailable();
        if (unavailable != null) return;
        Path cases = tmp.resolve("cases");
        Files.createDirectories(cases);
        for (Stage stage : Stage.values()) {
            SeededCases.draw(stage.property + "Fixtures", stage.count, rnd -> draw(stage, rnd).write(cases));
        }
        runOracle(cases);
    }

    @Test
    void clipPreprocessingMatchesPillowAndHuggingFace() {
        check(Stage.CLIP, (c, expected) -> {
            int size = c.param("size");
            float[] got = ClipImageProcessor.preprocess(new RgbImage(c.param("w"), c.param("h"), c.bytes("rgb")), size);
            // Pillow's bicubic is integer arithmetic and the normalisation the same f32 operations: exact.
            compare("pixel_values", expected.tensor("pixel_values").toFloatArray(), got, 0, 0);
        });
    }

    @Test
    void depthPreprocessingMatchesLlava3d() {
        check(Stage.DEPTH, (c, expected) -> {
            int w = c.param("w"), h = c.param("h");
            char[] units = new char[w * h];
            int[] raw = c.ints("depth");
            for (int i = 0; i < units.length; i++) units[i] = (char) raw[i];
            double[] k = c.doubles("intrinsic");
            ProcessedDepth d = ProcessedDepth.of(Path.of(c.name), new DepthImage(w, h, units), new CameraIntrinsics(k[0], k[5], k[2], k[6]),
                    c.param("size"), c.doubleParam("depth_scale"));
            compare("depth", expected.tensor("depth").toFloatArray(), d.metres(), 0, 0);
            double[] want = doubles(expected.tensor("intrinsic"));
            double[] gotK = {d.intrinsics().fx(), d.intrinsics().fy(), d.intrinsics().cx(), d.intrinsics().cy()};
            double[] wantK = {want[0], want[5], want[2], want[6]};
            for (int i = 0; i < 4; i++) assertEquals(wantK[i], gotK[i], 1e-9 * (1 + Math.abs(wantK[i])), "intrinsic " + i);
        });
    }

    @Test
    void unprojectionMatchesLlava3d() {
        check(Stage.UNPROJECT, (c, expected) -> {
            int size = c.param("size");
            double[] k = c.doubles("intrinsic");
            ProcessedDepth d = new ProcessedDepth(size, c.floats("depth"), new CameraIntrinsics(k[0], k[5], k[2], k[6]));
            Matrix4 world = new Matrix4(c.doubles("axis_align")).times(new Matrix4(c.doubles("pose")));
            compare("xyz", expected.tensor("xyz").toFloatArray(), Unprojection.patchXyz(d, world, c.param("grid")), 1e-5, 1e-6);
        });
    }

    @Test
    void voxelPoolingMatchesLlava3d() {
        check(Stage.VOXELS, (c, expected) -> {
            int n = c.param("points"), width = c.param("width");
            VoxelPooling.Voxels v = VoxelPooling.pool(c.floats("xyz"), c.floats("features"), n, width, c.doubleParam("voxel_size"));
            Tensor voxel = expected.tensor("voxel_of_point");
            for (int p = 0; p < n; p++) assertEquals(voxel.getLong(p), v.voxelOfPoint()[p], "voxel of point " + p);
            compare("features", expected.tensor("features").toFloatArray(), v.features(), 1e-6, 1e-5);
            compare("xyz", expected.tensor("xyz").toFloatArray(), v.xyz(), 1e-6, 1e-5);
        });
    }

    @Test
    void clipTowerMatchesHuggingFaceClipVisionModel() {
        check(Stage.VIT, (c, expected) -> {
            Path model = c.dir.resolve("model");
            try (Checkpoint ckpt = Checkpoint.open(model); ClipVisionTower tower = ClipVisionTower.load(ckpt, ClipVisionTower.CLIP_PREFIX,
                    ClipVisionConfig.readHints(model.resolve("config.json")), c.param("select_layer"), null)) {
                compare("features", expected.tensor("features").toFloatArray(), tower.encode(c.floats("pixel_values")), 2e-4, 1e-3);
            }
        });
    }

    @Test
    void positionMlpMatchesLlava3d() {
        check(Stage.POSITION, (c, expected) -> {
            try (Checkpoint ckpt = Checkpoint.open(c.dir.resolve("model"))) {
                PositionEmbedding3d mlp = PositionEmbedding3d.load(ckpt, c.stringParam("prefix"));
                compare("embeds", expected.tensor("embeds").toFloatArray(), mlp.embed(c.floats("xyz"), c.param("points")), 1e-4, 1e-4);
            }
        });
    }

    @Test
    void projectorMatchesLlavaMlp2xGelu() {
        check(Stage.PROJECTOR, (c, expected) -> {
            int hidden = c.param("hidden");
            LlavaConfig config = ModelConfig.builder(DecoderConfig.Family.LLAMA).hiddenSize(hidden).intermediateSize(hidden).numLayers(1)
                    .numHeads(1).vocabSize(8).maxPositionEmbeddings(16).mmHiddenSize(c.param("mm")).mmProjectorType("mlp2x_gelu").build().llava();
            try (Checkpoint ckpt = Checkpoint.open(c.dir.resolve("model"))) {
                Projector projector = Projector.load(ckpt, config);
                compare("embeds", expected.tensor("embeds").toFloatArray(), projector.project(c.floats("features"), c.param("rows")), 1e-4, 1e-4);
            }
        });
    }

    @Test
    void clickTokensMatchLlava3dClickEncoder() {
        check(Stage.CLICK, (c, expected) -> {
            String question = new String(c.bytes("question"), StandardCharsets.UTF_8);
            ClickQuestion q = ClickQuestion.parse(question);
            Tensor spans = expected.tensor("spans");
            double[] xyz = doubles(expected.tensor("xyz"));
            assertEquals(spans.dim(0), q.clicks().size(), "clicks found in " + question);
            for (int i = 0; i < q.clicks().size(); i++) {
                ClickQuestion.Click k = q.clicks().get(i);
                assertEquals(spans.getLong(2 * i), k.start(), "start of click " + i + " in " + question);
                assertEquals(spans.getLong(2 * i + 1), k.end(), "end of click " + i + " in " + question);
                // Both sides parse the same decimal text with correct rounding: the same doubles.
                assertEquals(xyz[3 * i], k.x(), 0, "x of click " + i + " in " + question);
                assertEquals(xyz[3 * i + 1], k.y(), 0, "y of click " + i + " in " + question);
                assertEquals(xyz[3 * i + 2], k.z(), 0, "z of click " + i + " in " + question);
            }
            DecoderConfig config = ModelConfig.builder(DecoderConfig.Family.LLAMA).hiddenSize(c.param("hidden")).intermediateSize(4).numLayers(1)
                    .numHeads(1).vocabSize(8).maxPositionEmbeddings(16).build().decoder();
            try (Checkpoint ckpt = Checkpoint.open(c.dir.resolve("model"))) {
                compare("embeds", expected.tensor("embeds").toFloatArray(), ClickEncoder.load(ckpt, config).encode(q.clicks()), 1e-4, 1e-4);
            }
        });
    }

    // ------------------------------------------------------------------ case drawing

    /** One case's inputs, as drawn from its seed. */
    private static final class Case {
        final String name;
        final String kind;
        final Map<String, Object> params = new LinkedHashMap<>();
        final Map<String, TensorSource> inputs = new LinkedHashMap<>();
        final Map<String, Object> values = new LinkedHashMap<>();
        final List<TensorSource> model = new ArrayList<>();
        String modelConfig;
        Path dir;

        Case(String property, String kind, SplittableRandom rnd) {
            this.name = property + "-" + Long.toHexString(rnd.nextLong());
            this.kind = kind;
        }

        int param(String key) {
            return ((Number) params.get(key)).intValue();
        }

        double doubleParam(String key) {
            return ((Number) params.get(key)).doubleValue();
        }

        String stringParam(String key) {
            return (String) params.get(key);
        }

        byte[] bytes(String name) {
            return (byte[]) values.get(name);
        }

        int[] ints(String name) {
            return (int[]) values.get(name);
        }

        float[] floats(String name) {
            return (float[]) values.get(name);
        }

        double[] doubles(String name) {
            return (double[]) values.get(name);
        }

        void u8(String name, byte[] v, long... shape) {
            values.put(name, v);
            inputs.put(name, TensorSource.ofBytes(name, DType.U8, shape, v));
        }

        void i32(String name, int[] v, long... shape) {
            values.put(name, v);
            inputs.put(name, TensorSource.ofInts(name, shape, v));
        }

        void f32(String name, float[] v, long... shape) {
            values.put(name, v);
            inputs.put(name, TensorSource.ofFloats(name, DType.F32, shape, v));
        }

        void f64(String name, double[] v, long... shape) {
            values.put(name, v);
            ByteBuffer b = ByteBuffer.allocate(v.length * 8).order(ByteOrder.LITTLE_ENDIAN);
            for (double d : v) b.putDouble(d);
            inputs.put(name, TensorSource.ofBytes(name, DType.F64, shape, b.array()));
        }

        Case write(Path root) throws Exception {
            dir = root.resolve(name);
            Files.createDirectories(dir);
            Map<String, Object> json = new LinkedHashMap<>();
            json.put("format", FORMAT);
            json.put("kind", kind);
            json.put("params", params);
            Files.writeString(dir.resolve("case.json"), JSON.writerWithDefaultPrettyPrinter().writeValueAsString(json));
            SafetensorsWriter.write(dir.resolve("inputs.safetensors"), Map.of("format", FORMAT), List.copyOf(inputs.values()));
            if (!model.isEmpty()) {
                Files.createDirectories(dir.resolve("model"));
                SafetensorsWriter.write(dir.resolve("model/model.safetensors"), Map.of("format", "pt"), model);
                if (modelConfig != null) Files.writeString(dir.resolve("model/config.json"), modelConfig);
            }
            return this;
        }
    }

    private static Case draw(Stage stage, SplittableRandom rnd) {
        Case c = new Case(stage.property, switch (stage) {
            case CLIP -> "clip_preprocess";
            case DEPTH -> "depth_preprocess";
            case UNPROJECT -> "unproject";
            case VOXELS -> "voxel_pool";
            case VIT -> "vit";
            case POSITION -> "position_mlp";
            case PROJECTOR -> "projector";
            case CLICK -> "click";
        }, rnd);
        switch (stage) {
            case CLIP -> {
                int w = SeededCases.between(rnd, 1, 90), h = SeededCases.between(rnd, 1, 90), size = SeededCases.between(rnd, 1, 48);
                c.params.put("w", w);
                c.params.put("h", h);
                c.params.put("size", size);
                byte[] rgb = new byte[w * h * 3];
                // Noise, smooth ramps and hard edges: each stresses the kernel's overshoot and clipping differently.
                int style = rnd.nextInt(3);
                double fx = rnd.nextDouble() * 0.5, fy = rnd.nextDouble() * 0.5;
                for (int y = 0; y < h; y++) for (int x = 0; x < w; x++) for (int ch = 0; ch < 3; ch++) {
                    int v = switch (style) {
                        case 0 -> rnd.nextInt(256);
                        case 1 -> (int) (127.5 + 127.5 * Math.sin(fx * x * (ch + 1) + fy * y));
                        default -> ((x / 3 + y / 5 + ch) % 2) * 255;
                    };
                    rgb[(y * w + x) * 3 + ch] = (byte) v;
                }
                c.u8("rgb", rgb, h, w, 3);
            }
            case DEPTH -> {
                boolean portrait = rnd.nextInt(4) == 0;
                int a = SeededCases.between(rnd, 2, 100), b = SeededCases.between(rnd, 2, a);
                int w = portrait ? b : a, h = portrait ? a : b;
                int size = 2 * SeededCases.between(rnd, 1, 24);
                c.params.put("w", w);
                c.params.put("h", h);
                c.params.put("size", size);
                c.params.put("depth_scale", rnd.nextInt(4) == 0 ? 4000.0 : 1000.0);
                int[] depth = new int[w * h];
                for (int i = 0; i < depth.length; i++) depth[i] = rnd.nextInt(5) == 0 ? 0 : rnd.nextInt(65536);
                depth[rnd.nextInt(depth.length)] = 1 + rnd.nextInt(65535);
                c.i32("depth", depth, h, w);
                c.f64("intrinsic", intrinsic(rnd, w, h), 4, 4);
            }
            case UNPROJECT -> {
                int grid = SeededCases.between(rnd, 1, 6), size = grid * SeededCases.between(rnd, 1, 8);
                c.params.put("size", size);
                c.params.put("grid", grid);
                float[] depth = new float[size * size];
                for (int i = 0; i < depth.length; i++) depth[i] = rnd.nextInt(8) == 0 ? 0 : (float) (rnd.nextDouble() * 6);
                c.f32("depth", depth, size, size);
                c.f64("intrinsic", intrinsic(rnd, size, size), 4, 4);
                c.f64("pose", rigid(rnd, 4), 4, 4);
                c.f64("axis_align", rigid(rnd, 8), 4, 4);
            }
            case VOXELS -> {
                int n = SeededCases.between(rnd, 1, 500), width = SeededCases.between(rnd, 1, 16);
                double extent = 0.05 + rnd.nextDouble() * 6, offset = (rnd.nextDouble() - 0.5) * 10;
                c.params.put("points", n);
                c.params.put("width", width);
                c.params.put("voxel_size", rnd.nextInt(4) == 0 ? 0.1 + rnd.nextDouble() * 0.4 : 0.2);
                float[] xyz = new float[n * 3];
                for (int i = 0; i < xyz.length; i++) xyz[i] = (float) (offset + rnd.nextDouble() * extent);
                c.f32("xyz", xyz, n, 3);
                c.f32("features", SeededCases.uniform(rnd, n * width, 3f), n, width);
            }
            case VIT -> drawTower(c, rnd);
            case POSITION -> {
                int d = SeededCases.between(rnd, 1, 64), n = SeededCases.between(rnd, 1, 50);
                String prefix = rnd.nextBoolean() ? PositionEmbedding3d.SCENE_PREFIX : PositionEmbedding3d.CLICK_PREFIX;
                c.params.put("points", n);
                c.params.put("prefix", prefix);
                positionMlp(c, rnd, prefix, d);
                c.f32("xyz", SeededCases.uniform(rnd, n * 3, 6f), n, 3);
            }
            case CLICK -> {
                int d = SeededCases.between(rnd, 1, 64);
                c.params.put("hidden", d);
                positionMlp(c, rnd, PositionEmbedding3d.CLICK_PREFIX, d);
                byte[] question = clickQuestion(rnd).getBytes(StandardCharsets.UTF_8);
                c.u8("question", question, question.length);
            }
            case PROJECTOR -> {
                int mm = SeededCases.between(rnd, 1, 48), hidden = SeededCases.between(rnd, 1, 64), rows = SeededCases.between(rnd, 1, 40);
                c.params.put("mm", mm);
                c.params.put("hidden", hidden);
                c.params.put("rows", rows);
                DType dtype = weightDtype(rnd);
                c.model.add(TensorSource.ofFloats("model.mm_projector.0.weight", dtype, new long[] {hidden, mm}, SeededCases.uniform(rnd, hidden * mm, (float) (1.7 / Math.sqrt(mm)))));
                c.model.add(TensorSource.ofFloats("model.mm_projector.0.bias", dtype, new long[] {hidden}, SeededCases.uniform(rnd, hidden, 0.2f)));
                c.model.add(TensorSource.ofFloats("model.mm_projector.2.weight", dtype, new long[] {hidden, hidden}, SeededCases.uniform(rnd, hidden * hidden, (float) (1.7 / Math.sqrt(hidden)))));
                c.model.add(TensorSource.ofFloats("model.mm_projector.2.bias", dtype, new long[] {hidden}, SeededCases.uniform(rnd, hidden, 0.2f)));
                c.f32("features", SeededCases.uniform(rnd, rows * mm, 3f), rows, mm);
            }
        }
        return c;
    }

    /** The 3D position MLP's tensors under {@code prefix}, d wide, in a random weight dtype. */
    private static void positionMlp(Case c, SplittableRandom rnd, String prefix, int d) {
        DType dtype = weightDtype(rnd);
        String head = prefix + ".position_embedding_head.";
        c.model.add(TensorSource.ofFloats(head + "0.weight", dtype, new long[] {d, 3}, SeededCases.uniform(rnd, d * 3, 0.6f)));
        c.model.add(TensorSource.ofFloats(head + "0.bias", dtype, new long[] {d}, SeededCases.uniform(rnd, d, 0.2f)));
        c.model.add(TensorSource.ofFloats(head + "1.weight", dtype, new long[] {d}, around1(rnd, d)));
        c.model.add(TensorSource.ofFloats(head + "1.bias", dtype, new long[] {d}, SeededCases.uniform(rnd, d, 0.2f)));
        c.model.add(TensorSource.ofFloats(head + "3.weight", dtype, new long[] {d, d}, SeededCases.uniform(rnd, d * d, (float) (1.7 / Math.sqrt(d)))));
        c.model.add(TensorSource.ofFloats(head + "3.bias", dtype, new long[] {d}, SeededCases.uniform(rnd, d, 0.2f)));
    }

    private static final String[] WORDS = {"What", "is", "at", "near", "the", "object", "between", "and", "colour", "of", "?", ","};
    /** Brackets that are not clicks: both parsers must leave them as text. */
    private static final String[] DECOYS = {"[1]", "[see above]", "[x, y, z]", "[]", "[ 2 ]", "[a, 1, 2]", "]", "[ note"};

    /** Words, decoy brackets and one to three clicks whose numbers take every written form, joined with or without spaces. */
    private static String clickQuestion(SplittableRandom rnd) {
        List<String> parts = new ArrayList<>();
        int words = SeededCases.between(rnd, 1, 8), clicks = SeededCases.between(rnd, 1, 3);
        for (int i = 0; i < words; i++) parts.add(rnd.nextInt(5) == 0 ? DECOYS[rnd.nextInt(DECOYS.length)] : WORDS[rnd.nextInt(WORDS.length)]);
        for (int i = 0; i < clicks; i++) {
            String[] space = {"", " ", "  ", "\t"};
            StringBuilder k = new StringBuilder("[");
            for (int a = 0; a < 3; a++) {
                k.append(space[rnd.nextInt(space.length)]).append(writtenNumber(rnd)).append(space[rnd.nextInt(space.length)]);
                k.append(a < 2 ? "," : "]");
            }
            parts.add(rnd.nextInt(parts.size() + 1), k.toString());
        }
        StringBuilder q = new StringBuilder();
        for (String p : parts) q.append(q.isEmpty() || rnd.nextInt(4) == 0 ? "" : " ").append(p);
        return q.toString();
    }

    /** A decimal number as people write one: optional sign, integer and/or fraction digits, optional exponent. */
    private static String writtenNumber(SplittableRandom rnd) {
        String sign = List.of("", "", "-", "+").get(rnd.nextInt(4));
        String whole = String.valueOf(rnd.nextInt(rnd.nextBoolean() ? 10 : 1000));
        StringBuilder frac = new StringBuilder();
        for (int i = rnd.nextInt(7); i > 0; i--) frac.append(rnd.nextInt(10));
        String body = switch (rnd.nextInt(4)) {
            case 0 -> whole;
            case 1 -> whole + "." + frac;
            case 2 -> "." + frac + rnd.nextInt(10);
            default -> whole + ".";
        };
        String exponent = rnd.nextInt(4) == 0 ? List.of("e", "E").get(rnd.nextInt(2)) + List.of("", "-", "+").get(rnd.nextInt(3)) + rnd.nextInt(3) : "";
        return sign + body + exponent;
    }

    /** A random CLIP tower (sizes, heads, activation, weight dtype) in model/, and pixel values for it. */
    private static void drawTower(Case c, SplittableRandom rnd) {
        int heads = SeededCases.between(rnd, 1, 3), h = heads * 4 * SeededCases.between(rnd, 1, 6);
        int patch = SeededCases.between(rnd, 1, 5), grid = SeededCases.between(rnd, 1, 4), layers = SeededCases.between(rnd, 1, 3);
        int inter = SeededCases.between(rnd, 4, 64), size = patch * grid;
        GeluForm act = rnd.nextBoolean() ? GeluForm.QUICK : GeluForm.ERF;
        int select = rnd.nextBoolean() ? -1 - rnd.nextInt(layers + 1) : rnd.nextInt(layers + 1);
        c.params.put("select_layer", select);
        DType dtype = weightDtype(rnd);
        String p = ClipVisionTower.CLIP_PREFIX;
        List<TensorSource> t = c.model;
        t.add(TensorSource.ofFloats(p + "embeddings.class_embedding", dtype, new long[] {h}, SeededCases.uniform(rnd, h, 1f)));
        t.add(TensorSource.ofFloats(p + "embeddings.patch_embedding.weight", dtype, new long[] {h, 3, patch, patch},
                SeededCases.uniform(rnd, h * 3 * patch * patch, (float) (1.7 / Math.sqrt(3.0 * patch * patch)))));
        t.add(TensorSource.ofFloats(p + "embeddings.position_embedding.weight", dtype, new long[] {grid * grid + 1, h},
                SeededCases.uniform(rnd, (grid * grid + 1) * h, 0.5f)));
        t.add(TensorSource.ofFloats(p + "pre_layrnorm.weight", dtype, new long[] {h}, around1(rnd, h)));
        t.add(TensorSource.ofFloats(p + "pre_layrnorm.bias", dtype, new long[] {h}, SeededCases.uniform(rnd, h, 0.2f)));
        for (int l = 0; l < layers; l++) {
            String q = p + "encoder.layers." + l + ".";
            for (String proj : new String[] {"q_proj", "k_proj", "v_proj", "out_proj"}) {
                t.add(TensorSource.ofFloats(q + "self_attn." + proj + ".weight", dtype, new long[] {h, h}, SeededCases.uniform(rnd, h * h, (float) (2.5 / Math.sqrt(h)))));
                t.add(TensorSource.ofFloats(q + "self_attn." + proj + ".bias", dtype, new long[] {h}, SeededCases.uniform(rnd, h, 0.2f)));
            }
            t.add(TensorSource.ofFloats(q + "layer_norm1.weight", dtype, new long[] {h}, around1(rnd, h)));
            t.add(TensorSource.ofFloats(q + "layer_norm1.bias", dtype, new long[] {h}, SeededCases.uniform(rnd, h, 0.2f)));
            t.add(TensorSource.ofFloats(q + "mlp.fc1.weight", dtype, new long[] {inter, h}, SeededCases.uniform(rnd, inter * h, (float) (1.7 / Math.sqrt(h)))));
            t.add(TensorSource.ofFloats(q + "mlp.fc1.bias", dtype, new long[] {inter}, SeededCases.uniform(rnd, inter, 0.2f)));
            t.add(TensorSource.ofFloats(q + "mlp.fc2.weight", dtype, new long[] {h, inter}, SeededCases.uniform(rnd, h * inter, (float) (1.7 / Math.sqrt(inter)))));
            t.add(TensorSource.ofFloats(q + "mlp.fc2.bias", dtype, new long[] {h}, SeededCases.uniform(rnd, h, 0.2f)));
            t.add(TensorSource.ofFloats(q + "layer_norm2.weight", dtype, new long[] {h}, around1(rnd, h)));
            t.add(TensorSource.ofFloats(q + "layer_norm2.bias", dtype, new long[] {h}, SeededCases.uniform(rnd, h, 0.2f)));
        }
        c.modelConfig = "{\"architectures\": [\"CLIPVisionModel\"], \"model_type\": \"clip_vision_model\", \"hidden_size\": " + h
                + ", \"intermediate_size\": " + inter + ", \"num_hidden_layers\": " + layers + ", \"num_attention_heads\": " + heads
                + ", \"image_size\": " + size + ", \"patch_size\": " + patch + ", \"hidden_act\": \"" + (act == GeluForm.QUICK ? "quick_gelu" : "gelu")
                + "\", \"layer_norm_eps\": 1e-05}";
        c.f32("pixel_values", SeededCases.uniform(rnd, 3 * size * size, 2f), 3, size, size);
    }

    private static DType weightDtype(SplittableRandom rnd) {
        return List.of(DType.F32, DType.BF16, DType.F16).get(rnd.nextInt(3));
    }

    private static float[] around1(SplittableRandom rnd, int n) {
        float[] v = SeededCases.uniform(rnd, n, 0.2f);
        for (int i = 0; i < n; i++) v[i] += 1;
        return v;
    }

    private static double[] intrinsic(SplittableRandom rnd, int w, int h) {
        double f = (0.5 + rnd.nextDouble()) * w;
        return new double[] {f, 0, rnd.nextDouble() * w, 0, 0, f * (0.9 + 0.2 * rnd.nextDouble()), rnd.nextDouble() * h, 0, 0, 0, 1, 0, 0, 0, 0, 1};
    }

    /** A rigid transform: rotation from a random unit quaternion, translation within {@code reach} metres. */
    private static double[] rigid(SplittableRandom rnd, double reach) {
        double a = rnd.nextGaussian(), b = rnd.nextGaussian(), c = rnd.nextGaussian(), d = rnd.nextGaussian();
        double n = Math.sqrt(a * a + b * b + c * c + d * d);
        a /= n;
        b /= n;
        c /= n;
        d /= n;
        return new double[] {
                a * a + b * b - c * c - d * d, 2 * (b * c - a * d), 2 * (b * d + a * c), (rnd.nextDouble() - 0.5) * reach,
                2 * (b * c + a * d), a * a - b * b + c * c - d * d, 2 * (c * d - a * b), (rnd.nextDouble() - 0.5) * reach,
                2 * (b * d - a * c), 2 * (c * d + a * b), a * a - b * b - c * c + d * d, (rnd.nextDouble() - 0.5) * reach,
                0, 0, 0, 1};
    }

    // ------------------------------------------------------------------ checking

    private interface Check {
        void compare(Case c, SafetensorsFile expected) throws Exception;
    }

    private static void check(Stage stage, Check check) {
        if (unavailable != null) {
            if (System.getenv("CI") != null) fail("CI must run the front-end PyTorch cases, but " + unavailable);
            System.err.println("FRONT-END PYTORCH CASES DID NOT RUN: " + unavailable + " (./run-tests installs python3-torch and python3-pil when run as root)");
            Assumptions.abort("front-end PyTorch cases did not run: " + unavailable);
        }
        Path cases = tmp.resolve("cases");
        worstRatio = 0;
        worstDiff = 0;
        SeededCases.run(stage.property, stage.count, rnd -> {
            Case c = draw(stage, rnd);
            c.dir = cases.resolve(c.name);
            Path expected = c.dir.resolve("expected.safetensors");
            assertTrue(Files.isRegularFile(expected), "the oracle wrote no " + expected);
            try (SafetensorsFile e = SafetensorsFile.open(expected)) {
                check.compare(c, e);
            }
        });
        System.out.printf("%s: worst |engine - oracle| %.3g, worst ratio to the tolerance %.3g%n", stage.property, worstDiff, worstRatio);
    }

    private static double worstRatio;
    private static double worstDiff;

    /** Elementwise {@code |got − want| ≤ atol + rtol·|want|}, naming the first element that is not. */
    private static void compare(String what, float[] want, float[] got, double atol, double rtol) {
        assertEquals(want.length, got.length, what + " length");
        for (int i = 0; i < want.length; i++) {
            double bound = atol + rtol * Math.abs(want[i]), diff = Math.abs(got[i] - want[i]);
            worstDiff = Math.max(worstDiff, diff);
            if (bound > 0) worstRatio = Math.max(worstRatio, diff / bound);
            if (!(diff <= bound)) {
                fail(String.format("%s[%d]: engine %.9g, oracle %.9g (|diff| %.3g > %.3g)", what, i, got[i], want[i], Math.abs(got[i] - want[i]), bound));
            }
        }
    }

    private static double[] doubles(Tensor t) {
        double[] v = new double[Math.toIntExact(t.elementCount())];
        for (int i = 0; i < v.length; i++) v[i] = t.data().get(ValueLayout.JAVA_DOUBLE_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN), i * 8L);
        return v;
    }

    // ------------------------------------------------------------------ the oracle process

    /** Null when /usr/bin/python3 can import torch, numpy and PIL; otherwise why not. */
    static String oracleUnavailable() throws Exception {
        if (!Files.isExecutable(OracleProcess.PYTHON)) return OracleProcess.PYTHON + " does not exist";
        Process p = new ProcessBuilder(OracleProcess.PYTHON.toString(), "-c", "import torch, numpy, PIL").redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        return p.waitFor() == 0 ? null : "python3 cannot import torch, numpy and PIL: " + out.strip();
    }

    private static void runOracle(Path cases) throws Exception {
        ProcessBuilder pb = new ProcessBuilder(OracleProcess.PYTHON.toString(), "-m", "adatoken_oracle.frontend", "--cases", cases.toString())
                .redirectErrorStream(true);
        pb.environment().put("PYTHONPATH", OracleProcess.projectRoot().resolve("conformance/python").toString());
        Process p = pb.start();
        byte[] log = p.getInputStream().readAllBytes();
        if (!p.waitFor(10, TimeUnit.MINUTES) || p.exitValue() != 0) {
            throw new IllegalStateException("front-end oracle failed: " + new String(log, StandardCharsets.UTF_8));
        }
        System.out.print(new String(log, StandardCharsets.UTF_8));
    }
}
