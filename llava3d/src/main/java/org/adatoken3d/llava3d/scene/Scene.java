package org.adatoken3d.llava3d.scene;

import org.adatoken3d.kernels.EngineArgumentException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;
import org.adatoken3d.weights.InvalidFileException;

/**
 * A posed RGB-D scan as the front end reads it, whatever layout it came in: its frames with valid camera-to-world
 * poses, the depth camera's intrinsics, the axis alignment and the depth scale. {@link ScanNetScene} and
 * {@link EmbodiedScanInfo} read the two layouts users have; {@link #open} tells them apart.
 *
 * @param source the folder or file the scene was read from
 * @param layout which layout it was, in words
 * @param frames the frames with a valid pose, in order
 * @param skipped how many frames were skipped for an invalid pose
 * @param colorIntrinsics the colour camera's intrinsics, or null when the scene does not give them
 * @param depthScale depth units per metre (ScanNet: 1000, millimetres)
 */
public record Scene(Path source, String layout, List<SceneFrame> frames, int skipped, CameraIntrinsics depthIntrinsics,
        CameraIntrinsics colorIntrinsics, Matrix4 axisAlignment, double depthScale) {

    /** More frames than any scan has; bounds the work a bogus scene can cause. */
    static final int MAX_FRAMES = 200_000;

    public Scene {
        frames = List.copyOf(frames);
        if (!(depthScale > 0) || Double.isInfinite(depthScale)) {
            throw new EngineArgumentException("depthScale", "must be positive and finite, got " + depthScale);
        }
    }

    /** A frame as a layout lists it, before its pose is checked; {@code pose} names where the pose was read. */
    record Listed(String name, Path color, Path depth, Matrix4 pose, FileLocation poseSource) {}

    /** Where a value was read: a file, and the field inside it when the file holds more than that value. */
    record FileLocation(Path file, String field) {
        InvalidFileException error(String problem) {
            return new InvalidFileException(file, field == null ? problem : field + " " + problem);
        }
    }

    /**
     * Opens a scene in either layout: a ScanNet export folder (it has {@code color/}), an EmbodiedScan info
     * {@code .json} file, or a folder holding exactly one such file.
     */
    public static Scene open(Path path, Consumer<String> warnings) {
        if (Files.isRegularFile(path)) return EmbodiedScanInfo.read(path, warnings);
        if (Files.isDirectory(path) && !Files.isDirectory(path.resolve("color"))) {
            Path info = EmbodiedScanInfo.findIn(path);
            if (info != null) return EmbodiedScanInfo.read(info, warnings);
        }
        return ScanNetScene.open(path, warnings);
    }

    /** The same scene with another depth scale (a sensor or export that does not store millimetres). */
    public Scene withDepthScale(double scale) {
        return new Scene(source, layout, frames, skipped, depthIntrinsics, colorIntrinsics, axisAlignment, scale);
    }

    /** The views LLaVA-3D would encode: {@link ViewSampler#uniform} over the valid frames. */
    public List<SceneFrame> sample(int views) {
        List<SceneFrame> picked = new ArrayList<>();
        for (int i : ViewSampler.uniform(frames.size(), views)) picked.add(frames.get(i));
        return picked;
    }

    /**
     * The checks every layout shares: frames whose pose holds an infinity are skipped with a warning, as LLaVA-3D
     * skips them (ScanNet writes -inf where tracking was lost); any other non-rigid pose, or no valid frame at all,
     * is an error naming where the pose was read.
     */
    static Scene assemble(Path source, String layout, List<Listed> listed, CameraIntrinsics depthIntrinsics,
            CameraIntrinsics colorIntrinsics, Matrix4 axisAlignment, double depthScale, FileLocation posesSource,
            Consumer<String> warnings) {
        List<SceneFrame> frames = new ArrayList<>();
        List<String> skippedNames = new ArrayList<>();
        for (Listed f : listed) {
            if (f.pose().hasInfinity()) {
                skippedNames.add(f.name());
                continue;
            }
            String problem = f.pose().rigidityProblem();
            if (problem != null) throw f.poseSource().error("is not a camera pose: " + problem);
            frames.add(new SceneFrame(f.name(), f.color(), f.depth(), f.pose()));
        }
        if (!skippedNames.isEmpty()) {
            warnings.accept(String.format("%s: skipped %d of %d frames whose pose is invalid (-inf): %s", source, skippedNames.size(),
                    listed.size(), abbreviate(skippedNames)));
        }
        if (frames.isEmpty()) throw posesSource.error("no frame has a valid pose (all " + listed.size() + " hold -inf)");
        return new Scene(source, layout, frames, skippedNames.size(), depthIntrinsics, colorIntrinsics, axisAlignment, depthScale);
    }

    /** Checks an axis alignment read from {@code where}; null stands for "none given" and becomes the identity. */
    static Matrix4 checkedAxisAlignment(Matrix4 axis, FileLocation where, Path source, Consumer<String> warnings, String missing) {
        if (axis == null) {
            warnings.accept(source + ": " + missing + "; using the identity");
            return Matrix4.identity();
        }
        String problem = axis.rigidityProblem();
        if (problem != null) throw where.error("is not a rigid axis alignment: " + problem);
        return axis;
    }

    private static String abbreviate(List<String> names) {
        return names.size() <= 8 ? String.join(", ", names) : String.join(", ", names.subList(0, 8)) + ", ...";
    }
}
