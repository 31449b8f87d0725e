package org.adatoken3d.cli;
import org.adatoken3d.conformance.CaseResult;
import org.adatoken3d.conformance.CommandImplementation;
import org.adatoken3d.conformance.ConformanceReport;
import org.adatoken3d.conformance.EngineImplementation;
import org.adatoken3d.conformance.Fixture;
import org.adatoken3d.conformance.FixtureChecker;
import org.adatoken3d.conformance.Implementation;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

@Command(name = "conformance", mixinStandardHelpOptions = true,
        description = "Check an implementation of the forward oracle interface against PyTorch fixtures (conformance/FORMAT.md).",
        subcommands = {ConformanceCommand.Check.class})
final class ConformanceCommand implements Runnable {
    @picocli.CommandLine.Spec picocli.CommandLine.Model.CommandSpec spec;

    @Override
    public void run() {
        spec.commandLine().usage(System.out);
    }

    @Command(name = "check", mixinStandardHelpOptions = true,
            description = {"Run each fixture through an implementation and compare with the oracle's expected outputs.",
                    "Prints per-case errors and pass/fail, then a summary; exits 1 if any case failed or a fixture is damaged."})
    static final class Check implements Callable<Integer> {
        @Option(names = "--fixtures", required = true, paramLabel = "DIR", description = "A fixture folder, or a folder of them.")
        Path fixtures;

        @Option(names = "--impl", paramLabel = "COMMAND",
                description = "Run COMMAND --model DIR --input IN --output OUT instead of this engine in process, e.g. \"./adatoken3d forward\".")
        String impl;

        @Option(names = "--timeout", paramLabel = "SECONDS", defaultValue = "600", converter = Ranges.Seconds.class,
                description = "With --impl: kill a case's COMMAND (and every process it started) after SECONDS and fail that case "
                        + "(default: ${DEFAULT-VALUE}).")
        int timeoutSeconds;

        @Override
        public Integer call() throws Exception {
            Outputs.existingFolder("--fixtures", fixtures);
            Implementation implementation = impl == null ? new EngineImplementation()
                    : new CommandImplementation(impl, java.time.Duration.ofSeconds(timeoutSeconds));
            // Each case is read as it is checked: one damaged case.json is reported and the run goes on.
            List<Path> cases = Fixture.findDirs(fixtures);
            if (cases.isEmpty()) throw new UserException(fixtures + ": no fixtures (folders with case.json) found");
            System.out.printf("checking %s on %d fixtures from %s%n", implementation.describe(), cases.size(), fixtures);
            Path work = Files.createTempDirectory("adatoken3d-conformance");
            List<CaseResult> results = new ArrayList<>();
            FixtureChecker checker = new FixtureChecker(implementation);
            for (Path dir : cases) {
                CaseResult r = checker.check(dir, work);
                results.add(r);
                ConformanceReport.printCase(System.out, r);
            }
            Files.deleteIfExists(work);
            System.out.println(ConformanceReport.summary(results));
            return results.stream().anyMatch(r -> r.verdict() == CaseResult.Verdict.FAIL || r.verdict() == CaseResult.Verdict.FIXTURE) ? 1 : 0;
        }
    }
}
