package org.adatoken3d.conformance;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/** Runs the PyTorch oracle (conformance/python) with Debian's /usr/bin/python3, for the live property cases. */
final class OracleProcess {
    static final Path PYTHON = Path.of("/usr/bin/python3");

    private OracleProcess() {}

    static Path projectRoot() {
        return Path.of(System.getProperty("adatoken3d.root", "..")).toAbsolutePath().normalize();
    }

    /** Null when PyTorch can be imported; otherwise why not. */
    static String unavailableReason() throws Exception {
        if (!Files.isExecutable(PYTHON)) return PYTHON + " does not exist";
        Process p = new ProcessBuilder(PYTHON.toString(), "-c", "import torch, numpy").redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        return p.waitFor() == 0 ? null : "python3 cannot import torch: " + out.strip();
    }

    /** Generates {@code count} fixtures from {@code seed} into {@code out}. */
    static void generate(long seed, int count, Path out, List<String> extra) throws Exception {
        List<String> cmd = new ArrayList<>(List.of(PYTHON.toString(), "-m", "adatoken_oracle.generate", "--seed", Long.toString(seed),
                "--count", Integer.toString(count), "--out", out.toString()));
        cmd.addAll(extra);
        ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(true);
        pb.environment().put("PYTHONPATH", projectRoot().resolve("conformance/python").toString());
        Process p = pb.start();
        byte[] log = p.getInputStream().readAllBytes();
        if (!p.waitFor(30, TimeUnit.MINUTES) || p.exitValue() != 0) {
            throw new IllegalStateException("oracle fixture generation failed: " + new String(log, StandardCharsets.UTF_8));
        }
        System.out.print(new String(log, StandardCharsets.UTF_8));
    }
}
