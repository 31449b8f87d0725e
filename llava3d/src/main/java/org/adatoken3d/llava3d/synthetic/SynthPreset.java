package org.adatoken3d.llava3d.synthetic;

import org.adatoken3d.kernels.GeluForm;
import org.adatoken3d.llava3d.vision.ClipVisionConfig;

/**
 * Shapes of the synthetic checkpoints {@code synth} writes. {@code llava3d-7b} is the exact LLaVA-3D 7B decoder
 * (Vicuna-7B v1.5 shape) with its projector, 3D position-embedding tensors and the CLIP ViT-L/14-336 vision tower;
 * {@code qwen2-7b} the Qwen2-7B decoder; {@code tiny} and {@code small} keep the LLaVA-3D layout (with a small CLIP
 * tower of the same 336-pixel, 14-pixel-patch input) at sizes for tests and demos.
 */
public enum SynthPreset {
    TINY("tiny", Family.LLAMA, 64, 172, 4, 4, 2, 512, 64, 10000, false, "F32",
            new ClipVisionConfig(64, 256, 2, 1, 336, 14, 1e-5, GeluForm.QUICK)),
    SMALL("small", Family.LLAMA, 512, 1376, 8, 8, 8, 4096, 256, 10000, false, "BF16",
            new ClipVisionConfig(256, 1024, 4, 4, 336, 14, 1e-5, GeluForm.QUICK)),
    LLAVA3D_7B("llava3d-7b", Family.LLAMA, 4096, 11008, 32, 32, 32, 32000, 1024, 10000, false, "BF16", ClipVisionConfig.VIT_L_14_336),
    QWEN2_7B("qwen2-7b", Family.QWEN2, 3584, 18944, 28, 28, 4, 152064, 1024, 1000000, false, "BF16", null);

    public enum Family {
        LLAMA,
        QWEN2
    }

    public final String id;
    public final Family family;
    public final int hidden;
    public final int intermediate;
    public final int layers;
    public final int heads;
    public final int kvHeads;
    public final int vocab;
    public final int mmHidden;
    public final double ropeTheta;
    public final boolean tiedEmbeddings;
    public final String defaultDtype;
    /** The CLIP tower written with the checkpoint (its width is {@link #mmHidden}), or null for none. */
    public final ClipVisionConfig vision;

    SynthPreset(String id, Family family, int hidden, int intermediate, int layers, int heads, int kvHeads, int vocab,
            int mmHidden, double ropeTheta, boolean tiedEmbeddings, String defaultDtype, ClipVisionConfig vision) {
        this.id = id;
        this.family = family;
        this.hidden = hidden;
        this.intermediate = intermediate;
        this.layers = layers;
        this.heads = heads;
        this.kvHeads = kvHeads;
        this.vocab = vocab;
        this.mmHidden = mmHidden;
        this.ropeTheta = ropeTheta;
        this.tiedEmbeddings = tiedEmbeddings;
        this.defaultDtype = defaultDtype;
        this.vision = vision;
    }

    public int headDim() {
        return hidden / heads;
    }

    public static SynthPreset byId(String id) {
        for (SynthPreset p : values()) {
            if (p.id.equals(id)) return p;
        }
        throw new IllegalArgumentException("unknown preset '" + id + "' (known: tiny, small, llava3d-7b, qwen2-7b)");
    }
}
