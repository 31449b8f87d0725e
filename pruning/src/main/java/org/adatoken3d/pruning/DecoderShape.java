package org.adatoken3d.pruning;

/**
 * The sizes of a decoder that its arithmetic depends on. {@code heads}·{@code headDim} need not equal
 * {@code hidden}; grouped-query attention shares each of {@code kvHeads} key/value heads among
 * heads/kvHeads query heads. {@code gatedMlp}: SwiGLU (gate, up, down: three matrices) or a plain two-matrix MLP.
 */
public record DecoderShape(int hidden, int intermediate, int layers, int heads, int kvHeads, int headDim, int vocab,
        boolean gatedMlp) {

    /** LLaVA-3D 7B's decoder (Vicuna-7B v1.5, LLaMA-2 architecture), DESIGN.md §3. */
    public static final DecoderShape LLAVA_3D_7B = new DecoderShape(4096, 11008, 32, 32, 32, 128, 32000, true);

    public DecoderShape {
        positive("hidden", hidden);
        positive("intermediate", intermediate);
        positive("layers", layers);
        positive("heads", heads);
        positive("kvHeads", kvHeads);
        positive("headDim", headDim);
        positive("vocab", vocab);
        if (heads % kvHeads != 0) {
            throw new IllegalArgumentException("decoder shape: " + heads + " query heads cannot share " + kvHeads
                    + " key/value heads evenly");
        }
    }

    /** Same shape with another layer count: for checkpoints cut to a few layers. */
    public DecoderShape withLayers(int layerCount) {
        return new DecoderShape(hidden, intermediate, layerCount, heads, kvHeads, headDim, vocab, gatedMlp);
    }

    private static void positive(String name, int value) {
        if (value < 1) throw new IllegalArgumentException("decoder shape: " + name + " must be >= 1, got " + value);
    }
}
