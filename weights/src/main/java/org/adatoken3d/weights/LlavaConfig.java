package org.adatoken3d.weights;

/**
 * The LLaVA(-3D) part of a {@code config.json}: the {@code mm_*} fields something in the project reads. Other
 * multimodal keys a config may carry are ignored on load, as transformers ignores keys its class lacks.
 *
 * @param mmHiddenSize width of the vision features fed to the projector (1024 for CLIP ViT-L), or null
 * @param mmProjectorType the projector, e.g. {@code mlp2x_gelu}; checked where the projector is loaded
 * @param mmVisionTower the vision tower's name, e.g. {@code openai/clip-vit-large-patch14-336}, or null
 * @param mmVideoTower LLaVA-3D's 3D tower, e.g. {@code SpatialAwareModule}, or null
 * @param mmVisionSelectLayer the CLIP hidden state the features come from (-2: the penultimate layer), or null
 * @param mmVisionSelectFeature {@code patch} (the CLS token dropped, which is what the engine does), or null
 * @param numFrames views per scene, or null
 */
public record LlavaConfig(
        Integer mmHiddenSize,
        String mmProjectorType,
        String mmVisionTower,
        String mmVideoTower,
        Integer mmVisionSelectLayer,
        String mmVisionSelectFeature,
        Integer numFrames) {

    public LlavaConfig {
        if (mmHiddenSize != null && mmHiddenSize <= 0) {
            throw new IllegalArgumentException("mm_hidden_size must be positive, got " + mmHiddenSize);
        }
        if (numFrames != null && numFrames <= 0) {
            throw new IllegalArgumentException("num_frames must be positive, got " + numFrames);
        }
        // cls_patch would keep CLIP's CLS token in every view; the scene encoder only ever drops it.
        if (mmVisionSelectFeature != null && !mmVisionSelectFeature.equals("patch")) {
            throw new IllegalArgumentException("mm_vision_select_feature \"" + mmVisionSelectFeature
                    + "\" is not supported (only patch)");
        }
    }
}
