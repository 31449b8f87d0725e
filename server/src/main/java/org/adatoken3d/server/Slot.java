package org.adatoken3d.server;

import java.util.Arrays;
import java.util.List;
import org.adatoken3d.llava3d.Llava3d;
import org.adatoken3d.model.decoder.Decoder;
import org.adatoken3d.model.decoder.KvCache;
import org.adatoken3d.model.decoder.PrefillRequest;
import org.adatoken3d.model.decoder.PrefillResult;
import org.adatoken3d.model.generation.Prompt;
import org.adatoken3d.model.generation.Sampler;
import org.adatoken3d.model.generation.SamplingParams;
import org.adatoken3d.model.tokenizer.Tokenizer;
import org.adatoken3d.pruning.FlopsReport;
import org.adatoken3d.pruning.GatePolicy;
import org.adatoken3d.pruning.KeepSet;
import org.adatoken3d.pruning.PruneSpec;

/**
 * One sequence being decoded: what {@code Generator.generate} keeps in its loop (sampler, history, detokenizer, the
 * request's own KV cache), held between steps so that the engine can decode many slots in one batched pass.
 * The first token comes from the prefill's logits, token t (t ≥ 1) from the decoding step at position n + t − 1,
 * n being the unpruned prompt length, as in {@code Generator}.
 */
final class Slot {
    final Job job;
    private final int n;
    private final int maxTokens;
    private final KvCache cache;
    private final Sampler sampler;
    private final int[] history;
    private final Tokenizer tokenizer;
    private final Tokenizer.Decoder detok;
    private final StopMatcher stops;
    private final StringBuilder text = new StringBuilder();
    private final int spatialTokens;
    private final KeepSet keepSet;
    private final GatePolicy gate;
    private final FlopsReport flops;
    private final long queueNanos;
    private final long started;
    private long firstToken;
    private int count;
    private int lastToken;
    private Completion completion;

    private Slot(Job job, int n, KvCache cache, Tokenizer tokenizer, int spatialTokens, KeepSet keepSet, GatePolicy gate, FlopsReport flops,
            long started, int[] promptIds) {
        CompletionRequest r = job.request;
        this.job = job;
        this.n = n;
        this.maxTokens = r.maxTokens();
        this.cache = cache;
        this.sampler = new Sampler(new SamplingParams(r.temperature(), 0, r.topP(), 1, r.seed(), List.of()));
        this.history = Arrays.copyOf(promptIds, n + maxTokens);
        this.tokenizer = tokenizer;
        this.detok = tokenizer.newDecoder();
        // The detokenizer's leading-space rule depends on what came before: feed it the prompt, print nothing.
        for (int id : promptIds) if (id >= 0 && id < tokenizer.vocabSize()) detok.push(id);
        this.stops = new StopMatcher(r.stop());
        this.spatialTokens = spatialTokens;
        this.keepSet = keepSet;
        this.gate = gate;
        this.flops = flops;
        this.queueNanos = started - job.createdNanos;
        this.started = started;
    }

    /** Prefills {@code prompt} under {@code gate} into a new KV cache and takes the first token from its logits. */
    static Slot start(Llava3d llava, Job job, Prompt prompt, GatePolicy gate) {
        long t0 = System.nanoTime();
        Decoder decoder = llava.model().decoder();
        int n = prompt.ids().length;
        KvCache cache = decoder.newCache(n + job.request.maxTokens(), llava.options().kvBudgetBytes());
        PrefillResult prefill = decoder.prefill(prompt.embed(decoder), n, cache, PrefillRequest.gated(prompt.spatial(), gate), null);
        KeepSet keep = Llava3d.keepSet(prompt, prefill);
        Slot s = new Slot(job, n, cache, llava.model().tokenizer(), prompt.spatial() == null ? 0 : prompt.spatial().count(), keep, gate,
                llava.flops(n, gate, keep), t0, prompt.ids());
        job.post(new Job.Event.Started());
        s.accept(prefill.lastLogits(decoder.config().vocabSize()));
        return s;
    }

    /** Samples the next token from {@code logits}; true when the slot needs a decoding step for it. */
    boolean accept(float[] logits) {
        int token = sampler.next(logits, history, n + count);
        if (count == 0) firstToken = System.nanoTime();
        if (token == tokenizer.eos()) {
            finish("stop", false);
            return false;
        }
        history[n + count] = token;
        count++;
        lastToken = token;
        // Model vocabularies may be padded past the tokenizer's (Qwen2): such ids have no text.
        emit(stops.push(token >= tokenizer.vocabSize() ? "" : detok.push(token)));
        if (stops.stopped()) {
            finish("stop", false);
            return false;
        }
        if (count >= maxTokens) {
            finish("length", false);
            return false;
        }
        return true;
    }

    /** The token the next decoding step takes, and its position. */
    int token() {
        return lastToken;
    }

    int position() {
        return n + count - 1;
    }

    KvCache cache() {
        return cache;
    }

    /** Ends the slot early: the per-request time limit ({@code length}) or a client that went away. */
    void stopEarly(boolean timeLimit) {
        finish("length", timeLimit);
    }

    /** The finished completion, or null while decoding. */
    Completion completion() {
        return completion;
    }

    private void emit(String piece) {
        if (piece.isEmpty()) return;
        text.append(piece);
        job.post(new Job.Event.Text(piece));
    }

    private void finish(String reason, boolean timeLimited) {
        if (!stops.stopped()) emit(stops.push(detok.flush()));
        if (!stops.stopped()) emit(stops.flush());
        long end = System.nanoTime();
        if (firstToken == 0) firstToken = end;
        completion = new Completion(text.toString(), count, reason, timeLimited, n, spatialTokens, keepSet, PruneSpec.format(gate), flops,
                queueNanos, firstToken - started, end - firstToken, cache.usedBytes());
    }
}
