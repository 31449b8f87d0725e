package org.adatoken3d.bench;

import java.util.function.IntConsumer;

/** Where a benchmark tells a person how far it got (the command line: stderr), apart from the figures it prints. */
public interface BenchProgress {
    void say(String line);

    /** Hears a prefill's layers one by one as {@code what}; may be null for none. */
    IntConsumer layers(String what, int layers);

    BenchProgress SILENT = new BenchProgress() {
        @Override
        public void say(String line) {}

        @Override
        public IntConsumer layers(String what, int layers) {
            return null;
        }
    };
}
