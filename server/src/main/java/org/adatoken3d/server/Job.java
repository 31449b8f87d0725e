package org.adatoken3d.server;

import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

/**
 * One chat completion on its way through the engine. The engine thread posts {@link Event}s; the request's own
 * (virtual) thread takes them and writes the response, and cancels the job when the client goes away.
 */
final class Job {
    final CompletionRequest request;
    final SceneRegistry.Entry scene;
    final long createdNanos;
    final long deadlineNanos;
    private final BlockingQueue<Event> events = new LinkedBlockingQueue<>();
    private volatile boolean cancelled;

    Job(CompletionRequest request, SceneRegistry.Entry scene, long timeoutNanos) {
        this.request = request;
        this.scene = scene;
        this.createdNanos = System.nanoTime();
        this.deadlineNanos = createdNanos + timeoutNanos;
    }

    /** What the engine tells the request's thread, in order: Started, Text..., then Done; or Failed at any point. */
    sealed interface Event {
        /** Prefill is done and the first token is being sampled: a stream may send its headers. */
        record Started() implements Event {}

        record Text(String piece) implements Event {}

        record Done(Completion completion) implements Event {}

        record Failed(ApiException error) implements Event {}
    }

    void post(Event e) {
        events.add(e);
    }

    /** The next event, or null when none came within {@code nanos}. */
    Event next(long nanos) throws InterruptedException {
        return events.poll(Math.max(0, nanos), TimeUnit.NANOSECONDS);
    }

    /** The client is gone: the engine stops generating at its next step and frees the slot. */
    void cancel() {
        cancelled = true;
    }

    boolean cancelled() {
        return cancelled;
    }

    boolean expired(long now) {
        return now - deadlineNanos > 0;
    }
}
