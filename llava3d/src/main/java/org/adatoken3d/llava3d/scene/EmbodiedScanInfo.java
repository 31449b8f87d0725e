package org.adatoken3d.llava3d.scene;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.StreamReadConstraints;
import com.fasterxml.jackson.core.StreamReadFeature;
import com.fasterxml.jackson.core.json.JsonReadFeature;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;
import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.function.Consumer;
import org.adatoken3d.weights.FolderPaths;
import org.adatoken3d.weights.InvalidFileException;

/**
 * Reads a scene described by an EmbodiedScan info file (OpenRobotLab/EmbodiedScan's per-scene info, which LLaVA-3D's
 * data loaders also read), stored as JSON:
 *
 * <pre>
 * {"data_list": [{                            (or that one scene's object on its own)
 *     "sample_idx": "scannet/scene0000_00",
 *     "axis_align_matrix": 4x4,               optional: the identity, with a warning
 *     "cam2img": 4x4 or 3x3,                  colour camera intrinsics
 *     "depth_cam2img": 4x4 or 3x3,            optional: the depth camera's; cam2img when absent
 *     "depth_shift": 1000.0,                  optional: depth units per metre
 *     "images": [{"img_path": "scannet/posed_images/scene0000_00/00000.jpg",
 *                 "depth_path": "scannet/posed_images/scene0000_00/00000.png",
 *                 "cam2global": 4x4 camera-to-world}, ...]}]}
 * </pre>
 *
 * Paths are relative to the JSON file's folder and must stay inside it. As EmbodiedScan's dataset reads it: without {@code depth_cam2img}
 * the depth camera is the colour camera; images may carry their own {@code cam2img} when the scene has none (here
 * they must then all agree, as one scene has one depth camera); the depth scale is 1000, 4000 for Matterport3D
 * scenes, unless {@code depth_shift} gives it. Matrices are nested lists (numpy's {@code tolist()}) or flat lists of
 * 16 (9) numbers. Poses holding an infinity (Python's json writes {@code -Infinity}) are skipped with a warning, as
 * the ScanNet reader skips them; the checks are the same.
 */
public final class EmbodiedScanInfo {
    public static final String LAYOUT = "EmbodiedScan info";
    /** One scene's info is kilobytes to a few megabytes; a whole split's is not one scene. */
    static final long MAX_BYTES = 64L << 20;
    static final double MATTERPORT_DEPTH_SHIFT = 4000;

    private static final ObjectMapper JSON = JsonMapper.builder(JsonFactory.builder()
                    .streamReadConstraints(StreamReadConstraints.builder().maxNestingDepth(64).build())
                    .build())
            .enable(StreamReadFeature.STRICT_DUPLICATE_DETECTION)
            .enable(JsonReadFeature.ALLOW_NON_NUMERIC_NUMBERS)
            .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS)
            .build();

    private EmbodiedScanInfo() {}

    /** Reads and checks an info file, and that every frame it lists exists. */
    public static Scene read(Path file, Consumer<String> warnings) {
        return parse(file, readBytes(file), true, warnings);
    }

    /** The one {@code *.json} file of {@code folder}, or null if it has none; several are an error. */
    static Path findIn(Path folder) {
        List<Path> found = new ArrayList<>();
        try (DirectoryStream<Path> entries = Files.newDirectoryStream(folder, "*.json")) {
            for (Path p : entries) if (Files.isRegularFile(p)) found.add(p);
        } catch (IOException e) {
            throw new InvalidFileException(folder, "cannot be listed: " + e.getMessage(), e);
        }
        if (found.size() > 1) {
            found.sort(null);
            throw new InvalidFileException(folder, "holds " + found.size() + " .json files (" + found.get(0).getFileName() + ", "
                    + found.get(1).getFileName() + (found.size() > 2 ? ", ..." : "") + "); give the EmbodiedScan info file itself");
        }
        return found.isEmpty() ? null : found.get(0);
    }

    /**
     * Parses an info file's bytes; {@code file} names the source in errors and its folder is where relative paths
     * start. With {@code checkFiles} every listed colour and depth file must exist.
     */
    static Scene parse(Path file, byte[] data, boolean checkFiles, Consumer<String> warnings) {
        JsonNode root;
        try {
            root = JSON.readTree(data);
        } catch (IOException e) {
            throw new InvalidFileException(file, "is not valid JSON: " + String.valueOf(e.getMessage()).lines().findFirst().orElse(""), e);
        }
        if (root == null || !root.isObject()) throw new InvalidFileException(file, "is not an EmbodiedScan info file: it holds no JSON object");
        JsonNode scene = root;
        String at = "";
        if (root.has("data_list")) {
            JsonNode list = root.get("data_list");
            if (!list.isArray()) throw new InvalidFileException(file, "data_list is not a list");
            if (list.size() != 1) {
                throw new InvalidFileException(file, "data_list holds " + list.size() + " scenes" + sampleNames(list)
                        + "; give a file with the entry of the one scene to read");
            }
            scene = list.get(0);
            at = "data_list[0].";
        }
        if (!scene.isObject() || !scene.has("images")) {
            throw new InvalidFileException(file, "is not an EmbodiedScan info file: " + (at.isEmpty() ? "it" : at.substring(0, at.length() - 1))
                    + " has no 'images' list (expected {\"data_list\": [scene]} or a scene with images, cam2img, axis_align_matrix)");
        }
        Fields f = new Fields(file, at);
        JsonNode images = scene.get("images");
        if (!images.isArray() || images.isEmpty()) throw f.error("images", "is not a non-empty list");
        if (images.size() > Scene.MAX_FRAMES) throw f.error("images", "lists " + images.size() + " frames, more than " + Scene.MAX_FRAMES);

        Path base = file.toAbsolutePath().getParent();
        List<Scene.Listed> listed = new ArrayList<>();
        Matrix4 firstImageK = null;
        for (int i = 0; i < images.size(); i++) {
            String img = "images[" + i + "]";
            JsonNode image = images.get(i);
            if (!image.isObject()) throw f.error(img, "is not an object with img_path, depth_path and cam2global");
            Path color = f.path(base, image, img + ".img_path", checkFiles);
            Path depth = f.path(base, image, img + ".depth_path", checkFiles);
            Matrix4 pose = f.matrix(image.get("cam2global"), img + ".cam2global", false);
            if (!scene.has("cam2img") && image.has("cam2img")) {
                Matrix4 k = f.matrix(image.get("cam2img"), img + ".cam2img", true);
                if (firstImageK == null) {
                    firstImageK = k;
                } else if (!firstImageK.equals(k)) {
                    throw f.error(img + ".cam2img", "differs from images[0].cam2img; frames with different intrinsics are not supported");
                }
            }
            String name = color.getFileName() == null ? color.toString() : color.getFileName().toString();
            int dot = name.lastIndexOf('.');
            listed.add(new Scene.Listed(dot > 0 ? name.substring(0, dot) : name, color, depth, pose, f.location(img + ".cam2global")));
        }

        CameraIntrinsics colorK = null;
        if (scene.has("cam2img")) {
            colorK = CameraIntrinsics.of(f.location("cam2img"), f.matrix(scene.get("cam2img"), "cam2img", true));
        } else if (firstImageK != null) {
            colorK = CameraIntrinsics.of(f.location("images[0].cam2img"), firstImageK);
        }
        CameraIntrinsics depthK;
        if (scene.has("depth_cam2img")) {
            depthK = CameraIntrinsics.of(f.location("depth_cam2img"), f.matrix(scene.get("depth_cam2img"), "depth_cam2img", true));
        } else if (colorK != null) {
            depthK = colorK;
        } else {
            throw f.error("cam2img", "is missing: the scene gives no camera intrinsics (cam2img or depth_cam2img)");
        }
        Matrix4 axis = scene.has("axis_align_matrix") ? f.matrix(scene.get("axis_align_matrix"), "axis_align_matrix", false) : null;
        axis = Scene.checkedAxisAlignment(axis, f.location("axis_align_matrix"), file, warnings, "no axis_align_matrix");
        return Scene.assemble(file, LAYOUT, listed, depthK, colorK, axis, depthScale(scene, f),
                new Scene.FileLocation(file, null), warnings);
    }

    /** {@code depth_shift} when given, else EmbodiedScan's rule: 4000 for Matterport3D scenes, 1000 (millimetres) otherwise. */
    private static double depthScale(JsonNode scene, Fields f) {
        JsonNode shift = scene.get("depth_shift");
        if (shift != null) {
            if (!shift.isNumber() || !(shift.doubleValue() > 0) || Double.isInfinite(shift.doubleValue())) {
                throw f.error("depth_shift", "is " + abbreviate(shift.toString()) + "; it must be a positive number (depth units per metre)");
            }
            return shift.doubleValue();
        }
        JsonNode sample = scene.get("sample_idx");
        boolean matterport = sample != null && sample.isTextual() && sample.asText().toLowerCase(Locale.ROOT).startsWith("matterport3d/");
        return matterport ? MATTERPORT_DEPTH_SHIFT : ProcessedDepth.SCANNET_DEPTH_SCALE;
    }

    private static String sampleNames(JsonNode list) {
        List<String> names = new ArrayList<>();
        for (int i = 0; i < list.size() && names.size() < 3; i++) {
            JsonNode s = list.get(i).get("sample_idx");
            if (s != null && s.isTextual()) names.add(abbreviate(s.asText()));
        }
        if (names.isEmpty()) return "";
        return " (" + String.join(", ", names) + (list.size() > names.size() ? ", ..." : "") + ")";
    }

    /** Reads the fields of one scene's object, naming {@code file} and the field in every error. */
    private record Fields(Path file, String at) {
        Scene.FileLocation location(String field) {
            return new Scene.FileLocation(file, at + field);
        }

        InvalidFileException error(String field, String problem) {
            return location(field).error(problem);
        }

        Path path(Path base, JsonNode image, String field, boolean mustExist) {
            JsonNode node = image.get(field.substring(field.lastIndexOf('.') + 1));
            if (node == null) throw error(field, "is missing");
            if (!node.isTextual() || node.asText().isEmpty()) throw error(field, "is not a file path: " + abbreviate(node.toString()));
            Path p = FolderPaths.inside(base, node.asText(), file, at + field);
            if (mustExist && !Files.isRegularFile(p)) throw error(field, "names " + p + ", which does not exist");
            return p;
        }

        /** A 4×4 matrix (or, with {@code allow3x3}, a 3×3 one padded to 4×4 as intrinsics come), nested or flat. */
        Matrix4 matrix(JsonNode node, String field, boolean allow3x3) {
            if (node == null) throw error(field, "is missing");
            String expected = allow3x3 ? "a 4x4 or 3x3 matrix" : "a 4x4 matrix";
            if (!node.isArray()) throw error(field, "is " + abbreviate(node.toString()) + ", expected " + expected);
            List<JsonNode> numbers = new ArrayList<>();
            int rows = node.size();
            boolean nested = rows > 0 && node.get(0).isArray();
            if (nested) {
                for (JsonNode row : node) {
                    if (!row.isArray() || row.size() != rows) throw error(field, "is not " + expected + ": its rows are not " + rows + " numbers each");
                    row.forEach(numbers::add);
                }
            } else {
                node.forEach(numbers::add);
            }
            int n = numbers.size();
            if (!(n == 16 || (allow3x3 && n == 9))) throw error(field, "holds " + n + " numbers, expected " + expected);
            double[] v = new double[n];
            for (int i = 0; i < n; i++) {
                JsonNode x = numbers.get(i);
                if (!x.isNumber()) throw error(field, "holds " + abbreviate(x.toString()) + ", which is not a number");
                v[i] = x.doubleValue();
            }
            if (n == 16) return new Matrix4(v);
            double[] m = new double[16];
            for (int r = 0; r < 3; r++) System.arraycopy(v, r * 3, m, r * 4, 3);
            m[15] = 1;
            return new Matrix4(m);
        }
    }

    private static byte[] readBytes(Path file) {
        try {
            long size = Files.size(file);
            if (size > MAX_BYTES) {
                throw new InvalidFileException(file, "is " + size + " bytes; one scene's info is at most " + MAX_BYTES
                        + " (a whole split's info file holds many scenes: give one scene's entry)");
            }
            return Files.readAllBytes(file);
        } catch (NoSuchFileException e) {
            throw new InvalidFileException(file, "does not exist");
        } catch (IOException e) {
            throw new InvalidFileException(file, "cannot be read: " + e.getMessage(), e);
        }
    }

    private static String abbreviate(String s) {
        return s.length() <= 40 ? s : s.substring(0, 40) + "...";
    }
}
