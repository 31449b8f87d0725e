package org.adatoken3d.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.adatoken3d.kernels.EngineArgumentException;
import org.adatoken3d.llava3d.vision.ClipVisionConfig;
import org.junit.jupiter.api.Test;

class AskShapeTest {
    @Test
    void theDefaultShapeIsLlava3d7bWithTheRealClipTower() {
        AskShape s = AskShape.of("llava3d-7b", null);
        assertEquals(32, s.layers());
        assertEquals(ClipVisionConfig.VIT_L_14_336, s.vision());
        assertEquals(23, s.visionLayersRun(), "LLaVA-3D reads the penultimate layer of 24");
        assertTrue(s.describe().startsWith("LLaVA-3D-7B: decoder 4096 wide, MLP 11008, 32 heads, vocab 32000, 32 layers; CLIP ViT-L/14-336"),
                s.describe());
        assertEquals("llava3d-7b", s.folderName());
    }

    @Test
    void aCutOrSmallShapeSaysSo() {
        AskShape cut = AskShape.of("llava3d-7b", 2);
        assertTrue(cut.describe().contains("2 of its 32 layers"), cut.describe());
        assertEquals("llava3d-7b-2-layers", cut.folderName());
        assertTrue(AskShape.of("tiny", null).describe().startsWith("the tiny preset (not the 7B shape)"));
        assertTrue(AskShape.of("small", null).describe().contains("a narrow CLIP tower (not ViT-L)"));
    }

    @Test
    void shapesAndDepthsOutsideThePresetsAreRefused() {
        EngineArgumentException e = assertThrows(EngineArgumentException.class, () -> AskShape.of("qwen2-7b", null));
        assertEquals("shape", e.parameter());
        assertEquals("must be one of llava3d-7b, small, tiny, got qwen2-7b", e.problem());
        assertEquals("must be 1 to 32 for llava3d-7b, got 33", assertThrows(EngineArgumentException.class, () -> AskShape.of("llava3d-7b", 33)).problem());
    }

    /**
     * ViT-L/14-336 on one view, counted by hand: a 24 x 24 grid of 14-pixel patches and the class token (577 rows);
     * the patch embedding is a [1024, 3·14·14] matrix on 576 patches; each of the 23 layers run has four 1024 x 1024
     * projections, QKᵀ and PV over 577 x 577 pairs of 1024-wide rows, and the 1024 -> 4096 -> 1024 MLP; 2 FLOPs a
     * multiply-add.
     */
    @Test
    void visionFlopsOfViTL14At336() {
        double patchEmbedding = 2.0 * 576 * 1024 * 588;
        double projections = 4 * 2.0 * 577 * 1024 * 1024;
        double attention = 2 * 2.0 * 577 * 577 * 1024;
        double mlp = 2 * 2.0 * 577 * 1024 * 4096;
        double expected = patchEmbedding + 23 * (projections + attention + mlp);
        assertEquals(expected, AskShape.of("llava3d-7b", null).visionFlopsPerView(), expected * 1e-12);
        assertEquals(366.0e9, expected, 0.1e9, "about 366 GFLOP a view");
    }
}
