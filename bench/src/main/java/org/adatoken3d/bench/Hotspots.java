package org.adatoken3d.bench;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import jdk.jfr.EventType;
import jdk.jfr.consumer.RecordedEvent;
import jdk.jfr.consumer.RecordedFrame;
import jdk.jfr.consumer.RecordedThread;
import jdk.jfr.consumer.RecordingFile;
import org.adatoken3d.weights.InvalidFileException;

/**
 * Where a run's CPU time went, from a Java Flight Recorder file: each execution sample is charged to the innermost
 * engine method on its stack (the kernel a worker thread was in, with the Vector API calls inlined into it), and
 * the methods are summed by class, which names the stage (PackedGemm, Attention, RmsNorm, Rope, Transpose, ...).
 * Samples are taken only of threads running Java, so a thread parked in the pool or waiting on I/O adds none;
 * {@code interpreted} counts samples whose top frame had not been compiled yet, a lower bound of the JIT warm-up.
 * Samples per thread times the sampling {@code period} over the span is the share of the run a thread spent
 * running Java, so a pool worker well under 100% was waiting (JFR samples at most a few threads a period, so with
 * more busy threads than that the shares undercount).
 */
public record Hotspots(Path file, long samples, long interpreted, Duration span, Duration period, List<Share> classes, List<Share> methods,
                       List<Share> threads) {
    private static final String ENGINE = "org.adatoken3d.";
    private static final String SAMPLE = "jdk.ExecutionSample";

    /** A class or method and the samples charged to it; {@code name} drops the {@code org.adatoken3d.} prefix. */
    public record Share(String name, long samples) {}

    /** Reads every {@code jdk.ExecutionSample} event of {@code file}. */
    public static Hotspots read(Path file) {
        if (Files.isDirectory(file)) throw new InvalidFileException(file, "is a folder, not a .jfr recording");
        if (!Files.isRegularFile(file)) throw new InvalidFileException(file, "no such file (a .jfr recording is expected)");
        Map<String, Long> byClass = new HashMap<>(), byMethod = new HashMap<>(), byThread = new HashMap<>();
        Duration period = null;
        long sampleType = -1;
        long samples = 0, interpreted = 0;
        Instant first = null, last = null;
        try (RecordingFile recording = new RecordingFile(file)) {
            for (EventType t : recording.readEventTypes()) {
                if (t.getName().equals(SAMPLE)) sampleType = t.getId();
            }
            while (recording.hasMoreEvents()) {
                RecordedEvent e = recording.readEvent();
                String kind = e.getEventType().getName();
                if (kind.equals("jdk.ActiveSetting") && e.getLong("id") == sampleType && "period".equals(e.getString("name"))) {
                    period = parsePeriod(e.getString("value"));
                }
                if (!kind.equals(SAMPLE) || e.getStackTrace() == null) continue;
                List<RecordedFrame> frames = e.getStackTrace().getFrames();
                if (frames.isEmpty()) continue;
                samples++;
                if ("Interpreted".equals(frames.getFirst().getType())) interpreted++;
                Instant t = e.getStartTime();
                if (first == null || t.isBefore(first)) first = t;
                if (last == null || t.isAfter(last)) last = t;
                String type = "(outside the engine: JDK, libraries, start-up)", method = type;
                for (RecordedFrame f : frames) {
                    String c = f.getMethod().getType().getName();
                    if (!c.startsWith(ENGINE)) continue;
                    type = outerClass(c.substring(ENGINE.length()));
                    method = type + "." + f.getMethod().getName().replaceAll("^lambda\\$(.*)\\$\\d+$", "$1");
                    break;
                }
                RecordedThread thread = e.getThread("sampledThread");
                byThread.merge(thread == null || thread.getJavaName() == null ? "(unnamed)" : thread.getJavaName(), 1L, Long::sum);
                byClass.merge(type, 1L, Long::sum);
                byMethod.merge(method, 1L, Long::sum);
            }
        } catch (IOException e) {
            throw new InvalidFileException(file, "not a readable Java Flight Recorder file (" + e.getMessage() + ")", e);
        }
        if (samples == 0) {
            throw new InvalidFileException(file, "has no execution samples: record with -XX:StartFlightRecording=filename=F.jfr,settings=profile");
        }
        return new Hotspots(file, samples, interpreted, Duration.between(first, last), period, sorted(byClass), sorted(byMethod), sorted(byThread));
    }

    /** JFR writes a period as "10 ms" or "1 s"; null for anything else, which leaves the busy shares out. */
    static Duration parsePeriod(String value) {
        String[] parts = value == null ? new String[0] : value.strip().split("\\s+");
        if (parts.length != 2) return null;
        try {
            long n = Long.parseLong(parts[0]);
            return switch (parts[1]) {
                case "ns" -> Duration.ofNanos(n);
                case "us" -> Duration.ofNanos(n * 1000);
                case "ms" -> Duration.ofMillis(n);
                case "s" -> Duration.ofSeconds(n);
                default -> null;
            };
        } catch (NumberFormatException e) {
            return null;
        }
    }

    /** The share of the span that {@code thread}'s samples stand for, 0..1; NaN when the period is not known. */
    public double busy(Share thread) {
        if (period == null || span.isZero()) return Double.NaN;
        return Math.min(1.0, (double) thread.samples() * period.toNanos() / span.toNanos());
    }

    /** {@code kernels.Attention$Job} and {@code kernels.Attention} are one stage. */
    private static String outerClass(String name) {
        int inner = name.indexOf('$');
        return inner < 0 ? name : name.substring(0, inner);
    }

    private static List<Share> sorted(Map<String, Long> counts) {
        List<Share> list = new ArrayList<>();
        counts.forEach((k, v) -> list.add(new Share(k, v)));
        list.sort(Comparator.comparingLong(Share::samples).reversed().thenComparing(Share::name));
        return list;
    }

    /** The share of all samples that {@code s} stands for, 0..1. */
    public double share(Share s) {
        return (double) s.samples() / samples;
    }

    /** The tables by class, method (cut to the {@code top} largest) and thread. */
    public void print(PrintStream out, int top) {
        out.printf("%s: %d execution samples over %.1f s; %.1f%% in interpreted code (JIT warm-up, at least)%n", file, samples,
                span.toMillis() / 1000.0, 100.0 * interpreted / samples);
        out.println("by class (the stage):");
        table(classes, classes.size()).print(out, "  ");
        out.println("by method (top " + Math.min(top, methods.size()) + " of " + methods.size() + "):");
        table(methods, top).print(out, "  ");
        out.println("by thread (running Java: samples x the " + (period == null ? "unknown" : period.toMillis() + " ms") + " period over the span; the rest it waited):");
        TextTable t = new TextTable("", "share", "samples", "running Java");
        for (Share s : threads) {
            if (share(s) < 0.01) continue;
            double b = busy(s);
            t.row(s.name(), String.format("%.1f%%", 100 * share(s)), s.samples(), Double.isNaN(b) ? "?" : String.format("%.0f%%", 100 * b));
        }
        t.print(out, "  ");
        out.flush();
    }

    private TextTable table(List<Share> shares, int top) {
        TextTable t = new TextTable("", "share", "samples");
        for (Share s : shares.subList(0, Math.min(top, shares.size()))) t.row(s.name(), String.format("%.1f%%", 100 * share(s)), s.samples());
        return t;
    }
}
