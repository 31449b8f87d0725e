package org.adatoken3d.llava3d.vision;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import org.adatoken3d.kernels.Activations;
import org.adatoken3d.kernels.Attention;
import org.adatoken3d.kernels.AttentionShape;
import org.adatoken3d.kernels.GeluForm;
import org.adatoken3d.kernels.Gemm;
import org.adatoken3d.kernels.LayerNorm;
import org.adatoken3d.kernels.Vectors;
import org.adatoken3d.kernels.WeightFormat;
import org.adatoken3d.kernels.WeightMatrix;
import org.adatoken3d.weights.Checkpoint;
import org.adatoken3d.weights.InvalidFileException;
import org.adatoken3d.weights.Tensor;
import org.adatoken3d.weights.TensorNames;

/**
 * The CLIP vision transformer (Hugging Face {@code CLIPVisionModel}) on the engine's kernels, returning what LLaVA
 * takes from it: the patch rows (CLS dropped) of {@code hidden_states[select_layer]}, by default the penultimate
 * layer's output.
 *
 * <p>Embeddings: the {@code P×P} stride-P convolution (no bias) as one GEMM over the image's patches unrolled to
 * rows of {@code 3·P·P} (channel, then row, then column: the conv weight's own layout), the class embedding
 * prepended, position embeddings added, then {@code pre_layrnorm}. Each layer is pre-LayerNorm:
 * {@code x += out_proj(attention(q, k, v of layer_norm1(x)))}, {@code x += fc2(act(fc1(layer_norm2(x))))}, with
 * full (non-causal) attention scaled by {@code 1/√head_dim}, all 64-wide heads alike.
 *
 * <p>Tensor names are {@code <prefix>embeddings.{class_embedding, patch_embedding.weight, position_embedding.weight}},
 * {@code <prefix>pre_layrnorm.*}, {@code <prefix>encoder.layers.N.{self_attn.{q,k,v,out}_proj, layer_norm1, mlp.fc1,
 * mlp.fc2, layer_norm2}.{weight,bias}}, where the prefix is {@code vision_model.} in a CLIP folder and
 * {@code model.vision_tower.vision_tower.vision_model.} inside a LLaVA checkpoint.
 */
public final class ClipVisionTower implements AutoCloseable {
    public static final String CLIP_PREFIX = TensorNames.CLIP_ALONE;
    public static final String LLAVA_PREFIX = TensorNames.CLIP_IN_LLAVA;
    /** LLaVA's {@code mm_vision_select_layer} default: the penultimate layer. */
    public static final int DEFAULT_SELECT_LAYER = -2;

    private record Layer(float[] norm1Weight, float[] norm1Bias, WeightMatrix q, float[] qBias, WeightMatrix k, float[] kBias,
            WeightMatrix v, float[] vBias, WeightMatrix out, float[] outBias, float[] norm2Weight, float[] norm2Bias,
            WeightMatrix fc1, float[] fc1Bias, WeightMatrix fc2, float[] fc2Bias) {}

    private final ClipVisionConfig config;
    private final String source;
    private final WeightMatrix patchEmbedding;
    private final float[] classEmbedding;
    private final float[] positionEmbedding;
    private final float[] preNormWeight;
    private final float[] preNormBias;
    private final List<Layer> layers;
    private final Checkpoint owned;

    private ClipVisionTower(ClipVisionConfig config, String source, WeightMatrix patchEmbedding, float[] classEmbedding,
            float[] positionEmbedding, float[] preNormWeight, float[] preNormBias, List<Layer> layers, Checkpoint owned) {
        this.config = config;
        this.source = source;
        this.patchEmbedding = patchEmbedding;
        this.classEmbedding = classEmbedding;
        this.positionEmbedding = positionEmbedding;
        this.preNormWeight = preNormWeight;
        this.preNormBias = preNormBias;
        this.layers = layers;
        this.owned = owned;
    }

    /**
     * The tower of a model: from {@code towerDir} when given (a CLIP folder, e.g. a download of
     * {@code openai/clip-vit-large-patch14-336}), otherwise from the model's own checkpoint.
     *
     * @param selectLayer LLaVA's {@code mm_vision_select_layer}, or null for the default −2
     */
    public static ClipVisionTower locate(Checkpoint model, Path towerDir, Integer selectLayer) {
        int select = selectLayer == null ? DEFAULT_SELECT_LAYER : selectLayer;
        if (towerDir != null) {
            Checkpoint tower = Checkpoint.open(towerDir);
            try {
                String prefix = tower.find(CLIP_PREFIX + "embeddings.class_embedding").isPresent() ? CLIP_PREFIX
                        : tower.find(LLAVA_PREFIX + "embeddings.class_embedding").isPresent() ? LLAVA_PREFIX : null;
                if (prefix == null) {
                    throw new InvalidFileException(towerDir, "holds no CLIP vision tower (no tensor " + CLIP_PREFIX + "embeddings.class_embedding)");
                }
                Path config = Files.isDirectory(towerDir) ? towerDir.resolve("config.json") : null;
                ClipVisionConfig.Hints hints = config != null && Files.isRegularFile(config) ? ClipVisionConfig.readHints(config) : null;
                return load(tower, prefix, hints, select, tower);
            } catch (RuntimeException e) {
                tower.close();
                throw e;
            }
        }
        if (model.find(LLAVA_PREFIX + "embeddings.class_embedding").isPresent()) return load(model, LLAVA_PREFIX, null, select, null);
        throw new InvalidFileException(model.directory(), "holds no CLIP vision tower (" + LLAVA_PREFIX
                + "*); give the vision tower's own folder, e.g. a download of openai/clip-vit-large-patch14-336");
    }

    /** Loads the tower whose tensors start with {@code prefix}; shapes come from the tensors, heads from the hints. */
    public static ClipVisionTower load(Checkpoint ckpt, String prefix, ClipVisionConfig.Hints hints, int selectLayer, Checkpoint owned) {
        Tensor cls = ckpt.tensor(prefix + "embeddings.class_embedding");
        Tensor patch = ckpt.tensor(prefix + "embeddings.patch_embedding.weight");
        Tensor pos = ckpt.tensor(prefix + "embeddings.position_embedding.weight");
        if (cls.rank() != 1) throw shape(cls, "[hidden]");
        int hidden = Math.toIntExact(cls.dim(0));
        if (patch.rank() != 4 || patch.dim(0) != hidden || patch.dim(1) != 3 || patch.dim(2) != patch.dim(3)) {
            throw shape(patch, "[" + hidden + ", 3, P, P]");
        }
        int p = Math.toIntExact(patch.dim(2));
        if (pos.rank() != 2 || pos.dim(1) != hidden) throw shape(pos, "[patches + 1, " + hidden + "]");
        long positions = pos.dim(0);
        int grid = (int) Math.round(Math.sqrt(positions - 1));
        if (positions < 2 || (long) grid * grid + 1 != positions) throw shape(pos, "[g*g + 1, " + hidden + "] for a g x g patch grid");
        int total = 0;
        while (ckpt.find(prefix + "encoder.layers." + total + ".layer_norm1.weight").isPresent()) total++;
        if (total == 0) throw new InvalidFileException(ckpt.directory(), "has no " + prefix + "encoder.layers.0.*");
        Tensor fc1 = ckpt.tensor(prefix + "encoder.layers.0.mlp.fc1.weight");
        int heads;
        if (hints != null && hints.heads() != null) {
            heads = hints.heads();
        } else if (hidden % ClipVisionConfig.OPENAI_HEAD_DIM == 0) {
            heads = hidden / ClipVisionConfig.OPENAI_HEAD_DIM;
        } else {
            throw new InvalidFileException(ckpt.directory(), "CLIP tower width " + hidden
                    + " is not a multiple of 64, so its head count is unknown; give the vision tower's own folder with its config.json");
        }
        if (hidden % heads != 0) throw new InvalidFileException(ckpt.directory(), "CLIP tower width " + hidden + " does not split into " + heads + " heads");
        ClipVisionConfig config = new ClipVisionConfig(hidden, Math.toIntExact(fc1.dim(0)), total, heads, grid * p, p,
                hints != null && hints.layerNormEps() != null ? hints.layerNormEps() : 1e-5,
                hints != null && hints.activation() != null ? hints.activation() : GeluForm.QUICK);

        // hidden_states[0] is the embeddings after pre_layrnorm, hidden_states[i] the output of layer i-1.
        int run = selectLayer < 0 ? total + 1 + selectLayer : selectLayer;
        if (run < 0 || run > total) {
            throw new IllegalArgumentException("mm_vision_select_layer " + selectLayer + " is outside the tower's " + total + " layers");
        }
        List<Layer> layers = new ArrayList<>();
        for (int l = 0; l < run; l++) layers.add(layer(ckpt, prefix + "encoder.layers." + l + ".", config));
        return new ClipVisionTower(config, ckpt.directory() + " (" + prefix + "*)", matrix(patch, hidden, 3 * p * p), vector(cls, hidden),
                pos.toFloatArray(), vector(ckpt, prefix + "pre_layrnorm.weight", hidden), vector(ckpt, prefix + "pre_layrnorm.bias", hidden),
                List.copyOf(layers), owned);
    }

    private static Layer layer(Checkpoint c, String p, ClipVisionConfig cfg) {
        int h = cfg.hidden(), f = cfg.intermediate();
        return new Layer(vector(c, p + "layer_norm1.weight", h), vector(c, p + "layer_norm1.bias", h),
                matrix(c, p + "self_attn.q_proj.weight", h, h), vector(c, p + "self_attn.q_proj.bias", h),
                matrix(c, p + "self_attn.k_proj.weight", h, h), vector(c, p + "self_attn.k_proj.bias", h),
                matrix(c, p + "self_attn.v_proj.weight", h, h), vector(c, p + "self_attn.v_proj.bias", h),
                matrix(c, p + "self_attn.out_proj.weight", h, h), vector(c, p + "self_attn.out_proj.bias", h),
                vector(c, p + "layer_norm2.weight", h), vector(c, p + "layer_norm2.bias", h),
                matrix(c, p + "mlp.fc1.weight", f, h), vector(c, p + "mlp.fc1.bias", f),
                matrix(c, p + "mlp.fc2.weight", h, f), vector(c, p + "mlp.fc2.bias", h));
    }

    public ClipVisionConfig config() {
        return config;
    }

    /** Where the weights came from, for messages. */
    public String source() {
        return source;
    }

    /** Layers run per image (up to the selected one). */
    public int layersRun() {
        return layers.size();
    }

    /** Features {@code [patches][hidden]} of one image's pixel values {@code [3][S][S]} (CLIP-normalised). */
    public float[] encode(float[] pixels) {
        int s = config.imageSize(), p = config.patchSize(), g = config.grid(), h = config.hidden();
        if (pixels.length != 3 * s * s) throw new IllegalArgumentException("CLIP input must be 3 x " + s + " x " + s + ", got " + pixels.length + " values");
        int n = g * g + 1, k = 3 * p * p;
        float[] columns = new float[g * g * k];
        for (int py = 0; py < g; py++) {
            for (int px = 0; px < g; px++) {
                int row = (py * g + px) * k;
                for (int c = 0; c < 3; c++) {
                    for (int ky = 0; ky < p; ky++) {
                        System.arraycopy(pixels, (c * s + py * p + ky) * s + px * p, columns, row + (c * p + ky) * p, p);
                    }
                }
            }
        }
        float[] x = new float[n * h];
        System.arraycopy(classEmbedding, 0, x, 0, h);
        Gemm.multiply(columns, 0, g * g, patchEmbedding, x, h);
        Vectors.add(x, positionEmbedding, x.length);
        LayerNorm.apply(x, n, h, preNormWeight, preNormBias, (float) config.layerNormEps(), x);
        Scratch t = new Scratch(n, config);
        for (Layer layer : layers) forward(layer, x, n, t);
        return Arrays.copyOfRange(x, h, n * h);
    }

    private record Scratch(float[] normed, float[] q, float[] k, float[] v, float[] kHeads, float[] vHeads, float[] attended,
            float[] projected, float[] mlp, int[] positions) {
        Scratch(int n, ClipVisionConfig c) {
            this(new float[n * c.hidden()], new float[n * c.hidden()], new float[n * c.hidden()], new float[n * c.hidden()],
                    new float[n * c.hidden()], new float[n * c.hidden()], new float[n * c.hidden()], new float[n * c.hidden()],
                    new float[n * c.intermediate()], new int[n]);
        }
    }

    private void forward(Layer w, float[] x, int n, Scratch t) {
        int h = config.hidden(), heads = config.heads(), d = config.headDim();
        float eps = (float) config.layerNormEps();
        LayerNorm.apply(x, n, h, w.norm1Weight, w.norm1Bias, eps, t.normed);
        linear(t.normed, n, w.q, w.qBias, t.q);
        linear(t.normed, n, w.k, w.kBias, t.k);
        linear(t.normed, n, w.v, w.vBias, t.v);
        toHeadMajor(t.k, t.kHeads, n, heads, d);
        toHeadMajor(t.v, t.vHeads, n, heads, d);
        // Every key at position 0, every query at 0: nothing is in anyone's future, so attention is full.
        Attention.compute(t.q, n, t.positions, t.kHeads, t.vHeads, n, n, t.positions, new AttentionShape(heads, heads, d), t.attended, null);
        linear(t.attended, n, w.out, w.outBias, t.projected);
        Vectors.add(x, t.projected, x.length);
        LayerNorm.apply(x, n, h, w.norm2Weight, w.norm2Bias, eps, t.normed);
        linear(t.normed, n, w.fc1, w.fc1Bias, t.mlp);
        Activations.gelu(t.mlp, t.mlp.length, config.activation());
        linear(t.mlp, n, w.fc2, w.fc2Bias, t.projected);
        Vectors.add(x, t.projected, x.length);
    }

    private static void linear(float[] in, int rows, WeightMatrix w, float[] bias, float[] out) {
        Gemm.multiply(in, rows, w, out);
        Vectors.addBias(out, rows, bias);
    }

    /** {@code [n][heads·d]} → the attention kernel's cache layout {@code [heads][n][d]}. */
    private static void toHeadMajor(float[] rows, float[] heads, int n, int headCount, int d) {
        for (int i = 0; i < n; i++) {
            for (int hd = 0; hd < headCount; hd++) System.arraycopy(rows, (i * headCount + hd) * d, heads, (hd * n + i) * d, d);
        }
    }

    private static WeightMatrix matrix(Checkpoint c, String name, int rows, int cols) {
        Tensor t = c.tensor(name);
        if (t.rank() != 2 || t.dim(0) != rows || t.dim(1) != cols) throw shape(t, "[" + rows + ", " + cols + "]");
        return matrix(t, rows, cols);
    }

    /** A tensor of {@code rows·cols} elements as a matrix, whatever its rank (the conv weight is 4-D). */
    private static WeightMatrix matrix(Tensor t, int rows, int cols) {
        WeightFormat format = switch (t.dtype()) {
            case F32 -> WeightFormat.F32;
            case F16 -> WeightFormat.F16;
            case BF16 -> WeightFormat.BF16;
            default -> throw new InvalidFileException(t.file(), "tensor " + t.name() + " has dtype " + t.dtype() + "; weights must be F32, F16 or BF16");
        };
        return WeightMatrix.of(t.data(), format, rows, cols);
    }

    private static float[] vector(Checkpoint c, String name, int n) {
        return vector(c.tensor(name), n);
    }

    private static float[] vector(Tensor t, int n) {
        if (t.rank() != 1 || t.dim(0) != n) throw shape(t, "[" + n + "]");
        return t.toFloatArray();
    }

    private static InvalidFileException shape(Tensor t, String expected) {
        return new InvalidFileException(t.file(), "tensor " + t.name() + " has shape " + t.shapeString() + ", expected " + expected);
    }

    @Override
    public void close() {
        if (owned != null) owned.close();
    }

    /** Whether {@code checkpoint} carries a tower under LLaVA's prefix. */
    public static boolean isBundled(Checkpoint checkpoint) {
        Optional<Tensor> t = checkpoint.find(LLAVA_PREFIX + "embeddings.class_embedding");
        return t.isPresent();
    }
}
