package org.adatoken3d.evaluation.qa;

import java.nio.file.Path;
import org.adatoken3d.llava3d.spatial.Projector;
import org.adatoken3d.llava3d.spatial.SpatialTokens;
import org.adatoken3d.weights.InvalidFileException;
import org.adatoken3d.weights.SafetensorsFile;
import org.adatoken3d.weights.Tensor;

/**
 * The scenes of a spatial-QA split, every scene's spatial tokens in one safetensors file: {@code features [T, mm]},
 * {@code xyz [T, 3]}, {@code owner [T]} (the object a token belongs to, -1 for background) and {@code offsets [S+1]}
 * (scene i is tokens {@code offsets[i] .. offsets[i+1]-1}). The format is specified in
 * {@code conformance/python/spatialqa/README.md}. Splits are a few MB, so they are read whole.
 */
public final class SceneSet {
    /** More scenes or tokens than any split this format is meant for; guards the arrays read whole. */
    static final long MAX_TOKENS = 1L << 24;

    private final Path file;
    private final int width;
    private final long[] offsets;
    private final float[] features;
    private final float[] xyz;
    private final int[] owner;

    private SceneSet(Path file, int width, long[] offsets, float[] features, float[] xyz, int[] owner) {
        this.file = file;
        this.width = width;
        this.offsets = offsets;
        this.features = features;
        this.xyz = xyz;
        this.owner = owner;
    }

    public static SceneSet read(Path file) {
        try (SafetensorsFile in = SafetensorsFile.open(file)) {
            return from(in);
        }
    }

    /** The scene set held by an open safetensors file (read whole; the file may be closed afterwards). */
    static SceneSet from(SafetensorsFile in) {
        Path file = in.path();
        Tensor f = need(in, file, "features");
        Tensor p = need(in, file, "xyz");
        Tensor o = need(in, file, "owner");
        Tensor off = need(in, file, "offsets");
        if (f.rank() != 2 || f.dim(1) < 1 || !f.dtype().isFloatingPoint()) {
            throw new InvalidFileException(file, "features must be a float matrix [tokens, mm_hidden], got " + f.dtype() + " " + f.shapeString());
        }
        long tokens = f.dim(0);
        if (tokens > MAX_TOKENS || f.elementCount() > Integer.MAX_VALUE - 8) {
            throw new InvalidFileException(file, "holds " + tokens + " tokens, more than a split of this format may hold (" + MAX_TOKENS + ")");
        }
        if (p.rank() != 2 || p.dim(0) != tokens || p.dim(1) != 3 || !p.dtype().isFloatingPoint()) {
            throw new InvalidFileException(file, "xyz must be a float matrix [" + tokens + ", 3], got " + p.dtype() + " " + p.shapeString());
        }
        if (o.rank() != 1 || o.dim(0) != tokens || o.dtype().isFloatingPoint()) {
            throw new InvalidFileException(file, "owner must be an integer vector [" + tokens + "], got " + o.dtype() + " " + o.shapeString());
        }
        if (off.rank() != 1 || off.dim(0) < 2 || off.dim(0) > tokens + 1 || off.dtype().isFloatingPoint()) {
            throw new InvalidFileException(file, "offsets must be an integer vector [scenes + 1] with at least one scene, got "
                    + off.dtype() + " " + off.shapeString());
        }
        long[] offsets = new long[(int) off.dim(0)];
        for (int i = 0; i < offsets.length; i++) {
            offsets[i] = off.getLong(i);
            if (i == 0 && offsets[0] != 0) throw new InvalidFileException(file, "offsets must start at 0, got " + offsets[0]);
            if (i > 0 && offsets[i] <= offsets[i - 1]) {
                throw new InvalidFileException(file, "offsets must increase (every scene holds a token), but offsets["
                        + i + "] = " + offsets[i] + " after " + offsets[i - 1]);
            }
        }
        if (offsets[offsets.length - 1] != tokens) {
            throw new InvalidFileException(file, "offsets end at " + offsets[offsets.length - 1] + ", but the file holds " + tokens + " tokens");
        }
        float[] features = f.toFloatArray();
        for (float v : features) {
            if (!Float.isFinite(v)) throw new InvalidFileException(file, "features contain non-finite values");
        }
        float[] xyz = p.toFloatArray();
        int[] owner = new int[(int) tokens];
        for (int i = 0; i < owner.length; i++) owner[i] = (int) Math.max(-1, Math.min(Integer.MAX_VALUE, o.getLong(i)));
        return new SceneSet(file, (int) f.dim(1), offsets, features, xyz, owner);
    }

    private static Tensor need(SafetensorsFile in, Path file, String name) {
        return in.find(name).orElseThrow(() -> new InvalidFileException(file, "has no tensor '" + name
                + "' (a spatial-QA scene file holds features, xyz, owner and offsets)"));
    }

    public Path file() {
        return file;
    }

    public int size() {
        return offsets.length - 1;
    }

    /** mm_hidden: the width of a feature row. */
    public int featureWidth() {
        return width;
    }

    public int tokens(int scene) {
        check(scene);
        return (int) (offsets[scene + 1] - offsets[scene]);
    }

    /** Scene {@code scene}'s features {@code [tokens][featureWidth]}. */
    public float[] features(int scene) {
        return slice(features, scene, width);
    }

    /** Scene {@code scene}'s token centres {@code [tokens][3]}, metres. */
    public float[] xyz(int scene) {
        return slice(xyz, scene, 3);
    }

    /** Per token of scene {@code scene}: the index of the object it belongs to, or -1 for background. */
    public int[] owner(int scene) {
        check(scene);
        return java.util.Arrays.copyOfRange(owner, (int) offsets[scene], (int) offsets[scene + 1]);
    }

    /** Scene {@code scene} as spatial tokens for the decoder, projected by the model's mm_projector. */
    public SpatialTokens spatialTokens(int scene, Projector projector) {
        if (projector.inputWidth() != width) {
            throw new InvalidFileException(file, "features are " + width + " wide, the model's mm_projector takes " + projector.inputWidth());
        }
        int n = tokens(scene);
        return new SpatialTokens(n, projector.project(features(scene), n), xyz(scene));
    }

    private float[] slice(float[] all, int scene, int w) {
        check(scene);
        return java.util.Arrays.copyOfRange(all, (int) offsets[scene] * w, (int) offsets[scene + 1] * w);
    }

    private void check(int scene) {
        if (scene < 0 || scene >= size()) {
            throw new InvalidFileException(file, "has " + size() + " scenes; scene " + scene + " does not exist");
        }
    }
}
