package org.adatoken3d.bench;

import java.util.Arrays;
import java.util.Locale;
import java.util.stream.Collectors;
import org.adatoken3d.kernels.EngineArgumentException;
import org.adatoken3d.llava3d.synthetic.SynthPreset;
import org.adatoken3d.llava3d.synthetic.SyntheticCheckpoint;
import org.adatoken3d.llava3d.vision.ClipVisionConfig;
import org.adatoken3d.weights.DType;

/**
 * The model {@code bench ask} writes synthetic weights for: a synthetic-checkpoint preset in the LLaVA-3D layout with
 * its CLIP tower, at the preset's depth or fewer decoder layers. {@code llava3d-7b} is LLaVA-3D-7B's exact decoder
 * with the real CLIP ViT-L/14-336 tower; {@code small} and {@code tiny} are the presets for tests and slow machines,
 * with narrow towers of the same 336-pixel input in 14-pixel patches.
 *
 * @param layers decoder layers, at most the preset's
 */
public record AskShape(SynthPreset preset, int layers) {
    /** The presets that carry a CLIP tower (the LLaVA-3D layout), largest first. */
    static final SynthPreset[] PRESETS = {SynthPreset.LLAVA3D_7B, SynthPreset.SMALL, SynthPreset.TINY};

    public AskShape {
        if (layers < 1 || layers > preset.layers) {
            throw new EngineArgumentException("layers", "must be 1 to " + preset.layers + " for " + preset.id + ", got " + layers);
        }
    }

    /** The shape called {@code id}, at {@code layers} decoder layers (null: all of the preset's). */
    public static AskShape of(String id, Integer layers) {
        SynthPreset p = Arrays.stream(PRESETS).filter(s -> s.id.equals(id)).findFirst().orElseThrow(() -> new EngineArgumentException("shape",
                "must be one of " + Arrays.stream(PRESETS).map(s -> s.id).collect(Collectors.joining(", ")) + ", got " + id));
        return new AskShape(p, layers == null ? p.layers : layers);
    }

    public ClipVisionConfig vision() {
        return preset.vision;
    }

    /** The CLIP layers LLaVA-3D runs: up to the penultimate one (mm_vision_select_layer -2). */
    public int visionLayersRun() {
        return vision().layers() - 1;
    }

    public DType dtype() {
        return DType.valueOf(preset.defaultDtype);
    }

    public SyntheticCheckpoint checkpoint() {
        return new SyntheticCheckpoint(preset, layers, dtype(), 1);
    }

    /** The folder name of its synthetic checkpoint, distinct per shape and depth. */
    public String folderName() {
        return preset.id + (layers == preset.layers ? "" : "-" + layers + "-layers");
    }

    /** What runs, in words: no figure of a cut or small model may pass for the full 7B one. */
    public String describe() {
        ClipVisionConfig v = vision();
        String depth = layers == preset.layers ? layers + " layers" : layers + " of its " + preset.layers + " layers";
        String tower = v.equals(ClipVisionConfig.VIT_L_14_336) ? "CLIP ViT-L/14-336" : "a narrow CLIP tower (not ViT-L)";
        String name = preset == SynthPreset.LLAVA3D_7B ? "LLaVA-3D-7B" : "the " + preset.id + " preset (not the 7B shape)";
        return String.format(Locale.ROOT, "%s: decoder %d wide, MLP %d, %d heads, vocab %d, %s; %s: %d wide, %d of %d layers run, %d px in %d px patches; "
                        + "projector %d -> %d; synthetic %s weights", name, preset.hidden, preset.intermediate, preset.heads, preset.vocab, depth, tower,
                v.hidden(), visionLayersRun(), v.layers(), v.imageSize(), v.patchSize(), preset.mmHidden, preset.hidden, preset.defaultDtype);
    }

    /**
     * FLOPs of the tower on one view: the patch embedding, then per layer run the q/k/v/o projections, the attention's
     * QKᵀ and PV over every pair of the grid's patches and the class token, and the MLP.
     */
    public double visionFlopsPerView() {
        ClipVisionConfig v = vision();
        double t = v.patches() + 1, h = v.hidden();
        double patchEmbedding = 2.0 * v.patches() * h * 3 * v.patchSize() * v.patchSize();
        double layer = 8 * t * h * h + 4 * t * t * h + 4 * t * h * v.intermediate();
        return patchEmbedding + visionLayersRun() * layer;
    }
}
