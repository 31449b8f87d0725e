package org.adatoken3d.langchain4j;

import java.nio.file.Path;
import org.adatoken3d.evaluation.qa.QuestionSet;
import org.adatoken3d.evaluation.qa.SceneSet;
import org.adatoken3d.llava3d.EngineOptions;
import org.adatoken3d.llava3d.Llava3d;
import org.adatoken3d.llava3d.spatial.SpatialTokens;

/** The trained spatial-QA model and its held-out split, which the chat models' tests ask about. */
final class SpatialQa {
    static final Path DIR = Path.of(System.getProperty("adatoken3d.root", "..")).resolve("conformance/spatialqa");
    static final QuestionSet HELDOUT = QuestionSet.read(DIR.resolve("heldout-questions.json"));
    static final SceneSet SCENES = HELDOUT.readScenes();

    private SpatialQa() {}

    /** The model (folder name "model") with its calibrated profile, so {@code auto} prunes. */
    static Llava3d open() {
        return Llava3d.open(DIR.resolve("model"), EngineOptions.defaults());
    }

    static SpatialTokens scene(Llava3d llava, int scene) {
        return SCENES.spatialTokens(scene, llava.projector());
    }
}
