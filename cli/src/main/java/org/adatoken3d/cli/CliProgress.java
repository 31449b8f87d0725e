package org.adatoken3d.cli;

import java.util.function.IntConsumer;
import org.adatoken3d.bench.BenchProgress;

/** The benchmarks' progress on stderr, as every command reports it ({@link Progress}). */
final class CliProgress implements BenchProgress {
    static final CliProgress STDERR = new CliProgress();

    private CliProgress() {}

    @Override
    public void say(String line) {
        Progress.say("%s", line);
    }

    @Override
    public IntConsumer layers(String what, int layers) {
        return Progress.layers(what, layers);
    }
}
