package org.adatoken3d.server;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.LongAdder;
import org.adatoken3d.model.decoder.DecodeProfile;

/** Counters behind {@code /metrics} (Prometheus text format). */
final class Metrics {
    private final Map<Integer, LongAdder> responses = new ConcurrentHashMap<>();
    private final LongAdder completions = new LongAdder();
    private final LongAdder cancelled = new LongAdder();
    private final LongAdder promptTokens = new LongAdder();
    private final LongAdder completionTokens = new LongAdder();
    private final LongAdder spatialTokens = new LongAdder();
    private final LongAdder keptTokens = new LongAdder();
    private final LongAdder steps = new LongAdder();
    private final LongAdder stepRows = new LongAdder();
    private final LongAdder stepNanos = new LongAdder();
    private final LongAdder matrixNanos = new LongAdder();
    private final LongAdder attentionNanos = new LongAdder();
    private final LongAdder headNanos = new LongAdder();
    private final LongAdder samplingNanos = new LongAdder();
    private final LongAdder prefillChunks = new LongAdder();
    private final LongAdder prefillRows = new LongAdder();
    private final LongAdder prefillNanos = new LongAdder();

    void response(int status) {
        responses.computeIfAbsent(status, k -> new LongAdder()).increment();
    }

    void cancelled() {
        cancelled.increment();
    }

    void completed(Completion c) {
        completions.increment();
        promptTokens.add(c.promptTokens());
        completionTokens.add(c.completionTokens());
        spatialTokens.add(c.spatialTokens());
        keptTokens.add(c.keepSet().keptCount());
    }

    /** One batched decoding step, as {@code profile} times it, and the sampling and streaming of its tokens. */
    void step(DecodeProfile profile, long sampling) {
        steps.add(profile.steps());
        stepRows.add(profile.rows());
        stepNanos.add(profile.totalNanos());
        matrixNanos.add(profile.matrixNanos());
        attentionNanos.add(profile.attentionNanos());
        headNanos.add(profile.headNanos());
        samplingNanos.add(sampling);
    }

    /** One chunk of a prompt, {@code rows} rows. */
    void prefillChunk(int rows, long nanos) {
        prefillChunks.increment();
        prefillRows.add(rows);
        prefillNanos.add(nanos);
    }

    String render(int waiting, int active, int slots) {
        StringBuilder out = new StringBuilder();
        out.append("# HELP adatoken3d_http_responses_total HTTP responses by status\n# TYPE adatoken3d_http_responses_total counter\n");
        for (var e : new TreeMap<>(responses).entrySet()) {
            out.append("adatoken3d_http_responses_total{status=\"").append(e.getKey()).append("\"} ").append(e.getValue().sum()).append('\n');
        }
        line(out, "adatoken3d_completions_total", "counter", "chat completions finished", completions.sum());
        line(out, "adatoken3d_cancelled_total", "counter", "requests whose client went away before the end", cancelled.sum());
        line(out, "adatoken3d_queue_length", "gauge", "requests waiting for a slot", waiting);
        line(out, "adatoken3d_active_slots", "gauge", "sequences being decoded", active);
        line(out, "adatoken3d_slots", "gauge", "slots (--max-batch)", slots);
        line(out, "adatoken3d_prompt_tokens_total", "counter", "prompt tokens prefilled (spatial tokens included)", promptTokens.sum());
        line(out, "adatoken3d_completion_tokens_total", "counter", "tokens generated", completionTokens.sum());
        line(out, "adatoken3d_spatial_tokens_total", "counter", "spatial tokens in prompts", spatialTokens.sum());
        line(out, "adatoken3d_spatial_tokens_kept_total", "counter", "spatial tokens the gate kept", keptTokens.sum());
        line(out, "adatoken3d_decode_steps_total", "counter", "batched decoding steps", steps.sum());
        line(out, "adatoken3d_decode_rows_total", "counter", "tokens decoded by those steps", stepRows.sum());
        out.append("# HELP adatoken3d_decode_step_nanos_total time of the decoding steps by part: the layers' matrices (the pass over"
                + " the weights), attention (per sequence), the LM head, sampling and streaming the tokens\n"
                + "# TYPE adatoken3d_decode_step_nanos_total counter\n");
        part(out, "matrices", matrixNanos.sum());
        part(out, "attention", attentionNanos.sum());
        part(out, "head", headNanos.sum());
        part(out, "sampling", samplingNanos.sum());
        line(out, "adatoken3d_prefill_chunks_total", "counter", "chunks of prompts prefilled between decoding steps", prefillChunks.sum());
        line(out, "adatoken3d_prefill_rows_total", "counter", "prompt rows those chunks ran (the gate's kept rows twice)", prefillRows.sum());
        line(out, "adatoken3d_prefill_nanos_total", "counter", "time of those chunks", prefillNanos.sum());
        long nanos = stepNanos.sum();
        out.append("# HELP adatoken3d_decode_tokens_per_second tokens decoded per second of decoding steps\n"
                + "# TYPE adatoken3d_decode_tokens_per_second gauge\nadatoken3d_decode_tokens_per_second ")
                .append(nanos == 0 ? "0" : String.format(java.util.Locale.ROOT, "%.2f", stepRows.sum() / (nanos / 1e9))).append('\n');
        line(out, "process_resident_memory_bytes", "gauge", "resident set size of the server process", residentBytes("VmRSS:"));
        line(out, "process_resident_anonymous_bytes", "gauge", "of which anonymous memory: the Java heap, native buffers, thread stacks",
                residentBytes("RssAnon:"));
        line(out, "process_resident_file_bytes", "gauge", "of which pages of mapped files: the weights read so far (clean, the kernel may drop them)",
                residentBytes("RssFile:"));
        Runtime rt = Runtime.getRuntime();
        line(out, "jvm_heap_used_bytes", "gauge", "Java heap in use", rt.totalMemory() - rt.freeMemory());
        line(out, "jvm_heap_committed_bytes", "gauge", "Java heap the JVM holds from the OS (resident once touched)", rt.totalMemory());
        return out.toString();
    }

    private static void part(StringBuilder out, String part, long nanos) {
        out.append("adatoken3d_decode_step_nanos_total{part=\"").append(part).append("\"} ").append(nanos).append('\n');
    }

    private static void line(StringBuilder out, String name, String type, String help, long value) {
        out.append("# HELP ").append(name).append(' ').append(help).append("\n# TYPE ").append(name).append(' ').append(type).append('\n')
                .append(name).append(' ').append(value).append('\n');
    }

    /** A field of /proc/self/status in kB (VmRSS:, RssAnon:, RssFile:), as bytes; -1 where there is none (not Linux). */
    static long residentBytes(String field) {
        try {
            for (String l : Files.readAllLines(Path.of("/proc/self/status"))) {
                if (l.startsWith(field)) return Long.parseLong(l.replaceAll("[^0-9]", "")) * 1024;
            }
        } catch (IOException | RuntimeException e) {
            return -1;
        }
        return -1;
    }
}
