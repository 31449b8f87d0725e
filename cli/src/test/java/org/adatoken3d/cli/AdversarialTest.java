package org.adatoken3d.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.stream.Stream;
import org.adatoken3d.llava3d.synthetic.SynthPreset;
import org.adatoken3d.llava3d.synthetic.SyntheticCheckpoint;
import org.adatoken3d.llava3d.synthetic.SyntheticScene;
import org.adatoken3d.llava3d.synthetic.SyntheticVocabulary;
import org.adatoken3d.weights.DType;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Model.OptionSpec;

/**
 * Every command tried as an adversary would, in process: each bad input in {@link #CASES} must end in exactly one
 * {@code error:} line that says {@code expected}, exit code 2, no stack trace, and no file changed, added or removed
 * under the test's folder (the model, scene and files the commands read, the folders they were told to write). A
 * command added to {@link Main} without cases here fails {@link #everyCommandIsTried}; a numeric option without a
 * range fails {@link #everyNumericOptionHasARange}, and every numeric option of every command is fed "NaN" and "x".
 */
class AdversarialTest {
    @TempDir static Path dir;
    static Path model, scene, spatial, questions, input, wrongTokenizer, report;

    record Case(String command, String expected, String... args) {}

    /** The bad inputs. {@code @D} in an argument is the test folder. */
    static final List<Case> CASES = List.of(
            new Case("inspect", "no such file or folder", "inspect", "@D/nowhere"),
            new Case("tokenize", "--model @D/nowhere: no such folder", "tokenize", "--model", "@D/nowhere", "--text", "x"),
            new Case("tokenize", "--tokenizer @D/nowhere: no such file", "tokenize", "--tokenizer", "@D/nowhere", "--text", "x"),
            new Case("generate", "--model /nonexistent: no such folder", "generate", "--model", "/nonexistent", "--prompt", "x"),
            new Case("generate", "--max-tokens must be at most 1048576, got 2147483647", "generate", "--model", "@D/model", "--prompt", "x",
                    "--max-tokens", "2147483647"),
            new Case("generate", "--max-tokens must be at least 1, got 0", "generate", "--model", "@D/model", "--prompt", "x", "--max-tokens", "0"),
            new Case("generate", "--temperature must be a finite number, got NaN", "generate", "--model", "@D/model", "--prompt", "x",
                    "--temperature", "NaN"),
            new Case("generate", "--temperature must be a finite number, got Infinity", "generate", "--model", "@D/model", "--prompt", "x",
                    "--temperature", "Infinity"),
            new Case("generate", "--top-p must be above 0 and at most 1, got 0", "generate", "--model", "@D/model", "--prompt", "x", "--top-p", "0"),
            new Case("generate", "--threads must be at most", "generate", "--model", "@D/model", "--prompt", "x", "--threads", "100000"),
            new Case("generate", "--threads must be at least 1, got 0", "generate", "--model", "@D/model", "--prompt", "x", "--threads", "0"),
            new Case("generate", "--kv-budget must be above 0, got -1", "generate", "--model", "@D/model", "--prompt", "x", "--kv-budget", "-1"),
            new Case("generate", "--kv-budget must be above 0, got 0", "generate", "--model", "@D/model", "--prompt", "x", "--kv-budget", "0"),
            new Case("generate", "--kv-budget must be a finite number, got NaN", "generate", "--model", "@D/model", "--prompt", "x", "--kv-budget", "NaN"),
            new Case("generate", "--kv-budget is too small", "generate", "--model", "@D/model", "--prompt", "x", "--kv-budget", "0.0000001"),
            new Case("generate", "--prompt-ids 99999 is not a token of this model", "generate", "--model", "@D/model", "--prompt-ids", "1,99999"),
            new Case("generate", "--prompt-ids must be at most 2147483647, got 1099511627776", "generate", "--model", "@D/model", "--prompt-ids", "1,1099511627776"),
            new Case("generate", "it is not this model's tokenizer", "generate", "--model", "@D/wrong-tokenizer", "--prompt", "x"),
            new Case("generate", "Unknown options: '--promt'", "generate", "--model", "@D/model", "--promt", "x"),
            new Case("forward", "--output @D/model/model.safetensors: is a file this command reads", "forward", "--model", "@D/model",
                    "--input", "@D/request.safetensors", "--output", "@D/model/model.safetensors"),
            new Case("forward", "--output @D/request.safetensors: is a file this command reads", "forward", "--model", "@D/model",
                    "--input", "@D/request.safetensors", "--output", "@D/request.safetensors"),
            new Case("forward", "--output @D/missing/out.safetensors: no such folder", "forward", "--model", "@D/model",
                    "--input", "@D/request.safetensors", "--output", "@D/missing/out.safetensors"),
            new Case("forward", "--input @D/nowhere.safetensors: no such file", "forward", "--model", "@D/model",
                    "--input", "@D/nowhere.safetensors", "--output", "@D/out.safetensors"),
            new Case("ask", "--views must be at least 1, got 0", "ask", "--model", "@D/model", "--scene", "@D/scene", "--question", "q", "--views", "0"),
            new Case("ask", "--depth-scale must be a finite number, got NaN", "ask", "--model", "@D/model", "--scene", "@D/scene", "--question", "q",
                    "--depth-scale", "NaN"),
            new Case("ask", "--max-tokens must be at least 1, got -1", "ask", "--model", "@D/model", "--spatial", "@D/spatial.safetensors",
                    "--question", "q", "--max-tokens", "-1"),
            new Case("ask", "--report @D/report: the folder is not empty; give --force", "ask", "--model", "@D/model", "--spatial",
                    "@D/spatial.safetensors", "--question", "q", "--report", "@D/report"),
            new Case("ask", "--report @D/model/r: would be written inside @D/model", "ask", "--model", "@D/model", "--spatial",
                    "@D/spatial.safetensors", "--question", "q", "--report", "@D/model/r"),
            new Case("ask", "--profile is read only by --prune auto, but --prune is tau=0.1", "ask", "--model", "@D/model", "--spatial",
                    "@D/spatial.safetensors", "--question", "q", "--prune", "tau=0.1", "--profile", "@D/questions.json"),
            new Case("ask", "--spatial @D/nowhere.safetensors: no such file", "ask", "--model", "@D/model", "--spatial", "@D/nowhere.safetensors",
                    "--question", "q"),
            new Case("ask", "--scene @D/nowhere: no such file or folder", "ask", "--model", "@D/model", "--scene", "@D/nowhere", "--question", "q"),
            new Case("analyze", "--out @D/questions.json: is a file, not a folder", "analyze", "--model", "@D/model", "--spatial",
                    "@D/spatial.safetensors", "--question", "q", "--out", "@D/questions.json"),
            new Case("analyze", "--out @D/report: the folder is not empty", "analyze", "--model", "@D/model", "--spatial",
                    "@D/spatial.safetensors", "--question", "q", "--out", "@D/report"),
            new Case("analyze", "--tau must be above 0 and at most 1, got 0", "analyze", "--model", "@D/model", "--spatial", "@D/spatial.safetensors",
                    "--question", "q", "--out", "@D/new-report", "--tau", "0"),
            new Case("calibrate", "--agreement-tokens must be at least 1, got -3", "calibrate", "--model", "@D/model", "--inputs",
                    "@D/spatial.safetensors", "--target-agreement", "0.9", "--agreement-tokens", "-3", "--out", "@D/p.json"),
            new Case("calibrate", "--out @D/missing/dir/p.json: no such folder", "calibrate", "--model", "@D/model", "--inputs",
                    "@D/spatial.safetensors", "--target-flops", "0.5", "--out", "@D/missing/dir/p.json"),
            new Case("calibrate", "--out @D/spatial.safetensors: is a file this command reads", "calibrate", "--model", "@D/model", "--inputs",
                    "@D/spatial.safetensors", "--target-flops", "0.5", "--out", "@D/spatial.safetensors"),
            new Case("calibrate", "--target-flops must be above 0 and at most 1, got 2", "calibrate", "--model", "@D/model", "--inputs",
                    "@D/spatial.safetensors", "--target-flops", "2", "--out", "@D/p.json"),
            new Case("eval", "--limit must be at least 1, got 0", "eval", "--model", "@D/model", "--questions", "@D/questions.json", "--limit", "0"),
            new Case("eval", "--layer must be at least 1, got 0", "eval", "--model", "@D/model", "--questions", "@D/questions.json", "--layer", "0"),
            new Case("eval", "--prune and --sweep do not go together", "eval", "--model", "@D/model", "--questions", "@D/questions.json",
                    "--sweep", "--prune", "tau=0.1"),
            new Case("eval", "--profile is read only by --prune auto", "eval", "--model", "@D/model", "--questions", "@D/questions.json",
                    "--prune", "none", "--profile", "@D/questions.json"),
            new Case("eval", "line 1, column", "eval", "--model", "@D/model", "--questions", "@D/broken.json"),
            new Case("eval", "--questions @D/nowhere.json: no such file", "eval", "--model", "@D/model", "--questions", "@D/nowhere.json"),
            new Case("eval", "--scanqa @D/nowhere.json: no such file", "eval", "--model", "@D/model", "--scanqa", "@D/nowhere.json",
                    "--scenes-root", "@D", "--out", "@D/new-run"),
            new Case("eval", "--scenes-root @D/nowhere: no such folder", "eval", "--model", "@D/model", "--llava3d-questions", "@D/questions.json",
                    "--scenes-root", "@D/nowhere", "--out", "@D/new-run"),
            new Case("eval", "--out @D/model/run: would be written inside @D/model", "eval", "--model", "@D/model", "--questions",
                    "@D/questions.json", "--out", "@D/model/run"),
            new Case("eval", "--policies: 'bogus': 'bogus' is not a pruning policy", "eval", "--model", "@D/model", "--questions", "@D/questions.json",
                    "--out", "@D/new-run", "--policies", "none;bogus"),
            new Case("eval", "--write-benchmark-files @D/report: the folder is not empty; give --force", "eval", "--model", "@D/model",
                    "--questions", "@D/questions.json", "--write-benchmark-files", "@D/report"),
            new Case("eval", "Expected parameter 2 (of 2 mandatory parameters) for option '--sqa3d'", "eval", "--model", "@D/model",
                    "--sqa3d", "@D/questions.json", "--out", "@D/new-run"),
            new Case("synth", "--dtype must be one of bf16, f16, f32, got q4", "synth", "--preset", "tiny", "--dtype", "q4", "--out", "@D/new"),
            new Case("synth", "--preset must be one of", "synth", "--preset", "huge", "--out", "@D/new"),
            new Case("synth", "--out @D/model: the folder is not empty; give --force", "synth", "--preset", "tiny", "--out", "@D/model"),
            new Case("synth", "--layers must be at least 1, got 0", "synth", "--preset", "tiny", "--layers", "0", "--out", "@D/new"),
            new Case("bench hotspots", "@D/nowhere.jfr: no such file", "bench", "hotspots", "@D/nowhere.jfr"),
            new Case("bench hotspots", "spatial.safetensors: not a readable Java Flight Recorder file", "bench", "hotspots", "@D/spatial.safetensors"),
            new Case("bench hotspots", "--top must be at least 1, got 0", "bench", "hotspots", "@D/spatial.safetensors", "--top", "0"),
            new Case("tune", "@D/model: could not write the wisdom file: it is a folder, not a file", "tune", "--wisdom", "@D/model"),
            new Case("tune", "could not write the wisdom file: /proc/self/adatoken3d", "tune", "--wisdom", "/proc/self/adatoken3d/wisdom.properties"),
            new Case("quantize", "--out @D/model: the folder is not empty; give --force", "quantize", "--model", "@D/model", "--out", "@D/model"),
            new Case("quantize", "--out @D/model: would replace @D/model, which this command reads", "quantize", "--model", "@D/model",
                    "--out", "@D/model", "--force"),
            new Case("quantize", "--out @D/model/q4: would be written inside @D/model", "quantize", "--model", "@D/model", "--out", "@D/model/q4"),
            new Case("quantize", "--out @D/report: the folder is not empty; give --force", "quantize", "--model", "@D/model", "--out", "@D/report"),
            new Case("quantize", "@D/model-q4: has no linear weights to quantise: every decoder linear weight is stored as Q4_0 already",
                    "quantize", "--model", "@D/model-q4", "--out", "@D/new"),
            new Case("quantize", "@D/scene: has no config.json; quantising needs the config", "quantize", "--model", "@D/scene", "--out", "@D/new"),
            new Case("quantize", "--model @D/nowhere: no such folder", "quantize", "--model", "@D/nowhere", "--out", "@D/new"),
            new Case("generate", "--q8 and --q4 do not go together", "generate", "--model", "@D/model", "--prompt", "x", "--q8", "--q4"),
            new Case("synth-scene", "--width must be at most 4096, got 100000", "synth-scene", "--width", "100000", "--height", "100000",
                    "--out", "@D/new"),
            new Case("synth-scene", "--height must be at least 8, got 0", "synth-scene", "--height", "0", "--out", "@D/new"),
            new Case("synth-scene", "--boxes must be at most 8, got 9", "synth-scene", "--boxes", "9", "--out", "@D/new"),
            new Case("synth-scene", "--frames must be at least 1, got 0", "synth-scene", "--frames", "0", "--out", "@D/new"),
            new Case("synth-scene", "--out @D/scene: the folder is not empty; give --force", "synth-scene", "--out", "@D/scene"),
            new Case("bench prefill", "--runs must be at least 1, got 0", "bench", "prefill", "--model", "@D/model", "--runs", "0"),
            new Case("bench prefill", "--runs must be at least 1, got -3", "bench", "prefill", "--model", "@D/model", "--runs", "-3"),
            new Case("bench decode", "--prompt-tokens must be at least 1, got 0", "bench", "decode", "--model", "@D/model", "--prompt-tokens", "0"),
            new Case("bench decode", "--tokens must be at least 2, got 1", "bench", "decode", "--model", "@D/model", "--tokens", "1"),
            new Case("bench prune", "--runs must be at least 1, got -1", "bench", "prune", "--model", "@D/model", "--runs", "-1"),
            new Case("bench prune", "--spatial-tokens must be at least 1, got 0", "bench", "prune", "--model", "@D/model", "--spatial-tokens", "0"),
            new Case("bench quality", "--taus must be above 0 and at most 1, got 0", "bench", "quality", "--model", "@D/model", "--taus", "0.1,0"),
            new Case("bench quality", "--span must be START:END", "bench", "quality", "--model", "@D/model", "--span", "x"),
            new Case("bench quality", "--taus must be a finite number, got NaN", "bench", "quality", "--model", "@D/model", "--taus", "0.1,NaN"),
            new Case("bench kernels", "--repeats must be at least 1, got 0", "bench", "kernels", "--repeats", "0"),
            new Case("bench ask", "--shape must be one of llava3d-7b, small, tiny, got huge", "bench", "ask", "--shape", "huge", "--dir", "@D/new"),
            new Case("bench ask", "--layers must be 1 to 4 for tiny, got 9", "bench", "ask", "--shape", "tiny", "--layers", "9", "--dir", "@D/new"),
            new Case("bench ask", "--views must be at least 1, got 0", "bench", "ask", "--shape", "tiny", "--views", "0", "--dir", "@D/new"),
            new Case("bench ask", "--runs must be at least 1, got 0", "bench", "ask", "--shape", "tiny", "--runs", "0", "--dir", "@D/new"),
            new Case("bench ask", "--tokens must be at least 2, got 1", "bench", "ask", "--shape", "tiny", "--tokens", "1", "--dir", "@D/new"),
            new Case("bench ask", "which leaves no layer of a 2-layer decoder to prune", "bench", "ask", "--shape", "tiny", "--layers", "2",
                    "--dir", "@D/new"),
            new Case("bench ask", "--vs-torch runs AdaToken's keep=R or tau=T policies, not fastv", "bench", "ask", "--shape", "tiny", "--prune",
                    "fastv", "--vs-torch", "--dir", "@D/new"),
            new Case("bench ask", "--scene @D/nowhere: no such file or folder", "bench", "ask", "--shape", "tiny", "--scene", "@D/nowhere",
                    "--dir", "@D/new"),
            new Case("bench serve", "--clients must be at most 64, got 65", "bench", "serve", "--model", "@D/model", "--clients", "65"),
            new Case("bench serve", "--requests must be at least 1, got 0", "bench", "serve", "--model", "@D/model", "--requests", "0"),
            new Case("bench serve", "--max-tokens must be at least 2, got 1", "bench", "serve", "--model", "@D/model", "--max-tokens", "1"),
            new Case("bench serve", "--timeout must be at least 1, got 0", "bench", "serve", "--model", "@D/model", "--timeout", "0"),
            new Case("bench serve", "--prefill-chunk must be at least 9, got 8", "bench", "serve", "--model", "@D/model", "--prefill-chunk", "8"),
            new Case("conformance check", "--fixtures @D/nowhere: no such folder", "conformance", "check", "--fixtures", "@D/nowhere"),
            new Case("conformance check", "--timeout must be at least 1, got 0", "conformance", "check", "--fixtures", "@D/scene", "--timeout", "0"),
            new Case("demo", "--threads must be at least 1, got 0", "demo", "--threads", "0"),
            new Case("serve", "--port must be at most 65535, got 70000", "serve", "--model", "@D/model", "--port", "70000"),
            new Case("serve", "--max-batch must be at least 1, got 0", "serve", "--model", "@D/model", "--max-batch", "0"),
            new Case("serve", "--max-upload-mib must be at most 2047, got 4096", "serve", "--model", "@D/model", "--max-upload-mib", "4096"),
            new Case("serve", "--request-timeout must be at least 1, got 0", "serve", "--model", "@D/model", "--request-timeout", "0"),
            new Case("serve", "--scenes @D/nowhere: no such folder", "serve", "--model", "@D/model", "--scenes", "@D/nowhere"),
            new Case("serve", "--api-key-file @D/nowhere.txt: no such file", "serve", "--model", "@D/model", "--api-key-file", "@D/nowhere.txt"),
            new Case("serve", "--scene-set @D/nowhere.json: no such file", "serve", "--model", "@D/model", "--scene-set", "@D/nowhere.json"),
            new Case("bench serve", "--clients must be at least 1, got 0", "bench", "serve", "--model", "@D/model", "--clients", "0"),
            new Case("bench serve", "--requests must be at least 1, got -2", "bench", "serve", "--model", "@D/model", "--requests", "-2"),
            new Case("conformance check", "--timeout must be at least 1, got 0", "conformance", "check", "--fixtures", "@D", "--timeout", "0"),
            new Case("devices", "Unknown option: '--all'", "devices", "--all"));

    /** Commands that take no input a user could get wrong beyond an unknown option (the generic case covers that). */
    static final Set<String> GROUPS = Set.of("adatoken3d", "adatoken3d bench", "adatoken3d conformance");

    @BeforeAll
    static void files() throws IOException {
        model = dir.resolve("model");
        new SyntheticCheckpoint(SynthPreset.TINY, 2, DType.F32, 1).write(model, b -> {});
        wrongTokenizer = dir.resolve("wrong-tokenizer");
        new SyntheticCheckpoint(SynthPreset.TINY, 2, DType.F32, 1).write(wrongTokenizer, b -> {});
        // A tokenizer with more tokens than the model's 512 embeddings.
        SyntheticVocabulary.write(wrongTokenizer.resolve("tokenizer.bin"), 1024);
        org.adatoken3d.model.decoder.Q4Checkpoint.write(model, Files.createDirectories(dir.resolve("model-q4")), b -> {});
        scene = dir.resolve("scene");
        SyntheticScene.write(scene, new SyntheticScene.Options(3, 32, 24, 1, 1, 0));
        spatial = dir.resolve("spatial.safetensors");
        Files.write(spatial, new byte[] {1, 2, 3});
        input = dir.resolve("request.safetensors");
        Files.write(input, new byte[] {4, 5, 6});
        questions = dir.resolve("questions.json");
        Files.writeString(questions, "{}");
        Files.writeString(dir.resolve("broken.json"), "{\"format\": \"adatoken3d-spatialqa/1\", \"questions\": [1, 2");
        report = dir.resolve("report");
        Files.createDirectories(report);
        Files.writeString(report.resolve("index.html"), "an earlier report");
    }

    @TestFactory
    Stream<DynamicTest> everyBadInputIsOneErrorLineAndChangesNothing() {
        return CASES.stream().map(c -> DynamicTest.dynamicTest(String.join(" ", c.args()), () -> {
            String[] args = Stream.of(c.args()).map(a -> a.replace("@D", dir.toString())).toArray(String[]::new);
            Map<String, String> before = snapshot();
            CliRun r = CliRun.of(args);
            assertOneErrorLine(r, c.expected().replace("@D", dir.toString()));
            assertEquals(before, snapshot(), "files under the test folder changed");
        }));
    }

    /** Every numeric option of every command, given "NaN" and "x": one line naming it. */
    @TestFactory
    Stream<DynamicTest> everyNumericOptionRefusesNonNumbers() {
        List<DynamicTest> tests = new ArrayList<>();
        for (CommandSpec c : HelpTextTest.commands()) {
            for (OptionSpec o : c.options()) {
                if (!isNumeric(o)) continue;
                for (String bad : List.of("NaN", "x")) {
                    List<String> args = new ArrayList<>(List.of(c.qualifiedName().split(" ")).subList(1, c.qualifiedName().split(" ").length));
                    args.add(o.longestName() + "=" + bad);
                    tests.add(DynamicTest.dynamicTest(String.join(" ", args), () -> {
                        Map<String, String> before = snapshot();
                        assertOneErrorLine(CliRun.of(args.toArray(String[]::new)), o.longestName());
                        assertEquals(before, snapshot());
                    }));
                }
            }
        }
        return tests.stream();
    }

    @Test
    void everyNumericOptionHasARange() {
        List<String> unchecked = new ArrayList<>();
        for (CommandSpec c : HelpTextTest.commands()) {
            for (OptionSpec o : c.options()) {
                boolean seed = o.longestName().equals("--seed");
                boolean ranged = Stream.of(o.converters()).anyMatch(v -> v.getClass().getEnclosingClass() != null);
                if (isNumeric(o) && !seed && !ranged) unchecked.add(c.qualifiedName() + " " + o.longestName());
            }
        }
        assertEquals(List.of(), unchecked, "numeric options whose range nothing checks (give them a Ranges converter)");
    }

    @Test
    void everyCommandIsTried() {
        Set<String> tried = new TreeSet<>();
        for (Case c : CASES) tried.add("adatoken3d " + c.command());
        Set<String> missing = new TreeSet<>();
        for (CommandSpec c : HelpTextTest.commands()) {
            if (!GROUPS.contains(c.qualifiedName()) && !tried.contains(c.qualifiedName())) missing.add(c.qualifiedName());
        }
        assertEquals(Set.of(), missing, "commands with no bad inputs in AdversarialTest.CASES");
    }

    @Test
    void synthSceneWithForceReplacesTheSceneWholeAndKeepsNoStaleFrame() throws IOException {
        Path s = dir.resolve("rewritten-scene");
        assertEquals(0, CliRun.of("synth-scene", "--out", s.toString(), "--frames", "6", "--width", "32", "--height", "24").exit());
        CliRun r = CliRun.of("synth-scene", "--out", s.toString(), "--frames", "2", "--width", "32", "--height", "24", "--force");
        assertEquals(0, r.exit(), r.stderr());
        try (Stream<Path> colour = Files.list(s.resolve("color"))) {
            assertEquals(2, colour.count(), "frames left from the first scene");
        }
        try (Stream<Path> siblings = Files.list(dir)) {
            assertTrue(siblings.noneMatch(p -> p.getFileName().toString().endsWith(".partial")), "a staging folder was left behind");
        }
    }

    @Test
    void outputsGetTheUmaskModeAndAReplacedFileKeepsItsMode() throws IOException {
        Path out = dir.resolve("synth-mode");
        assertEquals(0, CliRun.of("synth", "--preset", "tiny", "--layers", "1", "--out", out.toString()).exit());
        // What this process's umask gives a new file and folder (0644 and 0755 under umask 022), as cp or mkdir would.
        Path probeFile = Files.createFile(dir.resolve("probe-file")), probeFolder = Files.createDirectory(dir.resolve("probe-folder"));
        assertEquals(Files.getPosixFilePermissions(probeFile), Files.getPosixFilePermissions(out.resolve("model.safetensors")));
        assertEquals(Files.getPosixFilePermissions(probeFile), Files.getPosixFilePermissions(out.resolve("config.json")));
        assertEquals(Files.getPosixFilePermissions(probeFolder), Files.getPosixFilePermissions(out));
        Files.delete(probeFile);
        Files.delete(probeFolder);
        Path kept = dir.resolve("kept-mode.safetensors");
        Files.write(kept, new byte[0]);
        Files.setPosixFilePermissions(kept, Set.of(PosixFilePermission.OWNER_READ, PosixFilePermission.OWNER_WRITE, PosixFilePermission.GROUP_READ));
        org.adatoken3d.weights.SafetensorsWriter.write(kept, Map.of(), List.of());
        assertEquals("rw-r-----", PosixFilePermissions.toString(Files.getPosixFilePermissions(kept)));
    }

    private static void assertOneErrorLine(CliRun r, String expected) {
        String all = r.stderr();
        List<String> errors = all.lines().filter(l -> l.startsWith("error: ")).toList();
        assertEquals(2, r.exit(), all);
        assertEquals(1, errors.size(), "one error line:\n" + all);
        assertTrue(errors.getFirst().contains(expected), () -> "expected \"" + expected + "\" in:\n" + all);
        assertTrue(all.lines().noneMatch(l -> l.startsWith("\tat ") || l.matches("^(java|org)\\.[\\w.$]+(Exception|Error).*")),
                "a stack trace:\n" + all);
    }

    private static boolean isNumeric(OptionSpec o) {
        Class<?> t = o.type().isArray() ? o.type().getComponentType() : o.type();
        return t == int.class || t == Integer.class || t == long.class || t == Long.class || t == double.class || t == Double.class;
    }

    /** Every file under the test folder: its path, mode and a hash of its bytes. */
    private static Map<String, String> snapshot() throws IOException {
        Map<String, String> files = new TreeMap<>();
        MessageDigest sha;
        try {
            sha = MessageDigest.getInstance("SHA-256");
        } catch (java.security.NoSuchAlgorithmException e) {
            throw new AssertionError(e);
        }
        try (Stream<Path> all = Files.walk(dir)) {
            for (Path p : all.toList()) {
                String mode = PosixFilePermissions.toString(Files.getPosixFilePermissions(p));
                files.put(dir.relativize(p).toString(), Files.isDirectory(p) ? "folder " + mode
                        : mode + " " + HexFormat.of().formatHex(sha.digest(Files.readAllBytes(p))));
            }
        }
        return files;
    }
}
