package org.adatoken3d.cli;

import java.nio.file.Path;
import java.util.Locale;
import org.adatoken3d.llava3d.synthetic.SyntheticScene;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

@Command(name = "synth-scene", mixinStandardHelpOptions = true,
        description = {"Write a synthetic RGB-D scene (ScanNet layout or EmbodiedScan info JSON), for ask --scene without downloads.",
                "",
                "Write a synthetic scene in the ScanNet export layout or as an EmbodiedScan info JSON: a 6 x 5 x 3 m room "
                + "with coloured boxes, seen along a circular walk. Colour (JPEG), depth (16-bit PNG, mm), camera-to-world "
                + "poses, intrinsics and the axis alignment are consistent, so the spatial tokens of ask --scene land on the "
                + "room's surfaces; both layouts of one scene give the same tokens."})
final class SynthSceneCommand implements Runnable {
    @Option(names = "--out", required = true, paramLabel = "DIR",
            description = "Scene folder to write (created; it must be empty unless --force).")
    Path out;

    @Option(names = "--force", description = "Replace what --out holds (the new scene is written aside, then swapped in, so no old frame stays).")
    boolean force;

    @Option(names = "--frames", defaultValue = "60", paramLabel = "N", converter = Ranges.Count.class,
            description = "Frames along the walk (default: ${DEFAULT-VALUE}).")
    int frames;

    @Option(names = "--width", defaultValue = "640", paramLabel = "PIXELS", converter = Ranges.Pixels.class,
            description = "Frame width, 8 to " + Ranges.MOST_PIXELS + " (default: ${DEFAULT-VALUE}).")
    int width;

    @Option(names = "--height", defaultValue = "480", paramLabel = "PIXELS", converter = Ranges.Pixels.class,
            description = "Frame height, 8 to " + Ranges.MOST_PIXELS + " (default: ${DEFAULT-VALUE}).")
    int height;

    @Option(names = "--boxes", defaultValue = "6", paramLabel = "N", converter = Boxes.class,
            description = "Coloured boxes in the room, 0 to 8 (default: ${DEFAULT-VALUE}).")
    int boxes;

    static final class Boxes implements picocli.CommandLine.ITypeConverter<Integer> {
        @Override
        public Integer convert(String s) {
            return Ranges.between(s, 0, 8);
        }
    }

    @Option(names = "--invalid-pose-every", defaultValue = "0", paramLabel = "K", converter = Ranges.NonNegative.class,
            description = "Give every K-th frame a -inf pose, as ScanNet has where tracking was lost (default: none).")
    int invalidEvery;

    @Option(names = "--layout", defaultValue = "scannet", paramLabel = "scannet|embodiedscan",
            description = "scannet: color/, depth/, pose/, intrinsic/, axis_align_matrix.txt; embodiedscan: posed_images/ and "
                    + SyntheticScene.INFO_FILE + " (default: ${DEFAULT-VALUE}).")
    String layout;

    @Option(names = "--seed", defaultValue = "1", description = "Layout seed (default: ${DEFAULT-VALUE}).")
    long seed;

    @Override
    public void run() {
        long t0 = System.nanoTime();
        SyntheticScene.Layout l = switch (layout.toLowerCase(Locale.ROOT)) {
            case "scannet" -> SyntheticScene.Layout.SCANNET;
            case "embodiedscan" -> SyntheticScene.Layout.EMBODIEDSCAN;
            default -> throw new UserException("--layout must be scannet or embodiedscan, got " + layout);
        };
        SyntheticScene.Written w;
        try (Outputs.Folder folder = Outputs.folder("--out", out, force)) {
            w = Outputs.writing(folder, () -> SyntheticScene.write(folder.staging(),
                    new SyntheticScene.Options(frames, width, height, boxes, seed, invalidEvery), l));
            folder.commit();
        }
        Progress.say("synth-scene: %d frames of %dx%d, %d boxes (%s) in %.1f s -> %s (%s)", frames, width, height, w.boxes().size(),
                String.join(", ", w.boxes().stream().map(SyntheticScene.Box::colour).toList()), (System.nanoTime() - t0) / 1e9, out,
                l == SyntheticScene.Layout.SCANNET ? "ScanNet layout" : "EmbodiedScan info " + out.resolve(SyntheticScene.INFO_FILE));
    }
}
