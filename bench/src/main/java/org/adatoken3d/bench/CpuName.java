package org.adatoken3d.bench;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/** The processor's model name as the kernel reports it (what {@code lscpu} prints), so figures say where they came from. */
final class CpuName {
    private CpuName() {}

    static String get() {
        try {
            for (String line : Files.readAllLines(Path.of("/proc/cpuinfo"))) {
                if (line.startsWith("model name")) return line.substring(line.indexOf(':') + 1).strip();
            }
        } catch (IOException | RuntimeException e) {
            // Not Linux, or /proc is not readable: say what the JVM knows.
        }
        return System.getProperty("os.arch") + " (model name not readable)";
    }
}
