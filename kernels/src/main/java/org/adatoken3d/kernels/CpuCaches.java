package org.adatoken3d.kernels;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * The data cache sizes of one core, which the GEMM's blocking is derived from: read from Linux's
 * {@code /sys/devices/system/cpu/cpu0/cache/index*}, or typical sizes of a current x86 core where that is not
 * readable (another OS, a container hiding sysfs).
 *
 * @param l1d    level-1 data cache, bytes
 * @param l2     level-2 cache, bytes
 * @param source where the figures came from: the sysfs folder, or "assumed"
 */
record CpuCaches(long l1d, long l2, String source) {
    static final long ASSUMED_L1D = 32 << 10;
    static final long ASSUMED_L2 = 512 << 10;
    private static final Path SYSFS = Path.of("/sys/devices/system/cpu/cpu0/cache");

    /** This machine's caches, read once. */
    static final CpuCaches MACHINE = read(SYSFS);

    static CpuCaches read(Path dir) {
        long l1d = 0, l2 = 0;
        for (int i = 0; i < 8; i++) {
            Path index = dir.resolve("index" + i);
            if (!Files.isDirectory(index)) break;
            try {
                int level = Integer.parseInt(Files.readString(index.resolve("level")).trim());
                String type = Files.readString(index.resolve("type")).trim();
                long size = parseSize(Files.readString(index.resolve("size")).trim());
                if (level == 1 && type.equals("Data")) l1d = size;
                if (level == 2 && !type.equals("Instruction")) l2 = size;
            } catch (IOException | RuntimeException e) {
                // An unreadable entry leaves that level at its assumed size.
            }
        }
        boolean complete = l1d > 0 && l2 > 0;
        return new CpuCaches(l1d > 0 ? l1d : ASSUMED_L1D, l2 > 0 ? l2 : ASSUMED_L2, complete ? dir.toString() : "assumed");
    }

    /** "32K", "1024K", "2M" or a plain byte count, as sysfs writes them. */
    static long parseSize(String s) {
        char unit = Character.toUpperCase(s.charAt(s.length() - 1));
        long scale = switch (unit) {
            case 'K' -> 1L << 10;
            case 'M' -> 1L << 20;
            case 'G' -> 1L << 30;
            default -> 1;
        };
        String digits = scale == 1 ? s : s.substring(0, s.length() - 1);
        long v = Long.parseLong(digits.trim()) * scale;
        if (v <= 0) throw new IllegalArgumentException("cache size " + s + " is not positive");
        return v;
    }
}
