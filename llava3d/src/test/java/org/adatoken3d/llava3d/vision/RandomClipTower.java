package org.adatoken3d.llava3d.vision;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import org.adatoken3d.testing.SeededCases;
import org.adatoken3d.weights.DType;
import org.adatoken3d.weights.SafetensorsWriter;
import org.adatoken3d.weights.TensorSource;

/** A CLIP folder ({@code config.json}, {@code model.safetensors} with {@code vision_model.*}) with random F32 weights. */
final class RandomClipTower {
    final ClipVisionConfig config;
    final Map<String, float[]> weights = new LinkedHashMap<>();

    private RandomClipTower(ClipVisionConfig config) {
        this.config = config;
    }

    static RandomClipTower write(Path dir, SplittableRandom r) throws Exception {
        int heads = SeededCases.between(r, 1, 3), d = 4 * SeededCases.between(r, 1, 5);
        int patch = SeededCases.between(r, 1, 5), grid = SeededCases.between(r, 1, 4);
        ClipVisionConfig c = new ClipVisionConfig(heads * d, SeededCases.between(r, 4, 48), SeededCases.between(r, 1, 3), heads,
                grid * patch, patch, 1e-5, r.nextBoolean() ? org.adatoken3d.kernels.GeluForm.QUICK : org.adatoken3d.kernels.GeluForm.ERF);
        RandomClipTower t = new RandomClipTower(c);
        String p = ClipVisionTower.CLIP_PREFIX;
        int h = c.hidden();
        t.add(r, p + "embeddings.class_embedding", 1, h);
        t.add(r, p + "embeddings.patch_embedding.weight", 1 / Math.sqrt(3.0 * patch * patch), h, 3, patch, patch);
        t.add(r, p + "embeddings.position_embedding.weight", 0.3, c.patches() + 1, h);
        t.norm(r, p + "pre_layrnorm", h);
        for (int l = 0; l < c.layers(); l++) {
            String q = p + "encoder.layers." + l + ".";
            for (String proj : new String[] {"q_proj", "k_proj", "v_proj", "out_proj"}) {
                t.add(r, q + "self_attn." + proj + ".weight", 1.5 / Math.sqrt(h), h, h);
                t.add(r, q + "self_attn." + proj + ".bias", 0.1, h);
            }
            t.norm(r, q + "layer_norm1", h);
            t.add(r, q + "mlp.fc1.weight", 1 / Math.sqrt(h), c.intermediate(), h);
            t.add(r, q + "mlp.fc1.bias", 0.1, c.intermediate());
            t.add(r, q + "mlp.fc2.weight", 1 / Math.sqrt(c.intermediate()), h, c.intermediate());
            t.add(r, q + "mlp.fc2.bias", 0.1, h);
            t.norm(r, q + "layer_norm2", h);
        }
        Files.createDirectories(dir);
        List<TensorSource> sources = new ArrayList<>();
        t.shapes.forEach((name, shape) -> sources.add(TensorSource.ofFloats(name, DType.F32, shape, t.weights.get(name))));
        SafetensorsWriter.write(dir.resolve("model.safetensors"), Map.of(), sources);
        String act = c.activation() == org.adatoken3d.kernels.GeluForm.QUICK ? "quick_gelu" : "gelu";
        Files.writeString(dir.resolve("config.json"), "{\"architectures\": [\"CLIPModel\"], \"vision_config\": {\"hidden_size\": " + h
                + ", \"num_attention_heads\": " + heads + ", \"hidden_act\": \"" + act + "\", \"layer_norm_eps\": 1e-05}}");
        return t;
    }

    private final Map<String, long[]> shapes = new LinkedHashMap<>();

    private void add(SplittableRandom r, String name, double scale, long... shape) {
        int n = 1;
        for (long s : shape) n *= (int) s;
        weights.put(name, SeededCases.uniform(r, n, (float) scale));
        shapes.put(name, shape);
    }

    private void norm(SplittableRandom r, String prefix, int h) {
        add(r, prefix + ".weight", 0.2, h);
        for (int i = 0; i < h; i++) weights.get(prefix + ".weight")[i] += 1;
        add(r, prefix + ".bias", 0.1, h);
    }

    float[] w(String name) {
        return weights.get(ClipVisionTower.CLIP_PREFIX + name);
    }
}
