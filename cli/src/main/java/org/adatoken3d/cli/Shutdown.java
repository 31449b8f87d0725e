package org.adatoken3d.cli;

import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicBoolean;
import sun.misc.Signal;

/**
 * Runs a long-lived command's clean stop once, on SIGTERM or SIGINT, and lets the command return normally afterwards,
 * so a service manager sees exit code 0 for a stop it asked for rather than the JVM's 143 (or 130) for a signal. Any
 * other way the JVM ends (SIGHUP, {@code System.exit}) still runs the stop, from a shutdown hook. A second signal
 * during the stop ends the process at once, with the signal's usual code.
 *
 * <p>The JDK has no public API for signals; {@code sun.misc.Signal} is one of the critical internal APIs JEP 260 keeps
 * open in {@code jdk.unsupported} for this use, and javac's warning about it has no switch to silence it.
 */
final class Shutdown {
    private final Runnable stop;
    private final AtomicBoolean started = new AtomicBoolean();
    private final CountDownLatch signalled = new CountDownLatch(1);

    Shutdown(Runnable stop) {
        this.stop = stop;
        Runtime.getRuntime().addShutdownHook(new Thread(this::stopOnce, "shutdown"));
        for (String name : new String[] {"TERM", "INT"}) {
            try {
                Signal.handle(new Signal(name), this::signalled);
            } catch (IllegalArgumentException e) {
                // The JVM keeps the signal (-Xrs, or the OS's use of it): it ends the JVM as it would without this class.
            }
        }
    }

    /** Blocks until SIGTERM or SIGINT arrives, then runs the stop on this thread. */
    void awaitSignal() {
        try {
            signalled.await();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        stopOnce();
    }

    /** The first signal starts the stop; a second one, while the stop waits for requests in flight, ends the JVM at once. */
    private void signalled(Signal s) {
        if (signalled.getCount() == 0) Runtime.getRuntime().halt(128 + s.getNumber());
        signalled.countDown();
    }

    private void stopOnce() {
        if (started.compareAndSet(false, true)) stop.run();
    }
}
