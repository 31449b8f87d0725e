package org.adatoken3d.kernels;

/** Which dimensions of a head RoPE rotates together. */
public enum RopeStyle {
    /** Hugging Face LLaMA/Qwen2 ("rotate_half"): dimension i pairs with i + d/2, both at frequency i. */
    ROTATE_HALF,
    /** Original Meta LLaMA / GPT-J: dimensions 2i and 2i+1 form a pair at frequency i. */
    INTERLEAVED
}
