package org.adatoken3d.model.multimodal;

import org.adatoken3d.model.decoder.SpatialBlock;
import org.adatoken3d.model.generation.Prompt;
import org.adatoken3d.model.prompt.LlavaPrompt;
import org.adatoken3d.model.prompt.PromptTokens;
import org.adatoken3d.model.tokenizer.Tokenizer;

/** The {@code llava_v1} prompt with the spatial tokens in place of {@code <image>}. */
public final class SpatialPrompt {
    private SpatialPrompt() {}

    public static Prompt build(Tokenizer tokenizer, String question, SpatialInput spatial) {
        PromptTokens parts = LlavaPrompt.encode(tokenizer, question);
        int before = parts.beforeSpatial().length;
        int[] ids = new int[before + spatial.count() + parts.afterSpatial().length];
        System.arraycopy(parts.beforeSpatial(), 0, ids, 0, before);
        // Ids inside the block are placeholders: their rows come from the spatial embeddings.
        System.arraycopy(parts.afterSpatial(), 0, ids, before + spatial.count(), parts.afterSpatial().length);
        return new Prompt(ids, new SpatialBlock(before, spatial.count()), spatial.embeds());
    }
}
