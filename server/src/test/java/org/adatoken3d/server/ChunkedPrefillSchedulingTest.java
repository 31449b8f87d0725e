package org.adatoken3d.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import org.adatoken3d.llava3d.ChatTurn;
import org.adatoken3d.llava3d.GenerationOptions;
import org.adatoken3d.llava3d.Llava3d;
import org.adatoken3d.llava3d.prompt.LlavaPrompt;
import org.adatoken3d.model.decoder.ChunkedPrefill;
import org.adatoken3d.model.generation.Prompt;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** How the engine interleaves prompts, chunk by chunk, with the decoding of the other slots: checked on its schedule, never its clock. */
class ChunkedPrefillSchedulingTest {
    @TempDir static Path tmp;
    static Llava3d llava;

    @BeforeAll
    static void open() {
        llava = TestServers.synthetic(tmp.resolve("tiny"));
    }

    @AfterAll
    static void close() {
        llava.close();
    }

    /** The engine's schedule as the trace saw it: a decoding step and the jobs it served, or a chunk of one job's prompt. */
    record Entry(List<Job> decoded, Job prefilled, boolean last) {}

    static Job job(String question, int maxTokens) {
        return new Job(new CompletionRequest("tiny", List.of(new ChatTurn(ChatTurn.Role.USER, question)), maxTokens, 0, 1, 0, List.of(), true,
                false, null, "none", false), null, TimeUnit.MINUTES.toNanos(5));
    }

    /** Waits for the job's end; its text, or a failure naming the error. */
    static Completion await(Job job) throws InterruptedException {
        while (true) {
            Job.Event e = job.next(TimeUnit.MINUTES.toNanos(5));
            switch (e) {
                case null -> fail("no answer within 5 minutes");
                case Job.Event.Done d -> {
                    return d.completion();
                }
                case Job.Event.Failed f -> fail("the request failed: " + f.error().getMessage());
                default -> { }
            }
        }
    }

    static String alone(String question, int maxTokens) {
        Prompt p = Prompt.text(LlavaPrompt.encodeTextOnly(llava.model().tokenizer(), question));
        return llava.ask(p, llava.policy("none"), GenerationOptions.greedy(maxTokens), null, null).text();
    }

    /**
     * Two requests are decoding when a long prompt arrives (sent from inside the engine's first step that served
     * both, so no clock decides when). Its prompt runs in chunks, and between every two of them the two others get a
     * token; every answer is the one the façade gives the request alone.
     */
    @Test
    void aLongPromptArrivingWhileOthersDecodeIsPrefilledBetweenTheirSteps() throws Exception {
        StringBuilder question = new StringBuilder("describe");
        for (int i = 0; i < 20; i++) question.append(" room ").append(i);
        String longQuestion = question.toString();
        Job a = job("one two", 100), b = job("three", 100), c = job(longQuestion, 6);
        List<Entry> entries = Collections.synchronizedList(new ArrayList<>());
        AtomicReference<BatchEngine> engine = new AtomicReference<>();
        BatchEngine.Trace trace = new BatchEngine.Trace() {
            boolean sent;

            @Override
            public void decoded(List<Job> jobs) {
                entries.add(new Entry(List.copyOf(jobs), null, false));
                if (!sent && jobs.contains(a) && jobs.contains(b)) {
                    sent = true;
                    engine.get().submit(c);
                }
            }

            @Override
            public void prefilled(Job job, int rows, boolean last) {
                entries.add(new Entry(null, job, last));
            }
        };
        ServerOptions options = TestServers.options().withBatch(3).withPrefillChunk(16);
        try (BatchEngine e = new BatchEngine(llava, options, new Metrics(), trace)) {
            engine.set(e);
            e.submit(a);
            e.submit(b);
            Completion ca = await(a), cb = await(b), cc = await(c);
            List<Integer> chunks = new ArrayList<>();
            for (int i = 0; i < entries.size(); i++) if (entries.get(i).prefilled() == c) chunks.add(i);
            int promptTokens = cc.promptTokens();
            assertTrue(promptTokens > 3 * 16, "the long prompt has " + promptTokens + " tokens");
            int remainder = promptTokens % 16;
            assertEquals(promptTokens / 16 + (remainder >= ChunkedPrefill.MIN_CHUNK_ROWS ? 1 : 0), chunks.size(),
                    "chunks of 16 rows, the last taking a remainder too small for a chunk: " + entries);
            assertTrue(entries.get(chunks.getLast()).last(), "the last chunk ends the prefill");
            for (int k = 0; k + 1 < chunks.size(); k++) {
                boolean served = false;
                for (int i = chunks.get(k) + 1; i < chunks.get(k + 1); i++) {
                    List<Job> d = entries.get(i).decoded();
                    served |= d != null && d.contains(a) && d.contains(b);
                }
                assertTrue(served, "a step decoded both other requests between chunks " + k + " and " + (k + 1) + " of the long prompt: " + entries);
            }
            assertEquals(alone("one two", 100), ca.text());
            assertEquals(alone("three", 100), cb.text());
            assertEquals(alone(longQuestion, 6), cc.text());
        }
    }

    /** Prompts admitted together are prefilled one after another, the oldest first, while those done already decode. */
    @Test
    void promptsAdmittedTogetherArePrefilledOldestFirstAndDecodeAsSoonAsTheyAreDone() throws Exception {
        List<Entry> entries = Collections.synchronizedList(new ArrayList<>());
        BatchEngine.Trace trace = new BatchEngine.Trace() {
            @Override
            public void decoded(List<Job> jobs) {
                entries.add(new Entry(List.copyOf(jobs), null, false));
            }

            @Override
            public void prefilled(Job job, int rows, boolean last) {
                entries.add(new Entry(null, job, last));
            }
        };
        List<String> questions = List.of("one two", "three", "four five six");
        // The façade's answers first: it shares the engine's decoder, which is not to be used by two threads at once.
        List<String> expected = questions.stream().map(q -> alone(q, 8)).toList();
        try (BatchEngine e = new BatchEngine(llava, TestServers.options().withBatch(3), new Metrics(), trace)) {
            CountDownLatch release = TestServers.holdEngine(e);
            List<Job> jobs = new ArrayList<>();
            for (String q : questions) {
                Job j = job(q, 8);
                jobs.add(j);
                e.submit(j);
            }
            release.countDown();
            for (int i = 0; i < jobs.size(); i++) assertEquals(expected.get(i), await(jobs.get(i)).text(), "question " + i);
            List<Integer> ends = new ArrayList<>();
            for (int i = 0; i < entries.size(); i++) if (entries.get(i).prefilled() != null && entries.get(i).last()) ends.add(i);
            assertEquals(jobs, ends.stream().map(i -> entries.get(i).prefilled()).toList(), "prefilled in the order they came");
            // Each decoding step serves exactly the jobs whose prefill is done: one, then two, then all three.
            for (int i = 0; i < entries.size(); i++) {
                List<Job> d = entries.get(i).decoded();
                if (d == null || i > ends.get(2) && d.size() < 3) continue; // after all are in, a finished one leaves
                int done = 0;
                for (int end : ends) if (end < i) done++;
                assertEquals(jobs.subList(0, done), d, "step at " + i + " of " + entries);
            }
        }
    }
}
