package org.adatoken3d.llava3d.vision;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.adatoken3d.kernels.GeluForm;
import org.adatoken3d.weights.InvalidFileException;

/**
 * Shape of a CLIP vision transformer (Hugging Face {@code CLIPVisionConfig}): width, MLP width, layers, heads,
 * input size and patch size, LayerNorm epsilon and the MLP activation.
 */
public record ClipVisionConfig(int hidden, int intermediate, int layers, int heads, int imageSize, int patchSize,
        double layerNormEps, GeluForm activation) {

    /** {@code openai/clip-vit-large-patch14-336}, LLaVA-3D's tower. */
    public static final ClipVisionConfig VIT_L_14_336 = new ClipVisionConfig(1024, 4096, 24, 16, 336, 14, 1e-5, GeluForm.QUICK);
    /** Every OpenAI CLIP ViT has 64-wide heads; used when only the tensors are at hand. */
    static final int OPENAI_HEAD_DIM = 64;

    public ClipVisionConfig {
        if (hidden < 1 || intermediate < 1 || layers < 1 || heads < 1 || patchSize < 1 || imageSize < patchSize) {
            throw new IllegalArgumentException("CLIP vision config has non-positive sizes: " + this);
        }
        if (hidden % heads != 0) throw new IllegalArgumentException("CLIP hidden size " + hidden + " is not a multiple of its " + heads + " heads");
        if (imageSize % patchSize != 0) throw new IllegalArgumentException("CLIP image size " + imageSize + " is not a multiple of the patch size " + patchSize);
    }

    /** Patches per side. */
    public int grid() {
        return imageSize / patchSize;
    }

    public int patches() {
        return grid() * grid();
    }

    public int headDim() {
        return hidden / heads;
    }

    /** The hints a {@code config.json} gives (heads, epsilon, activation), or null when there is none. */
    public record Hints(Integer heads, Double layerNormEps, GeluForm activation) {}

    /**
     * Reads the vision part of a CLIP {@code config.json}: a {@code CLIPModel} config's {@code vision_config}, or a
     * {@code CLIPVisionModel} config's top level. Missing keys take Hugging Face's defaults for the hints.
     */
    public static Hints readHints(Path configJson) {
        JsonNode root;
        try {
            root = new ObjectMapper().readTree(Files.readAllBytes(configJson));
        } catch (IOException e) {
            throw new InvalidFileException(configJson, "is not readable JSON: " + e.getMessage(), e);
        }
        if (root == null || !root.isObject()) throw new InvalidFileException(configJson, "is not a JSON object");
        JsonNode v = root.has("vision_config") ? root.get("vision_config") : root;
        if (!v.isObject()) throw new InvalidFileException(configJson, "vision_config is not an object");
        Integer heads = v.has("num_attention_heads") ? positive(configJson, v, "num_attention_heads") : null;
        Double eps = v.has("layer_norm_eps") && v.get("layer_norm_eps").isNumber() ? v.get("layer_norm_eps").asDouble() : null;
        if (eps != null && !(eps > 0 && eps < 1)) throw new InvalidFileException(configJson, "layer_norm_eps " + eps + " is not in (0, 1)");
        GeluForm act = null;
        if (v.has("hidden_act")) {
            String name = v.get("hidden_act").asText();
            act = switch (name) {
                case "quick_gelu" -> GeluForm.QUICK;
                case "gelu" -> GeluForm.ERF;
                case "gelu_new", "gelu_pytorch_tanh" -> GeluForm.TANH;
                default -> throw new InvalidFileException(configJson, "hidden_act " + name + " is not supported (quick_gelu, gelu, gelu_new)");
            };
        }
        return new Hints(heads, eps, act);
    }

    private static int positive(Path file, JsonNode v, String key) {
        JsonNode n = v.get(key);
        if (!n.canConvertToInt() || n.asInt() < 1) throw new InvalidFileException(file, key + " must be a positive integer, got " + n);
        return n.asInt();
    }
}
