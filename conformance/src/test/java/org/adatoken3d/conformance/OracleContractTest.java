package org.adatoken3d.conformance;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.function.UnaryOperator;
import java.util.stream.Stream;
import org.adatoken3d.conformance.CaseResult.Verdict;
import org.adatoken3d.weights.DType;
import org.adatoken3d.weights.SafetensorsFile;
import org.adatoken3d.weights.SafetensorsWriter;
import org.adatoken3d.weights.Tensor;
import org.adatoken3d.weights.TensorSource;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * FORMAT.md §7 as the checker applies it: outputs that depart from §5.2 fail, damaged fixtures are reported as such
 * and not blamed on the implementation, a hanging implementation is killed, and one bad case does not stop a run.
 */
class OracleContractTest {
    /** A pruned case with greedy decoding: every output of §5.2 is present. */
    static final Path FULL_CASE = CorpusTest.CORPUS.resolve("case-0006");

    @TempDir Path tmp;

    /** This engine, with its output rewritten by {@code change} before the checker reads it. */
    private static Implementation tampered(UnaryOperator<List<TensorSource>> change) {
        return new Implementation() {
            @Override
            public void forward(Path model, Path input, Path output) throws Exception {
                new EngineImplementation().forward(model, input, output);
                rewrite(output, change);
            }

            @Override
            public String describe() {
                return "tampered engine";
            }
        };
    }

    static void rewrite(Path file, UnaryOperator<List<TensorSource>> change) throws IOException {
        Path next = file.resolveSibling(file.getFileName() + ".next");
        try (SafetensorsFile in = SafetensorsFile.open(file)) {
            List<TensorSource> tensors = new ArrayList<>();
            for (Tensor t : in.tensors()) tensors.add(TensorSource.copyOf(t));
            SafetensorsWriter.write(next, in.metadata(), change.apply(tensors));
        }
        Files.move(next, file, StandardCopyOption.REPLACE_EXISTING);
    }

    private static List<TensorSource> without(List<TensorSource> tensors, String name) {
        return tensors.stream().filter(t -> !t.name().equals(name)).toList();
    }

    private CaseResult checkFull(Implementation impl) {
        return new FixtureChecker(impl).check(Fixture.read(FULL_CASE), tmp.resolve("work"));
    }

    @Test
    void theEngineItselfPassesTheFullCase() {
        assertEquals(Verdict.PASS, checkFull(new EngineImplementation()).verdict());
    }

    @Test
    void anExtraOutputTensorFails() {
        CaseResult r = checkFull(tampered(ts -> {
            List<TensorSource> out = new ArrayList<>(ts);
            out.add(TensorSource.ofFloats("debug", DType.F32, new long[] {1}, new float[] {0}));
            return out;
        }));
        assertEquals(Verdict.FAIL, r.verdict(), r.message());
        assertTrue(r.message().contains("extra") && r.message().contains("debug"), r.message());
    }

    @Test
    void logitsWrittenAsF64Fail() throws Exception {
        CaseResult r = checkFull(tampered(ts -> {
            List<TensorSource> out = new ArrayList<>(without(ts, "logits"));
            out.add(asF64(ts.stream().filter(t -> t.name().equals("logits")).findFirst().orElseThrow()));
            return out;
        }));
        assertEquals(Verdict.FAIL, r.verdict(), r.message());
        assertTrue(r.message().contains("logits") && r.message().contains("F64"), r.message());
    }

    /** The same values widened to F64 (read back through a scratch file, since a source only streams its bytes). */
    private TensorSource asF64(TensorSource f32) {
        try {
            Path scratch = Files.createTempFile(tmp, "f32", ".safetensors");
            SafetensorsWriter.write(scratch, java.util.Map.of(), List.of(f32));
            try (SafetensorsFile in = SafetensorsFile.open(scratch)) {
                Tensor t = in.tensor(f32.name());
                ByteBuffer b = ByteBuffer.allocate(Math.toIntExact(t.elementCount() * 8)).order(ByteOrder.LITTLE_ENDIAN);
                for (long i = 0; i < t.elementCount(); i++) b.putDouble(t.getFloat(i));
                return TensorSource.ofBytes(f32.name(), DType.F64, t.shape(), b.array());
            }
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    @Test
    void aMissingGateOrGreedyMarginFails() {
        for (String margin : new String[] {"gate_margin", "greedy_margin"}) {
            CaseResult r = checkFull(tampered(ts -> without(ts, margin)));
            assertEquals(Verdict.FAIL, r.verdict(), margin + ": " + r.message());
            assertTrue(r.message().contains(margin), r.message());
        }
    }

    @Test
    void theEngineWritesTheMarginsTheOracleWrites() throws Exception {
        int gateMargins = 0;
        for (Fixture f : Fixture.findAll(CorpusTest.CORPUS)) {
            Path out = tmp.resolve(f.name() + ".safetensors");
            new EngineImplementation().forward(f.model(), f.inputs(), out);
            try (SafetensorsFile want = SafetensorsFile.open(f.expected()); SafetensorsFile got = SafetensorsFile.open(out)) {
                for (String name : new String[] {"gate_margin", "greedy_margin"}) {
                    if (want.find(name).isEmpty()) continue;
                    Tensor w = want.tensor(name);
                    Tensor g = got.find(name).orElseThrow(() -> new AssertionError(f.name() + ": no " + name));
                    assertEquals(w.elementCount(), g.elementCount(), f.name() + " " + name);
                    for (long i = 0; i < w.elementCount(); i++) {
                        double e = w.getFloat(i);
                        double a = g.getFloat(i);
                        // f32 contributions and logits against float64 ones: the tie thresholds' own scale (§7).
                        double bound = name.equals("gate_margin") ? 1e-5 : 1e-3;
                        assertTrue(e == a || Math.abs(e - a) <= bound + 1e-3 * Math.abs(e), f.name() + " " + name + "[" + i + "]: " + a + " vs oracle " + e);
                    }
                    if (name.equals("gate_margin")) gateMargins++;
                }
            }
        }
        assertTrue(gateMargins >= 3, "the corpus should hold pruned cases, found " + gateMargins);
    }

    /** A copy of {@link #FULL_CASE} to damage. */
    private Path copyOfCase(String name) throws IOException {
        Path dir = tmp.resolve("cases").resolve(name);
        try (Stream<Path> s = Files.walk(FULL_CASE)) {
            for (Path p : s.toList()) {
                Path to = dir.resolve(FULL_CASE.relativize(p).toString());
                if (Files.isDirectory(p)) Files.createDirectories(to);
                else Files.copy(p, to);
            }
        }
        return dir;
    }

    private CaseResult checkDir(Path dir) {
        return new FixtureChecker(new EngineImplementation()).check(dir, tmp.resolve("work"));
    }

    private static void editCaseJson(Path dir, String from, String to) throws IOException {
        Path json = dir.resolve("case.json");
        String text = Files.readString(json);
        assertTrue(text.contains(from), "case.json holds " + from);
        Files.writeString(json, text.replace(from, to));
    }

    @Test
    void aTruncatedExpectedFileIsAFixtureError() throws Exception {
        Path dir = copyOfCase("truncated");
        try (FileChannel c = FileChannel.open(dir.resolve("expected.safetensors"), StandardOpenOption.WRITE)) {
            c.truncate(c.size() / 2);
        }
        CaseResult r = checkDir(dir);
        assertEquals(Verdict.FIXTURE, r.verdict(), r.message());
        assertTrue(r.message().contains("expected.safetensors"), r.message());
    }

    @Test
    void aNaNExpectationIsAFixtureError() throws Exception {
        Path dir = copyOfCase("nan");
        rewrite(dir.resolve("expected.safetensors"), ts -> {
            List<TensorSource> out = new ArrayList<>(without(ts, "spatial_share"));
            float[] nan = new float[Math.toIntExact(ts.stream().filter(t -> t.name().equals("spatial_share")).findFirst().orElseThrow().shape()[0])];
            java.util.Arrays.fill(nan, Float.NaN);
            out.add(TensorSource.ofFloats("spatial_share", DType.F32, new long[] {nan.length}, nan));
            return out;
        });
        CaseResult r = checkDir(dir);
        assertEquals(Verdict.FIXTURE, r.verdict(), r.message());
        assertTrue(r.message().contains("spatial_share") && r.message().contains("NaN"), r.message());
    }

    @Test
    void negativeTolerancesAndAWrongFormatAreFixtureErrors() throws Exception {
        Path negative = copyOfCase("negative");
        editCaseJson(negative, "\"atol\": 0.002", "\"atol\": -0.002");
        CaseResult r = checkDir(negative);
        assertEquals(Verdict.FIXTURE, r.verdict(), r.message());
        assertTrue(r.message().contains("atol"), r.message());

        Path format = copyOfCase("format");
        editCaseJson(format, "adatoken3d-conformance/1", "adatoken3d-conformance/9");
        r = checkDir(format);
        assertEquals(Verdict.FIXTURE, r.verdict(), r.message());
        assertTrue(r.message().contains("format"), r.message());
    }

    @Test
    void oneUnreadableCaseJsonDoesNotStopTheRun() throws Exception {
        copyOfCase("a-good");
        Path bad = copyOfCase("b-bad");
        Files.writeString(bad.resolve("case.json"), "{\"format\": ");
        copyOfCase("c-good");
        List<Path> dirs = Fixture.findDirs(tmp.resolve("cases"));
        List<Verdict> verdicts = dirs.stream().map(d -> checkDir(d).verdict()).toList();
        assertEquals(List.of(Verdict.PASS, Verdict.FIXTURE, Verdict.PASS), verdicts);
    }

    @Test
    void aHangingImplementationIsKilledWithItsChildrenAndTheCaseFails() throws Exception {
        Path pidFile = tmp.resolve("child.pid");
        Path script = tmp.resolve("hang.sh");
        Files.writeString(script, "sleep 300 &\necho $! > " + pidFile + "\nwait\n");
        CaseResult r = new FixtureChecker(new CommandImplementation("sh " + script, java.time.Duration.ofSeconds(2)))
                .check(Fixture.read(FULL_CASE), tmp.resolve("work"));
        assertEquals(Verdict.FAIL, r.verdict(), r.message());
        assertTrue(r.message().contains("timed out after 2 s"), r.message());
        long child = Long.parseLong(Files.readString(pidFile).strip());
        var handle = ProcessHandle.of(child);
        if (handle.isPresent()) handle.get().onExit().get(10, java.util.concurrent.TimeUnit.SECONDS);
        assertFalse(ProcessHandle.of(child).map(ProcessHandle::isAlive).orElse(false), "the implementation's child " + child + " still runs");
    }
}
