package org.adatoken3d.llava3d.synthetic;
import org.adatoken3d.llava3d.scene.CameraIntrinsics;
import org.adatoken3d.llava3d.scene.Matrix4;
import org.adatoken3d.llava3d.scene.ScanNetScene;
import org.adatoken3d.llava3d.scene.Scene;

import com.fasterxml.jackson.core.json.JsonWriteFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.awt.image.BufferedImage;
import java.awt.image.DataBufferUShort;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.SplittableRandom;
import javax.imageio.IIOImage;
import javax.imageio.ImageIO;
import javax.imageio.ImageWriteParam;
import javax.imageio.ImageWriter;
import javax.imageio.stream.ImageOutputStream;

/**
 * Writes a synthetic scene, in the ScanNet export layout or as an EmbodiedScan info JSON: a 6 × 5 × 3 m room with
 * coloured boxes on the floor, seen by a camera walking a circle around the room's centre. Colour and depth are
 * ray-cast from the same pinhole camera, so every depth pixel unprojects exactly onto the surface whose colour the
 * colour frame shows. Poses are written in a "raw" frame that the axis alignment rotates and shifts back onto the
 * room's axes, as ScanNet's are.
 */
public final class SyntheticScene {
    /** Room extent in the aligned frame, metres; z is up. */
    public static final double ROOM_X = 6, ROOM_Y = 5, ROOM_Z = 3;

    /** An axis-aligned box in the aligned frame, with its colour name and 8-bit RGB. */
    public record Box(String colour, double[] min, double[] max, int[] rgb) {
        public boolean contains(double x, double y, double z, double slack) {
            return x >= min[0] - slack && x <= max[0] + slack && y >= min[1] - slack && y <= max[1] + slack
                    && z >= min[2] - slack && z <= max[2] + slack;
        }
    }

    /**
     * @param frames frames along the walk
     * @param width frame width in pixels (colour and depth share one camera)
     * @param height frame height
     * @param boxes how many boxes stand in the room
     * @param invalidPoseEvery every this-many-th frame gets an all -inf pose, as ScanNet has where tracking was
     *     lost (0: none)
     */
    public record Options(int frames, int width, int height, int boxes, long seed, int invalidPoseEvery) {
        public Options {
            if (frames < 1 || width < 8 || height < 8 || boxes < 0 || boxes > PALETTE.length || invalidPoseEvery < 0) {
                throw new IllegalArgumentException("synthetic scene needs frames >= 1, a frame of at least 8x8, 0.."
                        + PALETTE.length + " boxes and invalidPoseEvery >= 0");
            }
        }

        /** A ScanNet-sized scene: 640×480 frames, 60 of them, 6 boxes. */
        public static Options standard(long seed) {
            return new Options(60, 640, 480, 6, seed, 0);
        }
    }

    /** How the scene is stored on disk: the two layouts {@link Scene#open} reads. */
    public enum Layout {
        /** color/, depth/, pose/, intrinsic/, axis_align_matrix.txt. */
        SCANNET,
        /** posed_images/NNNNN.{jpg,png} and embodiedscan_info.json with the intrinsics, alignment and poses. */
        EMBODIEDSCAN
    }

    public static final String INFO_FILE = "embodiedscan_info.json";
    private static final ObjectMapper JSON = JsonMapper.builder()
            // Python's json writes a lost pose's -inf bare, as -Infinity; so do we.
            .disable(JsonWriteFeature.WRITE_NAN_AS_STRINGS)
            .enable(SerializationFeature.INDENT_OUTPUT)
            .build();

    /** What was written, for tests and the demo to check against. */
    public record Written(Path directory, List<Box> boxes, Matrix4 axisAlignment, CameraIntrinsics intrinsics,
            List<Matrix4> alignedPoses) {}

    private static final String[] COLOUR_NAMES = {"red", "green", "blue", "yellow", "purple", "orange", "cyan", "white"};
    private static final int[][] PALETTE = {{200, 40, 40}, {40, 170, 60}, {40, 70, 200}, {230, 210, 40}, {140, 50, 170},
            {240, 130, 30}, {40, 190, 200}, {235, 235, 235}};

    private SyntheticScene() {}

    public static Written write(Path dir, Options o) {
        return write(dir, o, Layout.SCANNET);
    }

    /**
     * Writes the scene in {@code layout}. Matrices hold the values of their 9-decimal text in both layouts, so the
     * two layouts of one scene read back identically.
     */
    public static Written write(Path dir, Options o, Layout layout) {
        SplittableRandom rnd = new SplittableRandom(o.seed);
        List<Box> boxes = placeBoxes(rnd, o.boxes);
        double yaw = (rnd.nextDouble() - 0.5) * 1.2;
        Matrix4 align = rotationZ(yaw, -ROOM_X / 2 + (rnd.nextDouble() - 0.5), -ROOM_Y / 2 + (rnd.nextDouble() - 0.5));
        // axis_align maps raw to aligned coordinates; the raw frame is where the poses live.
        Matrix4 alignInverse = align.rigidInverse();
        CameraIntrinsics k = new CameraIntrinsics(0.9 * o.width, 0.9 * o.width, (o.width - 1) / 2.0, (o.height - 1) / 2.0);
        double[] kMatrix = {k.fx(), 0, k.cx(), 0, 0, k.fy(), k.cy(), 0, 0, 0, 1, 0, 0, 0, 0, 1};
        boolean scanNet = layout == Layout.SCANNET;
        try {
            String[] folders = scanNet ? new String[] {"color", "depth", "pose", "intrinsic"} : new String[] {"posed_images"};
            for (String sub : folders) Files.createDirectories(dir.resolve(sub));
            if (scanNet) {
                Files.writeString(dir.resolve("intrinsic/intrinsic_depth.txt"), matrixText(kMatrix));
                Files.writeString(dir.resolve("intrinsic/intrinsic_color.txt"), matrixText(kMatrix));
                Files.writeString(dir.resolve(ScanNetScene.AXIS_ALIGN_FILE), matrixText(align.m()));
            }
            ArrayNode images = JSON.createArrayNode();
            List<Matrix4> poses = new ArrayList<>();
            for (int f = 0; f < o.frames; f++) {
                Matrix4 pose = cameraPose(f, o.frames);
                poses.add(pose);
                Render r = render(pose, k, o.width, o.height, boxes);
                boolean invalid = o.invalidPoseEvery > 0 && f % o.invalidPoseEvery == o.invalidPoseEvery - 1;
                double[] raw = invalid ? invalidPose() : alignInverse.times(pose).m();
                String color = scanNet ? "color/" + f + ".jpg" : String.format(Locale.ROOT, "posed_images/%05d.jpg", f);
                String depth = scanNet ? "depth/" + f + ".png" : String.format(Locale.ROOT, "posed_images/%05d.png", f);
                writeJpeg(dir.resolve(color), r.rgb, o.width, o.height);
                writeDepth(dir.resolve(depth), r.depth, o.width, o.height);
                if (scanNet) {
                    Files.writeString(dir.resolve("pose/" + f + ".txt"), matrixText(raw));
                } else {
                    ObjectNode image = images.addObject();
                    image.put("img_path", color);
                    image.put("depth_path", depth);
                    image.set("cam2global", matrixJson(raw));
                }
            }
            if (!scanNet) {
                ObjectNode scene = JSON.createObjectNode();
                scene.put("sample_idx", "synthetic/" + dir.toAbsolutePath().normalize().getFileName());
                scene.set("axis_align_matrix", matrixJson(align.m()));
                scene.set("cam2img", matrixJson(kMatrix));
                scene.set("depth_cam2img", matrixJson(kMatrix));
                scene.set("images", images);
                ObjectNode info = JSON.createObjectNode();
                info.putObject("metainfo").put("dataset", "synthetic room (adatoken3d synth-scene)");
                info.putArray("data_list").add(scene);
                Files.writeString(dir.resolve(INFO_FILE), JSON.writeValueAsString(info));
            }
            return new Written(dir, boxes, align, k, poses);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static List<Box> placeBoxes(SplittableRandom rnd, int count) {
        List<Box> boxes = new ArrayList<>();
        int attempts = 0;
        while (boxes.size() < count && attempts++ < 10_000) {
            double sx = 0.4 + rnd.nextDouble() * 0.8, sy = 0.4 + rnd.nextDouble() * 0.8, sz = 0.3 + rnd.nextDouble() * 1.2;
            double x = 0.3 + rnd.nextDouble() * (ROOM_X - 0.6 - sx), y = 0.3 + rnd.nextDouble() * (ROOM_Y - 0.6 - sy);
            // Keep the middle free for the camera's walk and the boxes apart, so each is seen whole from somewhere.
            double cx = x + sx / 2 - ROOM_X / 2, cy = y + sy / 2 - ROOM_Y / 2;
            if (Math.hypot(cx, cy) < 1.4 + Math.max(sx, sy) / 2) continue;
            Box b = new Box(COLOUR_NAMES[boxes.size()], new double[] {x, y, 0}, new double[] {x + sx, y + sy, sz}, PALETTE[boxes.size()]);
            boolean overlaps = false;
            for (Box o : boxes) {
                overlaps |= b.min[0] < o.max[0] + 0.2 && o.min[0] < b.max[0] + 0.2 && b.min[1] < o.max[1] + 0.2 && o.min[1] < b.max[1] + 0.2;
            }
            if (!overlaps) boxes.add(b);
        }
        return boxes;
    }

    /** Frame f of the walk: a circle of radius 1 m at eye height, looking past the centre at the far side. */
    static Matrix4 cameraPose(int f, int frames) {
        double theta = 2 * Math.PI * f / frames;
        double[] p = {ROOM_X / 2 + Math.cos(theta), ROOM_Y / 2 + Math.sin(theta), 1.5};
        double[] target = {ROOM_X / 2 - 2 * Math.cos(theta + 0.4), ROOM_Y / 2 - 2 * Math.sin(theta + 0.4), 0.6};
        double[] forward = normalize(sub(target, p));
        double[] right = normalize(cross(forward, new double[] {0, 0, 1}));
        double[] down = cross(forward, right);
        // OpenCV camera axes (x right, y down, z forward) are the columns of the camera-to-world rotation.
        return new Matrix4(new double[] {
                right[0], down[0], forward[0], p[0],
                right[1], down[1], forward[1], p[1],
                right[2], down[2], forward[2], p[2],
                0, 0, 0, 1});
    }

    private record Render(byte[] rgb, char[] depth) {}

    private static Render render(Matrix4 pose, CameraIntrinsics k, int w, int h, List<Box> boxes) {
        byte[] rgb = new byte[w * h * 3];
        char[] depth = new char[w * h];
        double[] o = {pose.get(0, 3), pose.get(1, 3), pose.get(2, 3)};
        double[] lightDir = normalize(new double[] {0.3, 0.5, 1});
        for (int v = 0; v < h; v++) {
            for (int u = 0; u < w; u++) {
                // Through the pixel at integer (u, v), as LLaVA-3D unprojects: camera z = 1 so the ray parameter is the depth.
                double dx = (u - k.cx()) / k.fx(), dy = (v - k.cy()) / k.fy();
                double[] d = new double[3];
                for (int i = 0; i < 3; i++) d[i] = pose.get(i, 0) * dx + pose.get(i, 1) * dy + pose.get(i, 2);
                Hit hit = trace(o, d, boxes);
                double[] x = {o[0] + hit.t * d[0], o[1] + hit.t * d[1], o[2] + hit.t * d[2]};
                double shade = 0.55 + 0.45 * Math.abs(dot(hit.normal, lightDir));
                double texture = 1;
                if (hit.box == null && hit.normal[2] != 0 && x[2] < 0.01) {
                    texture = ((int) Math.floor(x[0] / 0.5) + (int) Math.floor(x[1] / 0.5)) % 2 == 0 ? 1.0 : 0.8;
                }
                int[] base = hit.box != null ? hit.box.rgb : roomColour(hit.normal);
                int p = (v * w + u) * 3;
                for (int c = 0; c < 3; c++) rgb[p + c] = (byte) Math.min(255, (int) Math.round(base[c] * shade * texture));
                depth[v * w + u] = (char) Math.min(65535, Math.round(hit.t * 1000));
            }
        }
        return new Render(rgb, depth);
    }

    private static int[] roomColour(double[] normal) {
        if (normal[2] > 0.5) return new int[] {170, 150, 120};   // floor
        if (normal[2] < -0.5) return new int[] {225, 225, 220};  // ceiling
        if (Math.abs(normal[0]) > 0.5) return normal[0] > 0 ? new int[] {180, 190, 205} : new int[] {205, 195, 175};
        return normal[1] > 0 ? new int[] {190, 205, 185} : new int[] {210, 185, 190};
    }

    private record Hit(double t, double[] normal, Box box) {}

    /** Nearest surface along o + t·d: a box face from outside, or the room's walls from inside. */
    private static Hit trace(double[] o, double[] d, List<Box> boxes) {
        double best = Double.POSITIVE_INFINITY;
        double[] normal = null;
        double[] room = {ROOM_X, ROOM_Y, ROOM_Z};
        for (int a = 0; a < 3; a++) {
            if (d[a] == 0) continue;
            double t = d[a] > 0 ? (room[a] - o[a]) / d[a] : -o[a] / d[a];
            if (t > 0 && t < best) {
                best = t;
                normal = new double[3];
                normal[a] = d[a] > 0 ? -1 : 1;
            }
        }
        Box hitBox = null;
        for (Box b : boxes) {
            double near = Double.NEGATIVE_INFINITY, far = Double.POSITIVE_INFINITY;
            int axis = -1;
            for (int a = 0; a < 3; a++) {
                if (d[a] == 0) {
                    if (o[a] < b.min[a] || o[a] > b.max[a]) { near = Double.POSITIVE_INFINITY; break; }
                    continue;
                }
                double t1 = (b.min[a] - o[a]) / d[a], t2 = (b.max[a] - o[a]) / d[a];
                double lo = Math.min(t1, t2), hi = Math.max(t1, t2);
                if (lo > near) { near = lo; axis = a; }
                far = Math.min(far, hi);
            }
            if (near <= far && near > 0 && near < best && axis >= 0) {
                best = near;
                normal = new double[3];
                normal[axis] = d[axis] > 0 ? -1 : 1;
                hitBox = b;
            }
        }
        return new Hit(best, normal, hitBox);
    }

    private static Matrix4 rotationZ(double angle, double tx, double ty) {
        double c = Math.cos(angle), s = Math.sin(angle);
        return new Matrix4(new double[] {c, -s, 0, tx, s, c, 0, ty, 0, 0, 1, 0, 0, 0, 0, 1});
    }

    public static String matrixText(double[] m) {
        StringBuilder s = new StringBuilder();
        for (int r = 0; r < 4; r++) {
            for (int c = 0; c < 4; c++) s.append(c == 0 ? "" : " ").append(decimal(m[r * 4 + c]));
            s.append('\n');
        }
        return s.toString();
    }

    /** The matrix as nested lists (numpy's tolist()), each value that of its text in {@link #matrixText}. */
    private static ArrayNode matrixJson(double[] m) {
        ArrayNode rows = JSON.createArrayNode();
        for (int r = 0; r < 4; r++) {
            ArrayNode row = rows.addArray();
            for (int c = 0; c < 4; c++) row.add(Double.isInfinite(m[r * 4 + c]) ? m[r * 4 + c] : Double.parseDouble(decimal(m[r * 4 + c])));
        }
        return rows;
    }

    private static String decimal(double v) {
        return Double.isInfinite(v) ? (v < 0 ? "-inf" : "inf") : String.format(Locale.ROOT, "%.9f", v);
    }

    private static double[] invalidPose() {
        double[] m = new double[16];
        Arrays.fill(m, Double.NEGATIVE_INFINITY);
        return m;
    }

    private static void writeJpeg(Path file, byte[] rgb, int w, int h) throws IOException {
        BufferedImage image = new BufferedImage(w, h, BufferedImage.TYPE_3BYTE_BGR);
        int[] argb = new int[w * h];
        for (int i = 0; i < argb.length; i++) {
            argb[i] = (rgb[i * 3] & 0xff) << 16 | (rgb[i * 3 + 1] & 0xff) << 8 | (rgb[i * 3 + 2] & 0xff);
        }
        image.setRGB(0, 0, w, h, argb, 0, w);
        ImageWriter writer = ImageIO.getImageWritersByFormatName("jpg").next();
        ImageWriteParam param = writer.getDefaultWriteParam();
        param.setCompressionMode(ImageWriteParam.MODE_EXPLICIT);
        param.setCompressionQuality(0.95f);
        Files.deleteIfExists(file);
        try (ImageOutputStream out = ImageIO.createImageOutputStream(file.toFile())) {
            writer.setOutput(out);
            writer.write(null, new IIOImage(image, null, null), param);
        } finally {
            writer.dispose();
        }
    }

    private static void writeDepth(Path file, char[] depth, int w, int h) throws IOException {
        BufferedImage image = new BufferedImage(w, h, BufferedImage.TYPE_USHORT_GRAY);
        short[] data = ((DataBufferUShort) image.getRaster().getDataBuffer()).getData();
        for (int i = 0; i < depth.length; i++) data[i] = (short) depth[i];
        if (!ImageIO.write(image, "png", file.toFile())) throw new IOException("no PNG writer for " + file);
    }

    private static double[] sub(double[] a, double[] b) {
        return new double[] {a[0] - b[0], a[1] - b[1], a[2] - b[2]};
    }

    private static double[] cross(double[] a, double[] b) {
        return new double[] {a[1] * b[2] - a[2] * b[1], a[2] * b[0] - a[0] * b[2], a[0] * b[1] - a[1] * b[0]};
    }

    private static double dot(double[] a, double[] b) {
        return a[0] * b[0] + a[1] * b[1] + a[2] * b[2];
    }

    private static double[] normalize(double[] a) {
        double n = Math.sqrt(dot(a, a));
        return new double[] {a[0] / n, a[1] / n, a[2] / n};
    }
}
