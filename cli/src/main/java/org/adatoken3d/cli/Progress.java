package org.adatoken3d.cli;

import java.io.Console;
import java.util.function.IntConsumer;

/** Progress for people goes to stderr, so stdout stays clean for results and scripts. */
final class Progress {
    private Progress() {}

    static void say(String format, Object... args) {
        System.err.println(String.format(format, args));
    }

    /** Reports prefill progress at most every quarter second, layer by layer. */
    static IntConsumer layers(String what, int layers) {
        long start = System.nanoTime();
        long[] last = {start};
        return l -> {
            long now = System.nanoTime();
            if (now - last[0] > 250_000_000L || l == layers - 1) {
                last[0] = now;
                update(String.format("%s: layer %d/%d (%.1f s)", what, l + 1, layers, (now - start) / 1e9), l == layers - 1);
            }
        };
    }

    /**
     * One step of a counter: on a terminal it rewrites one line in place; in a log (stderr redirected) every step
     * is a line of its own, where carriage returns would run them all together.
     */
    static void update(String line, boolean last) {
        Console console = System.console();
        if (console == null || !console.isTerminal()) {
            System.err.println(line);
        } else {
            System.err.print("\r" + line);
            if (last) System.err.println();
        }
    }
}
