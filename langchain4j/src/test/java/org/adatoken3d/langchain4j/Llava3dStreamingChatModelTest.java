package org.adatoken3d.langchain4j;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.langchain4j.data.message.UserMessage;
import dev.langchain4j.exception.InvalidRequestException;
import dev.langchain4j.model.chat.StreamingChatModel;
import dev.langchain4j.model.chat.request.ChatRequest;
import dev.langchain4j.model.chat.request.ChatRequestParameters;
import dev.langchain4j.model.chat.response.ChatResponse;
import dev.langchain4j.model.chat.response.PartialResponse;
import dev.langchain4j.model.chat.response.PartialResponseContext;
import dev.langchain4j.model.chat.response.StreamingChatResponseHandler;
import dev.langchain4j.model.output.FinishReason;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.adatoken3d.evaluation.qa.QaQuestion;
import org.adatoken3d.llava3d.EngineOptions;
import org.adatoken3d.llava3d.Llava3d;
import org.adatoken3d.llava3d.synthetic.SynthPreset;
import org.adatoken3d.llava3d.synthetic.SyntheticCheckpoint;
import org.adatoken3d.weights.DType;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@link Llava3dStreamingChatModel}: pieces as they come, the same answer as the blocking model, errors, cancellation. */
class Llava3dStreamingChatModelTest {
    static Llava3d llava;
    static StreamingChatModel model;

    @BeforeAll
    static void open() {
        llava = SpatialQa.open();
        model = Llava3dStreamingChatModel.builder().llava(llava).build();
    }

    @AfterAll
    static void close() {
        llava.close();
    }

    /** Records what the model told the handler, in order; cancels at piece {@code cancelAt} (−1: never). */
    static final class Recorder implements StreamingChatResponseHandler {
        final List<String> pieces = new ArrayList<>();
        final List<String> events = new ArrayList<>();
        final int cancelAt;
        ChatResponse response;
        Throwable error;

        Recorder(int cancelAt) {
            this.cancelAt = cancelAt;
        }

        @Override
        public void onPartialResponse(PartialResponse partial, PartialResponseContext context) {
            pieces.add(partial.text());
            events.add("partial");
            if (pieces.size() == cancelAt) context.streamingHandle().cancel();
        }

        @Override
        public void onCompleteResponse(ChatResponse r) {
            response = r;
            events.add("complete");
        }

        @Override
        public void onError(Throwable e) {
            error = e;
            events.add("error");
        }
    }

    static ChatRequest ask(String question, ChatRequestParameters parameters) {
        return ChatRequest.builder().messages(UserMessage.from(question)).parameters(parameters).build();
    }

    @Test
    void streamsAHeldOutAnswerWhosePiecesAreTheFinalText() {
        for (int i : new int[] {0, 5}) {
            QaQuestion q = SpatialQa.HELDOUT.questions().get(i);
            Llava3dChatRequestParameters p = Llava3dChatRequestParameters.builder().scene(SpatialQa.scene(llava, q.scene())).maxOutputTokens(16).build();
            Recorder r = new Recorder(-1);
            model.chat(ask(q.question(), p), r);
            assertNull(r.error, () -> "no error: " + r.error);
            assertEquals("complete", r.events.getLast());
            assertEquals(1, r.events.stream().filter("complete"::equals).count());
            assertTrue(!r.pieces.isEmpty(), "text came in pieces before the end: " + r.events);
            String text = r.response.aiMessage().text();
            assertEquals(String.join("", r.pieces), text);
            assertTrue(q.isAnsweredBy(text), "question " + i + ": expected '" + q.answer() + "', got '" + text + "'");
            assertEquals(FinishReason.STOP, r.response.finishReason());
            // The blocking model gives the same response for the same request.
            ChatResponse blocking = Llava3dChatModel.builder().llava(llava).build().chat(ask(q.question(), p));
            assertEquals(blocking.aiMessage().text(), text);
            assertEquals(blocking.tokenUsage(), r.response.tokenUsage());
            assertInstanceOf(Llava3dChatResponseMetadata.class, r.response.metadata());
        }
    }

    @Test
    void badRequestsGoToOnErrorAndNothingElse() {
        Recorder r = new Recorder(-1);
        model.chat(ask("Is the red cylinder bigger than the black ball?",
                Llava3dChatRequestParameters.builder().scene(SpatialQa.scene(llava, 0)).prune("tau=7").build()), r);
        assertEquals(List.of("error"), r.events);
        assertInstanceOf(InvalidRequestException.class, r.error);
        assertTrue(r.error.getMessage().contains("tau"), r.error.getMessage());
    }

    /** A seeded random checkpoint seldom produces EOS, so its answers run to maxOutputTokens: a long stream to cut. */
    @Test
    void runsToTheLimitOrStopsWhenCancelled(@TempDir Path tmp) throws IOException {
        Path dir = tmp.resolve("tiny");
        new SyntheticCheckpoint(SynthPreset.TINY, null, DType.F32, 5).write(dir, b -> {});
        assertTrue(Files.exists(dir.resolve("config.json")));
        try (Llava3d tiny = Llava3d.open(dir, EngineOptions.defaults())) {
            StreamingChatModel streaming = Llava3dStreamingChatModel.builder().llava(tiny).build();
            ChatRequest request = ask("one two three", ChatRequestParameters.builder().maxOutputTokens(20).build());
            Recorder whole = new Recorder(-1);
            streaming.chat(request, whole);
            assertNull(whole.error);
            assertEquals(FinishReason.LENGTH, whole.response.finishReason());
            assertEquals(20, whole.response.tokenUsage().outputTokenCount());
            assertTrue(whole.pieces.size() > 2, "many pieces: " + whole.pieces);
            assertEquals(String.join("", whole.pieces), whole.response.aiMessage().text());

            Recorder cut = new Recorder(1);
            streaming.chat(request, cut);
            assertEquals(List.of("partial"), cut.events, "after cancel, no more callbacks");
            assertEquals(whole.pieces.getFirst(), cut.pieces.getFirst());
        }
    }
}
