package org.adatoken3d.server;

import java.util.Arrays;
import java.util.List;
import org.adatoken3d.llava3d.Llava3d;
import org.adatoken3d.model.decoder.ChunkedPrefill;
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
 * One sequence in the engine: first its prompt, prefilled a chunk at a time ({@link #prefillChunk}) between the
 * decoding steps of the other slots, then its decoding, holding what {@code Generator.generate} keeps in its loop
 * (sampler, history, detokenizer, the request's own KV cache) between steps so that the engine can decode many slots
 * in one batched pass. The first token comes from the prefill's logits, token t (t ≥ 1) from the decoding step at
 * position n + t − 1, n being the unpruned prompt length, as in {@code Generator}.
 */
final class Slot {
    final Job job;
    private final Llava3d llava;
    private Prompt prompt;
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
    private final GatePolicy gate;
    private final long queueNanos;
    private final long started;
    private ChunkedPrefill prefill;
    private KeepSet keepSet;
    private FlopsReport flops;
    private long firstToken;
    private int count;
    private int lastToken;
    private Completion completion;

    private Slot(Llava3d llava, Job job, Prompt prompt, KvCache cache, GatePolicy gate, long started) {
        CompletionRequest r = job.request;
        int[] promptIds = prompt.ids();
        this.llava = llava;
        this.job = job;
        this.prompt = prompt;
        this.n = promptIds.length;
        this.maxTokens = r.maxTokens();
        this.cache = cache;
        this.sampler = new Sampler(new SamplingParams(r.temperature(), 0, r.topP(), 1, r.seed(), List.of()));
        this.history = Arrays.copyOf(promptIds, n + maxTokens);
        this.tokenizer = llava.model().tokenizer();
        this.detok = tokenizer.newDecoder();
        // The detokenizer's leading-space rule depends on what came before: feed it the prompt, print nothing.
        for (int id : promptIds) if (id >= 0 && id < tokenizer.vocabSize()) detok.push(id);
        this.stops = new StopMatcher(r.stop());
        this.spatialTokens = prompt.spatial() == null ? 0 : prompt.spatial().count();
        this.gate = gate;
        this.queueNanos = started - job.createdNanos;
        this.started = started;
    }

    /**
     * A slot for {@code prompt} under {@code gate}, with a new KV cache, its prefill set up to run {@code chunkRows}
     * prompt rows per {@link #prefillChunk}; nothing is computed yet but the input embeddings.
     */
    static Slot admit(Llava3d llava, Job job, Prompt prompt, GatePolicy gate, int chunkRows) {
        long t0 = System.nanoTime();
        Decoder decoder = llava.model().decoder();
        int n = prompt.ids().length;
        KvCache cache = decoder.newCache(n + job.request.maxTokens(), llava.options().kvBudgetBytes());
        Slot s = new Slot(llava, job, prompt, cache, gate, t0);
        s.prefill = decoder.startPrefill(prompt.embed(decoder), n, cache, PrefillRequest.gated(prompt.spatial(), gate), chunkRows);
        return s;
    }

    /** True until the prompt is prefilled; the slot then decodes. */
    boolean prefilling() {
        return prefill != null;
    }

    /**
     * Runs the next chunk of the prompt; after the last one, takes the first token from the prefill's logits. Returns
     * the rows the chunk ran.
     */
    int prefillChunk() {
        int rows = prefill.advance();
        if (prefill.done()) {
            PrefillResult result = prefill.result();
            prefill = null;
            keepSet = Llava3d.keepSet(prompt, result);
            flops = llava.flops(n, gate, keepSet);
            prompt = null; // its spatial embeddings are in the cache now
            job.post(new Job.Event.Started());
            accept(result.lastLogits(llava.model().config().vocabSize()));
        }
        return rows;
    }

    /** Gives back the prefill's buffers of a slot that leaves before its prompt is read. */
    void release() {
        if (prefill != null) prefill.close();
        prefill = null;
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
