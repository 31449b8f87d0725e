package org.adatoken3d.kernels;

import java.io.IOException;
import java.io.Reader;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;
import java.util.Properties;

/**
 * GEMM plans measured on a machine ({@link GemmTuning}), kept in a properties file keyed by CPU model and vector
 * width, like FFTW's wisdom: one line per machine kind, e.g.
 * {@code AMD\ EPYC\ (family\ 23,\ model\ 1)\ 256-bit=mr\=4,kc\=2048,panels\=16}. The file is {@value #FILE_PROPERTY} if set, else
 * {@code $XDG_CONFIG_HOME/adatoken3d/wisdom.properties}, else {@code ~/.config/adatoken3d/wisdom.properties}.
 */
final class GemmWisdom {
    static final String FILE_PROPERTY = "adatoken3d.wisdom";
    private static final System.Logger LOG = System.getLogger(GemmWisdom.class.getName());

    private GemmWisdom() {}

    static Path file() {
        String p = System.getProperty(FILE_PROPERTY);
        if (p != null && !p.isBlank()) return Path.of(p);
        String xdg = System.getenv("XDG_CONFIG_HOME");
        Path config = xdg != null && !xdg.isBlank() ? Path.of(xdg) : Path.of(System.getProperty("user.home"), ".config");
        return config.resolve("adatoken3d").resolve("wisdom.properties");
    }

    /** What a plan was measured on: the processor model and the vector width the kernels use. */
    static String machineKey() {
        return cpuModel() + " " + Simd.F.vectorBitSize() + "-bit";
    }

    /**
     * The processor's model name with its family and model numbers, as Linux reports them: VMs name Zen 1 and Zen 5
     * cores alike "AMD EPYC". The architecture alone where /proc is not readable.
     */
    static String cpuModel() {
        String name = null, family = null, model = null;
        try {
            for (String line : Files.readAllLines(Path.of("/proc/cpuinfo"))) {
                if (line.isBlank()) break; // the first processor is enough
                String value = line.substring(line.indexOf(':') + 1).strip();
                if (line.startsWith("model name")) name = value;
                else if (line.startsWith("cpu family")) family = value;
                else if (line.matches("model\\s*:.*")) model = value;
            }
        } catch (IOException | RuntimeException e) {
            // Not Linux, or /proc hidden: machines of one architecture then share an entry.
        }
        if (name == null) return System.getProperty("os.arch");
        return family == null || model == null ? name : name + " (family " + family + ", model " + model + ")";
    }

    /**
     * The plan stored for {@code key}, if the file has a valid one. A missing file is the usual case; an unreadable
     * file or a bad entry is logged and ignored, since the derived plan is correct, only slower.
     */
    static Optional<GemmPlan> read(Path file, String key) {
        if (!Files.isRegularFile(file)) return Optional.empty();
        Properties p = new Properties();
        try (Reader r = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
            p.load(r);
        } catch (IOException | IllegalArgumentException e) {
            LOG.log(System.Logger.Level.WARNING, file + ": not readable as GEMM wisdom (" + e.getMessage() + "); using the derived plan");
            return Optional.empty();
        }
        String spec = p.getProperty(key);
        if (spec == null) return Optional.empty();
        try {
            return Optional.of(parse(spec));
        } catch (IllegalArgumentException e) {
            LOG.log(System.Logger.Level.WARNING, file + ": entry for " + key + " is not a GEMM plan (" + e.getMessage() + "); using the derived plan");
            return Optional.empty();
        }
    }

    /** {@code mr=N,kc=N,panels=N}, all three. */
    static GemmPlan parse(String spec) {
        GemmPlan unset = new GemmPlan(4, 8, 1);
        GemmPlan plan = GemmPlan.withOverrides(unset, spec, "\"" + spec + "\"");
        for (String key : new String[] {"mr=", "kc=", "panels="}) {
            if (!spec.contains(key)) throw new IllegalArgumentException("\"" + spec + "\" lacks " + key + "N");
        }
        return plan;
    }

    static String format(GemmPlan plan) {
        return "mr=" + plan.mr() + ",kc=" + plan.kc() + ",panels=" + plan.blockPanels();
    }

    /**
     * Refuses, before the measuring is spent, a folder (a move would replace an empty one), a file in a folder that
     * cannot be written, and a file whose entries could not be kept (unreadable, or not a properties file); creates
     * the folder where it is missing.
     */
    static void requireWritable(Path file) throws IOException {
        if (Files.isDirectory(file)) throw new IOException("it is a folder, not a file");
        Path dir = file.toAbsolutePath().getParent();
        Files.createDirectories(dir);
        if (!Files.isWritable(dir)) throw new IOException("its folder " + dir + " is not writable");
        entries(file); // read again by updated(): another tune may add its entry while this one measures
    }

    /**
     * The text of {@code file} with the entry for {@code key} added or replaced and the others kept; the caller writes
     * it (the command line replaces the file whole, as it writes every file).
     */
    static String updated(Path file, String key, GemmPlan plan) throws IOException {
        Properties p = entries(file);
        p.setProperty(key, format(plan));
        StringWriter text = new StringWriter();
        p.store(text, "GEMM plans measured by adatoken3d tune, one per CPU model and vector width");
        return text.toString();
    }

    /** The entries of {@code file}, none if there is no file; the caller names the file in its message. */
    private static Properties entries(Path file) throws IOException {
        Properties p = new Properties();
        if (Files.isRegularFile(file)) {
            try (Reader r = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
                p.load(r);
            } catch (IllegalArgumentException e) {
                throw new IOException("not a properties file (" + e.getMessage() + "); move it away to write new wisdom", e);
            }
        }
        return p;
    }
}
