package org.adatoken3d.model.generation;

import org.adatoken3d.kernels.EngineArgumentException;
import java.util.Arrays;
import java.util.function.IntConsumer;
import org.adatoken3d.model.NumericalFailure;
import org.adatoken3d.model.decoder.Decoder;
import org.adatoken3d.model.decoder.KvCache;
import org.adatoken3d.model.decoder.PrefillRequest;
import org.adatoken3d.model.decoder.PrefillResult;
import org.adatoken3d.model.tokenizer.Tokenizer;

/** Prefill, then sample and decode token by token, streaming text as it completes. */
public final class Generator {
    /** Pass as {@code eos} to generate exactly {@code maxTokens} tokens (conformance runs do). */
    public static final int NO_EOS = -1;

    private final Decoder decoder;
    private final Tokenizer tokenizer;
    private final int eos;

    /** A generator that stops at the tokenizer's EOS and streams text. */
    public Generator(Decoder decoder, Tokenizer tokenizer) {
        this(decoder, tokenizer, tokenizer.eos());
    }

    /** {@code tokenizer} may be null when only ids are wanted; {@code eos} may be {@link #NO_EOS}. */
    public Generator(Decoder decoder, Tokenizer tokenizer, int eos) {
        this.decoder = decoder;
        this.tokenizer = tokenizer;
        this.eos = eos;
    }

    /**
     * Generates up to {@code maxTokens} tokens. {@code onText} receives text as it completes and may cancel (may be null);
     * {@code onLayer} hears prefill progress (may be null). The first generated token has position n, the
     * unpruned prompt length, whatever the gate dropped. Every token, prompt and generated, must have a position below
     * the model's context ({@code max_position_embeddings}): a longer prompt is refused, and generation that reaches
     * the context stops there with {@link Generation.StopReason#LENGTH}.
     */
    public Generation generate(Prompt prompt, PrefillRequest request, SamplingParams sampling, int maxTokens,
            long kvBudgetBytes, TokenListener onText, IntConsumer onLayer) {
        if (maxTokens < 0) throw new EngineArgumentException("maxTokens", "must be >= 0, got " + maxTokens);
        int n = prompt.ids().length;
        decoder.checkFitsContext(n);
        int context = decoder.config().maxPositionEmbeddings();
        // What can actually be generated: the cache, the history and the output are sized to it, not to maxTokens.
        int limit = Math.min(maxTokens, context - n);
        KvCache cache = decoder.newCache(n + limit, kvBudgetBytes);
        Sampler sampler = new Sampler(sampling);
        int[] history = Arrays.copyOf(prompt.ids(), n + limit);
        int[] generated = new int[limit];
        int count = 0;
        StringBuilder text = new StringBuilder();
        Tokenizer.Decoder detok = tokenizer == null ? null : tokenizer.newDecoder();
        if (detok != null) {
            // The decoder's leading-space rule depends on what came before: feed it the prompt, print nothing.
            for (int id : prompt.ids()) if (id >= 0 && id < tokenizer.vocabSize()) detok.push(id);
        }
        Generation.StopReason stop = limit < maxTokens ? Generation.StopReason.LENGTH : Generation.StopReason.MAX_TOKENS;

        long t0 = System.nanoTime();
        float[] x = prompt.embed(decoder);
        PrefillResult prefill = decoder.prefill(x, n, cache, request, onLayer);
        float[] logits = prefill.lastLogits(decoder.config().vocabSize());
        long t1 = 0;
        for (int step = 0; step < limit; step++) {
            NumericalFailure.checkFinite(logits, "the logits at position " + (n - 1 + step));
            int token = sampler.next(logits, history, n + count);
            if (step == 0) t1 = System.nanoTime();
            if (token == eos) {
                stop = Generation.StopReason.EOS;
                break;
            }
            generated[count] = token;
            history[n + count] = token;
            count++;
            // Model vocabularies may be padded past the tokenizer's (Qwen2): such ids have no text.
            String piece = detok == null || token >= tokenizer.vocabSize() ? "" : detok.push(token);
            text.append(piece);
            if (onText != null && !piece.isEmpty()) onText.text(piece);
            if (endsWithStop(text, sampling)) {
                stop = Generation.StopReason.STOP_STRING;
                break;
            }
            if (step + 1 < limit) {
                if (onText != null && onText.cancelled()) {
                    stop = Generation.StopReason.CANCELLED;
                    break;
                }
                logits = decoder.decode(token, n + step, cache);
            }
        }
        String rest = detok == null ? "" : detok.flush();
        text.append(rest);
        if (onText != null && !rest.isEmpty()) onText.text(rest);
        long t2 = System.nanoTime();
        if (t1 == 0) t1 = t2;
        return new Generation(Arrays.copyOf(generated, count), text.toString(), stop, prefill, cache, n, t1 - t0, t2 - t1);
    }

    private static boolean endsWithStop(StringBuilder text, SamplingParams sampling) {
        for (String s : sampling.stopStrings()) {
            if (!s.isEmpty() && text.length() >= s.length() && text.lastIndexOf(s, text.length() - s.length()) == text.length() - s.length()) {
                return true;
            }
        }
        return false;
    }
}
