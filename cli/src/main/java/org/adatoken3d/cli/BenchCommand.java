package org.adatoken3d.cli;

import picocli.CommandLine;
import picocli.CommandLine.Command;

/** {@code ./adatoken3d bench ...}: benchmarks that print figures (never tests: nothing here asserts on time). */
@Command(
        name = "bench",
        mixinStandardHelpOptions = true,
        description = "Benchmarks that print figures, with peers measured in the same run shown as ratios.",
        subcommands = {BenchKernelsCommand.class, BenchPrefillCommand.class, BenchDecodeCommand.class, BenchPruneCommand.class,
                BenchQualityCommand.class, BenchServeCommand.class, BenchAskCommand.class, BenchHotspotsCommand.class})
final class BenchCommand implements Runnable {
    @CommandLine.Spec CommandLine.Model.CommandSpec spec;

    @Override
    public void run() {
        spec.commandLine().usage(System.out);
    }
}
