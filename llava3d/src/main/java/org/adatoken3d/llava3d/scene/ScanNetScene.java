package org.adatoken3d.llava3d.scene;

import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.Consumer;
import org.adatoken3d.weights.InvalidFileException;

/**
 * Reads a scene in the ScanNet export layout (what ScanNet's SensReader writes, and what LLaVA-3D reads):
 *
 * <pre>
 * SCENE/color/N.jpg                 colour frames (PNG also accepted)
 * SCENE/depth/N.png                 16-bit depth, millimetres
 * SCENE/pose/N.txt                  4x4 camera-to-world; all -inf where tracking was lost
 * SCENE/intrinsic/intrinsic_depth.txt   4x4 depth camera intrinsics (intrinsic_color.txt optional)
 * SCENE/axis_align_matrix.txt       4x4, or the axisAlignment line of ScanNet's SCENE/&lt;scene&gt;.txt
 * </pre>
 *
 * Frames are ordered by number (by name when the names are not all numbers). Frames whose pose holds an
 * infinity are skipped with a warning, as LLaVA-3D skips them; every other defect is an error naming its file.
 */
public final class ScanNetScene {
    public static final String LAYOUT = "ScanNet export";
    public static final String AXIS_ALIGN_FILE = "axis_align_matrix.txt";

    private ScanNetScene() {}

    /** Opens and checks a scene folder; {@code warnings} hears about skipped frames and assumed defaults. */
    public static Scene open(Path dir, Consumer<String> warnings) {
        if (!Files.isDirectory(dir)) {
            throw new InvalidFileException(dir, "is not a scene folder (expected color/, depth/, pose/, intrinsic/, or an EmbodiedScan info .json)");
        }
        Map<String, Path> colors = frameFiles(dir.resolve("color"), ".jpg", ".jpeg", ".png");
        Map<String, Path> depths = frameFiles(dir.resolve("depth"), ".png");
        Map<String, Path> poses = frameFiles(dir.resolve("pose"), ".txt");
        if (colors.isEmpty()) throw new InvalidFileException(dir.resolve("color"), "holds no colour frames (*.jpg or *.png)");
        checkSameFrames(dir, colors, depths, poses);

        Path depthIntrinsicsFile = dir.resolve("intrinsic").resolve("intrinsic_depth.txt");
        CameraIntrinsics depthIntrinsics = CameraIntrinsics.of(depthIntrinsicsFile, MatrixText.read(depthIntrinsicsFile));
        Path colorIntrinsicsFile = dir.resolve("intrinsic").resolve("intrinsic_color.txt");
        CameraIntrinsics colorIntrinsics = Files.isRegularFile(colorIntrinsicsFile)
                ? CameraIntrinsics.of(colorIntrinsicsFile, MatrixText.read(colorIntrinsicsFile)) : null;
        Matrix4 axis = axisAlignment(dir, warnings);

        List<String> names = new ArrayList<>(colors.keySet());
        names.sort(frameOrder(names));
        List<Scene.Listed> listed = new ArrayList<>();
        for (String name : names) {
            Path poseFile = poses.get(name);
            listed.add(new Scene.Listed(name, colors.get(name), depths.get(name), MatrixText.read(poseFile), new Scene.FileLocation(poseFile, null)));
        }
        return Scene.assemble(dir, LAYOUT, listed, depthIntrinsics, colorIntrinsics, axis, ProcessedDepth.SCANNET_DEPTH_SCALE,
                new Scene.FileLocation(dir.resolve("pose"), null), warnings);
    }

    private static Matrix4 axisAlignment(Path dir, Consumer<String> warnings) {
        Path file = dir.resolve(AXIS_ALIGN_FILE);
        Matrix4 axis = null;
        if (Files.isRegularFile(file)) {
            axis = MatrixText.read(file);
        } else {
            Path meta = dir.resolve(dir.toAbsolutePath().normalize().getFileName() + ".txt");
            if (Files.isRegularFile(meta)) {
                axis = MatrixText.parseAxisAlignment(meta, MatrixText.readSmall(meta));
                file = meta;
            }
        }
        return Scene.checkedAxisAlignment(axis, new Scene.FileLocation(file, null), dir, warnings,
                "no " + AXIS_ALIGN_FILE + " (nor an axisAlignment line in the scan's meta file)");
    }

    /** Frame name (file name without extension) to file, for the files of {@code folder} with one of the extensions. */
    private static Map<String, Path> frameFiles(Path folder, String... extensions) {
        if (!Files.isDirectory(folder)) throw new InvalidFileException(folder, "is missing: a ScanNet scene has color/, depth/ and pose/ folders");
        Map<String, Path> files = new TreeMap<>();
        try (DirectoryStream<Path> entries = Files.newDirectoryStream(folder)) {
            for (Path p : entries) {
                String file = p.getFileName().toString();
                String lower = file.toLowerCase(Locale.ROOT);
                for (String ext : extensions) {
                    if (lower.endsWith(ext) && Files.isRegularFile(p)) {
                        Path other = files.put(file.substring(0, file.length() - ext.length()), p);
                        if (other != null) throw new InvalidFileException(p, "and " + other.getFileName() + " are the same frame");
                        if (files.size() > Scene.MAX_FRAMES) throw new InvalidFileException(folder, "holds more than " + Scene.MAX_FRAMES + " frames");
                    }
                }
            }
        } catch (IOException e) {
            throw new InvalidFileException(folder, "cannot be listed: " + e.getMessage(), e);
        }
        return files;
    }

    private static void checkSameFrames(Path dir, Map<String, Path> colors, Map<String, Path> depths, Map<String, Path> poses) {
        if (colors.keySet().equals(depths.keySet()) && colors.keySet().equals(poses.keySet())) return;
        String detail = missing("depth", colors, depths, ".png");
        if (detail == null) detail = missing("pose", colors, poses, ".txt");
        if (detail == null) detail = extra("depth", depths, colors);
        if (detail == null) detail = extra("pose", poses, colors);
        throw new InvalidFileException(dir, String.format("frame counts do not match: color/ %d, depth/ %d, pose/ %d; %s",
                colors.size(), depths.size(), poses.size(), detail));
    }

    private static String missing(String folder, Map<String, Path> colors, Map<String, Path> other, String ext) {
        for (String name : colors.keySet()) {
            if (!other.containsKey(name)) return "frame " + name + " has no " + folder + "/" + name + ext;
        }
        return null;
    }

    private static String extra(String folder, Map<String, Path> other, Map<String, Path> colors) {
        for (String name : other.keySet()) {
            if (!colors.containsKey(name)) return folder + "/" + other.get(name).getFileName() + " has no colour frame";
        }
        return null;
    }

    /** Numeric order when every name is a number (SensReader writes 0, 1, ..., 10), else by name. */
    private static Comparator<String> frameOrder(List<String> names) {
        boolean numeric = names.stream().allMatch(n -> n.matches("\\d{1,18}"));
        return numeric ? Comparator.comparingLong(Long::parseLong) : Comparator.naturalOrder();
    }
}
