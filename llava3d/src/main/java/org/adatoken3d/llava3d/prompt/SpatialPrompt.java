package org.adatoken3d.llava3d.prompt;
import org.adatoken3d.llava3d.spatial.ClickEncoder;
import org.adatoken3d.llava3d.spatial.SpatialTokens;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.function.Supplier;
import org.adatoken3d.model.Model;
import org.adatoken3d.model.decoder.EmbeddedRow;
import org.adatoken3d.model.decoder.SpatialBlock;
import org.adatoken3d.model.generation.Prompt;
import org.adatoken3d.llava3d.prompt.ClickQuestion;
import org.adatoken3d.llava3d.prompt.LlavaPrompt;
import org.adatoken3d.llava3d.prompt.PromptTokens;
import org.adatoken3d.model.tokenizer.Tokenizer;

/**
 * The {@code llava_v1} prompt with the spatial tokens in place of {@code <image>} and a click token from the click
 * encoder in place of each {@code [x, y, z]} of the question.
 */
public final class SpatialPrompt {
    private SpatialPrompt() {}

    /** The prompt for {@code m}, loading its click encoder only when the question has a click. */
    public static Prompt build(Model m, String question, SpatialTokens spatial) {
        return build(m.tokenizer(), question, spatial, () -> ClickEncoder.load(m.checkpoint(), m.config()));
    }

    public static Prompt build(Tokenizer tokenizer, String question, SpatialTokens spatial, Supplier<ClickEncoder> clickEncoder) {
        ClickQuestion q = ClickQuestion.parse(question);
        PromptTokens parts = LlavaPrompt.encode(tokenizer, q);
        int before = parts.beforeSpatial().length;
        int after = before + spatial.count();
        int[] ids = new int[after + parts.afterSpatial().length];
        System.arraycopy(parts.beforeSpatial(), 0, ids, 0, before);
        // Ids inside the block are placeholders: their rows come from the spatial embeddings.
        System.arraycopy(parts.afterSpatial(), 0, ids, after, parts.afterSpatial().length);
        List<EmbeddedRow> rows = new ArrayList<>();
        if (q.hasClicks()) {
            ClickEncoder encoder = clickEncoder.get();
            float[] embeds = encoder.encode(q.clicks());
            int width = encoder.width();
            int[] offsets = parts.clickOffsets();
            for (int c = 0; c < offsets.length; c++) {
                rows.add(new EmbeddedRow(after + offsets[c], Arrays.copyOfRange(embeds, c * width, (c + 1) * width)));
            }
        }
        return new Prompt(ids, new SpatialBlock(before, spatial.count()), spatial.embeds(), rows);
    }
}
