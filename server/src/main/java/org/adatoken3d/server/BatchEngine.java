package org.adatoken3d.server;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.FutureTask;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.adatoken3d.kernels.EngineArgumentException;
import org.adatoken3d.llava3d.Llava3d;
import org.adatoken3d.llava3d.spatial.SpatialTokens;
import org.adatoken3d.model.decoder.DecodeProfile;
import org.adatoken3d.model.decoder.KvCache;
import org.adatoken3d.model.generation.Prompt;
import org.adatoken3d.pruning.GatePolicy;
import org.adatoken3d.weights.InvalidFileException;

/**
 * The one thread that runs the model, llama.cpp-server style: up to {@code maxBatch} slots, each with its own pruned
 * KV cache. Every round runs one {@code Decoder.decodeBatch} step (one pass over the weights) for all slots that are
 * decoding, then one chunk of the prompt of the oldest slot still prefilling ({@link ServerOptions#prefillChunk} rows),
 * so that a long prompt delays the others' next tokens by a chunk, not by its whole prefill. Between rounds it admits
 * waiting requests into free slots and runs the other work the façade must not do concurrently (encoding a scene,
 * reading an upload). Requests wait in a bounded queue; one more is refused with 429.
 */
final class BatchEngine implements AutoCloseable {
    private static final long IDLE_POLL_NANOS = TimeUnit.MILLISECONDS.toNanos(100);

    /** What the engine did, in order, for tests that check the schedule (never the clock). */
    interface Trace {
        Trace NONE = new Trace() {};

        /** One decoding step gave each of {@code jobs} a token. */
        default void decoded(List<Job> jobs) {}

        /** A chunk of {@code rows} rows of {@code job}'s prompt ran; {@code last}: the prompt is done and its first token taken. */
        default void prefilled(Job job, int rows, boolean last) {}
    }

    private final Llava3d llava;
    private final ServerOptions options;
    private final Metrics metrics;
    private final Trace trace;
    private final LinkedBlockingQueue<Object> inbox = new LinkedBlockingQueue<>();
    private final AtomicInteger outstanding = new AtomicInteger();
    private final Thread thread;
    private volatile boolean accepting = true;
    private volatile long drainDeadline;
    private volatile boolean draining;
    private volatile int waitingCount;
    private volatile int activeCount;

    BatchEngine(Llava3d llava, ServerOptions options, Metrics metrics) {
        this(llava, options, metrics, Trace.NONE);
    }

    BatchEngine(Llava3d llava, ServerOptions options, Metrics metrics, Trace trace) {
        this.llava = llava;
        this.options = options;
        this.metrics = metrics;
        this.trace = trace;
        this.thread = Thread.ofPlatform().name("adatoken3d-engine").daemon(false).unstarted(this::loop);
        thread.start();
    }

    /** Queues {@code job}; refuses it when the queue is full (429) or the server is shutting down (503). */
    void submit(Job job) {
        if (!accepting) throw ApiException.unavailable("shutting_down", "the server is shutting down");
        if (outstanding.incrementAndGet() > options.maxBatch() + options.maxQueue()) {
            outstanding.decrementAndGet();
            throw ApiException.busy("the server is busy: " + options.maxBatch() + " slots decoding and " + options.maxQueue()
                    + " requests waiting (--max-queue); retry later");
        }
        inbox.add(job);
    }

    /** Runs {@code work} on the engine thread between two decoding steps and returns its result. */
    <T> T call(Callable<T> work) {
        if (!accepting) throw ApiException.unavailable("shutting_down", "the server is shutting down");
        FutureTask<T> task = new FutureTask<>(work);
        inbox.add(task);
        try {
            return task.get();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw ApiException.unavailable("interrupted", "interrupted while waiting for the engine");
        } catch (java.util.concurrent.CancellationException e) {
            throw ApiException.unavailable("shutting_down", "the server is shutting down");
        } catch (ExecutionException e) {
            if (e.getCause() instanceof RuntimeException r) throw r;
            throw new IllegalStateException(e.getCause());
        }
    }

    /** Requests accepted and not yet answered (waiting, in the inbox or decoding). */
    int outstanding() {
        return outstanding.get();
    }

    int waiting() {
        return waitingCount;
    }

    int active() {
        return activeCount;
    }

    /** Stops accepting; requests in flight may finish within {@code drainNanos}, then are refused with 503. Waits for the engine thread. */
    void shutdown(long drainNanos) throws InterruptedException {
        accepting = false;
        drainDeadline = System.nanoTime() + drainNanos;
        draining = true;
        thread.join();
    }

    @Override
    public void close() {
        try {
            shutdown(0);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private void loop() {
        ArrayDeque<Job> waiting = new ArrayDeque<>();
        List<Slot> slots = new ArrayList<>();
        while (true) {
            Object o;
            try {
                o = slots.isEmpty() && waiting.isEmpty() ? inbox.poll(IDLE_POLL_NANOS, TimeUnit.NANOSECONDS) : inbox.poll();
            } catch (InterruptedException e) {
                o = null;
            }
            for (; o != null; o = inbox.poll()) {
                if (o instanceof Job j) waiting.add(j);
                else ((Runnable) o).run();
            }
            if (draining && (slots.isEmpty() && waiting.isEmpty() || System.nanoTime() - drainDeadline > 0)) break;
            long now = System.nanoTime();
            for (Iterator<Job> it = waiting.iterator(); it.hasNext(); ) {
                Job j = it.next();
                if (j.cancelled()) {
                    it.remove();
                    done(j);
                    metrics.cancelled();
                } else if (j.expired(now)) {
                    it.remove();
                    fail(j, ApiException.unavailable("timeout", "the request waited past the server's time limit of "
                            + options.requestTimeout().toSeconds() + " s for a free slot"));
                }
            }
            while (slots.size() < options.maxBatch() && !waiting.isEmpty()) {
                Slot s = admit(waiting.poll());
                if (s != null) slots.add(s);
            }
            waitingCount = waiting.size();
            activeCount = slots.size();
            if (!slots.isEmpty()) round(slots);
            activeCount = slots.size();
        }
        ApiException gone = ApiException.unavailable("shutting_down", "the server shut down before this request finished");
        for (Slot s : slots) {
            s.release();
            fail(s.job, gone);
        }
        for (Job j : waiting) fail(j, gone);
        for (Object o; (o = inbox.poll()) != null; ) {
            if (o instanceof Job j) fail(j, gone);
            else ((FutureTask<?>) o).cancel(false);
        }
        waitingCount = 0;
        activeCount = 0;
    }

    /** Sets up a slot for {@code job}, its prompt still to be prefilled; null when the request was refused. */
    private Slot admit(Job job) {
        try {
            if (job.cancelled()) {
                done(job);
                metrics.cancelled();
                return null;
            }
            CompletionRequest r = job.request;
            SpatialTokens scene = job.scene == null ? null : job.scene.tokens(llava);
            String spec = r.prune() != null ? r.prune() : scene != null && llava.hasProfile() ? "auto" : "none";
            GatePolicy gate = llava.policy(spec);
            if (scene == null && gate.gates()) {
                throw ApiException.badRequest("prune", "prune '" + spec + "' needs a scene: a text-only chat has no spatial tokens to prune");
            }
            Prompt prompt = llava.chatPrompt(r.messages(), scene);
            if (prompt.ids().length > options.maxPromptTokens()) {
                throw ApiException.badRequest("messages", "context_length_exceeded", "the prompt is " + prompt.ids().length
                        + " tokens (spatial tokens included), over the server's limit of " + options.maxPromptTokens());
            }
            return Slot.admit(llava, job, prompt, gate, options.prefillChunk());
        } catch (RuntimeException e) {
            fail(job, asApiError(e));
            return null;
        }
    }

    /**
     * One round: slots whose client left go; then one decoding step of every decoding slot, batched; then one chunk of
     * the oldest prompt still prefilling. Finished slots leave. A slot past the time limit stops at its next token, so
     * one still prefilling gets its first (as before chunking, when its whole prefill ran at once).
     */
    private void round(List<Slot> slots) {
        long now = System.nanoTime();
        for (Iterator<Slot> it = slots.iterator(); it.hasNext(); ) {
            Slot s = it.next();
            if (s.job.cancelled()) {
                it.remove();
                s.release();
                done(s.job);
                metrics.cancelled();
            } else if (!s.prefilling() && s.job.expired(now)) {
                it.remove();
                s.stopEarly(true);
                finish(s);
            }
        }
        List<Slot> decoding = new ArrayList<>();
        for (Slot s : slots) if (!s.prefilling()) decoding.add(s);
        if (!decoding.isEmpty()) step(decoding, slots);
        for (Slot s : slots) {
            if (s.prefilling()) {
                prefillChunk(s, slots);
                break;
            }
        }
    }

    /** One batched decoding step of {@code decoding} (all of {@code slots} that decode); finished ones leave {@code slots}. */
    private void step(List<Slot> decoding, List<Slot> slots) {
        int b = decoding.size();
        int[] tokens = new int[b], positions = new int[b];
        KvCache[] caches = new KvCache[b];
        for (int i = 0; i < b; i++) {
            tokens[i] = decoding.get(i).token();
            positions[i] = decoding.get(i).position();
            caches[i] = decoding.get(i).cache();
        }
        float[][] logits;
        DecodeProfile profile = new DecodeProfile();
        try {
            logits = llava.model().decoder().decodeBatch(tokens, positions, caches, profile);
        } catch (RuntimeException e) {
            ApiException error = asApiError(e);
            for (Slot s : decoding) fail(s.job, error);
            slots.removeAll(decoding);
            return;
        }
        long t0 = System.nanoTime();
        List<Job> jobs = new ArrayList<>(b);
        List<Slot> finished = new ArrayList<>();
        for (int i = 0; i < b; i++) {
            jobs.add(decoding.get(i).job);
            if (!decoding.get(i).accept(logits[i])) finished.add(decoding.get(i));
        }
        metrics.step(profile, System.nanoTime() - t0);
        trace.decoded(jobs);
        slots.removeAll(finished);
        for (Slot s : finished) finish(s);
    }

    /** The next chunk of {@code s}'s prompt; after its last, the slot decodes from the next round (or is done already). */
    private void prefillChunk(Slot s, List<Slot> slots) {
        long t0 = System.nanoTime();
        int rows;
        try {
            rows = s.prefillChunk();
        } catch (RuntimeException e) {
            slots.remove(s);
            s.release();
            fail(s.job, asApiError(e));
            return;
        }
        metrics.prefillChunk(rows, System.nanoTime() - t0);
        trace.prefilled(s.job, rows, !s.prefilling());
        if (s.completion() != null) {
            slots.remove(s);
            finish(s);
        }
    }

    private void finish(Slot s) {
        metrics.completed(s.completion());
        s.job.post(new Job.Event.Done(s.completion()));
        outstanding.decrementAndGet();
    }

    private void done(Job j) {
        j.post(new Job.Event.Failed(ApiException.badRequest(null, "cancelled by the client")));
        outstanding.decrementAndGet();
    }

    private void fail(Job j, ApiException e) {
        j.post(new Job.Event.Failed(e));
        outstanding.decrementAndGet();
    }

    /** The engine's own refusals as 400s naming the request field; anything else is a bug, logged, and a 500 to the client. */
    static ApiException asApiError(RuntimeException e) {
        return switch (e) {
            case ApiException a -> a;
            case EngineArgumentException a -> ApiException.badRequest(field(a.parameter()), field(a.parameter()) + " " + a.problem());
            case InvalidFileException f -> ApiException.badRequest("scene", "the scene cannot be read: " + f.getMessage());
            default -> {
                System.err.println("adatoken3d server: internal error");
                e.printStackTrace();
                yield ApiException.internal();
            }
        };
    }

    /** Engine parameter names as the request fields that set them. */
    static String field(String parameter) {
        return switch (parameter) {
            case "prune", "profile", "query" -> "prune";
            case "maxTokens", "kvBudgetBytes" -> "max_tokens";
            case "question", "prompt", "inputIds" -> "messages";
            case "topP" -> "top_p";
            default -> parameter;
        };
    }
}
