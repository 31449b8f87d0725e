package org.adatoken3d.evaluation.run;

import java.io.Serializable;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.adatoken3d.evaluation.qa.SceneSet;
import org.adatoken3d.kernels.EngineArgumentException;
import org.adatoken3d.llava3d.EncodedScene;
import org.adatoken3d.llava3d.Llava3d;
import org.adatoken3d.llava3d.SceneOptions;
import org.adatoken3d.llava3d.spatial.SpatialTokens;
import org.adatoken3d.weights.InvalidFileException;

/**
 * Where a run finds the scene a {@code scene_id} names. Plain strings, so that it travels to other machines (a
 * Spark executor opens it there, against its own copy of the files).
 *
 * <ul>
 *   <li>{@link Kind#FOLDER}: under a root folder, the first of {@code <scene_id>.safetensors} (spatial tokens saved
 *       earlier, {@link SpatialTokens#save}), {@code <scene_id>/} (a ScanNet export folder, or a folder holding one
 *       EmbodiedScan info JSON) and {@code <scene_id>.json} (an EmbodiedScan info file);</li>
 *   <li>{@link Kind#SPATIAL_QA}: a spatial-QA scene file, scene {@code sceneNNNN_00} being its scene NNNN.</li>
 * </ul>
 *
 * @param views views of a scene encoded from frames (LLaVA-3D: 20)
 * @param seed seed of the front end's token subset
 * @param saveTo a folder where scenes encoded from frames are saved as {@code <scene_id>.safetensors} for later runs,
 *     or null
 */
public record SceneLocation(Kind kind, String path, int views, long seed, String saveTo) implements Serializable {
    public enum Kind { FOLDER, SPATIAL_QA }

    public SceneLocation {
        if (kind == null || path == null) throw new IllegalArgumentException("a scene location needs a kind and a path");
        new SceneOptions(views, seed, null);
    }

    public static SceneLocation folder(Path root, SceneOptions options, Path saveTo) {
        if (!Files.isDirectory(root)) throw new EngineArgumentException("scenesRoot", "must be a folder, got " + root);
        return new SceneLocation(Kind.FOLDER, root.toAbsolutePath().normalize().toString(), options.views(), options.seed(),
                saveTo == null ? null : saveTo.toAbsolutePath().normalize().toString());
    }

    public static SceneLocation spatialQa(Path scenesFile) {
        SceneOptions d = SceneOptions.defaults();
        return new SceneLocation(Kind.SPATIAL_QA, scenesFile.toAbsolutePath().normalize().toString(), d.views(), d.seed(), null);
    }

    /** Gives a scene's spatial tokens for the model it is opened with. */
    public interface Store {
        SpatialTokens tokens(String sceneId);
    }

    public Store open(Llava3d llava) {
        return switch (kind) {
            case FOLDER -> sceneId -> fromFolder(llava, sceneId);
            case SPATIAL_QA -> spatialQa(llava);
        };
    }

    private SpatialTokens fromFolder(Llava3d llava, String sceneId) {
        Path root = Path.of(path);
        List<Path> candidates = List.of(root.resolve(sceneId + ".safetensors"), root.resolve(sceneId), root.resolve(sceneId + ".json"));
        for (Path p : candidates) {
            if (!Files.exists(p)) continue;
            EncodedScene encoded = llava.encode(p, new SceneOptions(views, seed, null));
            if (saveTo != null && !encoded.isPrecomputed()) {
                try {
                    Files.createDirectories(Path.of(saveTo));
                } catch (java.io.IOException e) {
                    throw new java.io.UncheckedIOException(saveTo + ": cannot create the folder for encoded scenes: " + e.getMessage(), e);
                }
                encoded.tokens().save(Path.of(saveTo, sceneId + ".safetensors"));
            }
            return encoded.tokens();
        }
        throw new InvalidFileException(root, "holds no scene " + sceneId + " (looked for " + sceneId + ".safetensors, " + sceneId + "/ and "
                + sceneId + ".json)");
    }

    private Store spatialQa(Llava3d llava) {
        SceneSet scenes = SceneSet.read(Path.of(path));
        return sceneId -> {
            int index = -1;
            if (sceneId.matches("scene[0-9]{4,}_00")) index = Integer.parseInt(sceneId.substring(5, sceneId.length() - 3));
            if (index < 0 || index >= scenes.size()) {
                throw new InvalidFileException(scenes.file(), "has " + scenes.size() + " scenes (scene0000_00 ..); there is no " + sceneId);
            }
            return scenes.spatialTokens(index, llava.projector());
        };
    }
}
