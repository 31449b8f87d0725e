package org.adatoken3d.langchain4j;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.langchain4j.agent.tool.ToolSpecification;
import dev.langchain4j.data.message.AiMessage;
import dev.langchain4j.data.message.ImageContent;
import dev.langchain4j.data.message.SystemMessage;
import dev.langchain4j.data.message.TextContent;
import dev.langchain4j.data.message.UserMessage;
import dev.langchain4j.exception.InvalidRequestException;
import dev.langchain4j.exception.ModelNotFoundException;
import dev.langchain4j.exception.UnsupportedFeatureException;
import dev.langchain4j.model.chat.ChatModel;
import dev.langchain4j.model.chat.request.ChatRequest;
import dev.langchain4j.model.chat.request.ChatRequestParameters;
import dev.langchain4j.model.chat.response.ChatResponse;
import dev.langchain4j.model.output.FinishReason;
import java.util.List;
import java.util.function.Supplier;
import org.adatoken3d.evaluation.qa.QaQuestion;
import org.adatoken3d.llava3d.Answer;
import org.adatoken3d.llava3d.GenerationOptions;
import org.adatoken3d.llava3d.Llava3d;
import org.adatoken3d.llava3d.prompt.LlavaPrompt;
import org.adatoken3d.llava3d.spatial.SpatialTokens;
import org.adatoken3d.model.generation.Prompt;
import org.adatoken3d.pruning.PruneSpec;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** {@link Llava3dChatModel} on the trained spatial-QA model: held-out questions, text-only and multi-turn chats, errors. */
class Llava3dChatModelTest {
    static Llava3d llava;
    static ChatModel model;

    @BeforeAll
    static void open() {
        llava = SpatialQa.open();
        model = Llava3dChatModel.builder().llava(llava).build();
    }

    @AfterAll
    static void close() {
        llava.close();
    }

    static ChatRequest ask(String question, ChatRequestParameters parameters) {
        return ChatRequest.builder().messages(UserMessage.from(question)).parameters(parameters).build();
    }

    static Llava3dChatRequestParameters.Builder about(SpatialTokens scene) {
        return Llava3dChatRequestParameters.builder().scene(scene).maxOutputTokens(16);
    }

    @Test
    void answersAHeldOutQuestionAsTheFacadeDoesWithAutoPruning() {
        QaQuestion q = SpatialQa.HELDOUT.questions().getFirst();
        SpatialTokens scene = SpatialQa.scene(llava, q.scene());
        ChatResponse r = model.chat(ask(q.question(), about(scene).build()));
        assertTrue(q.isAnsweredBy(r.aiMessage().text()), "expected '" + q.answer() + "', got '" + r.aiMessage().text() + "'");
        // The reference: the façade asked directly with the model's profile.
        Answer direct = llava.ask(scene, q.question(), llava.policy("auto"), GenerationOptions.greedy(16), null);
        assertEquals(direct.text(), r.aiMessage().text());
        assertEquals(FinishReason.STOP, r.finishReason());
        assertEquals(direct.promptTokens(), r.tokenUsage().inputTokenCount());
        assertEquals(direct.ids().length, r.tokenUsage().outputTokenCount());
        assertEquals(direct.promptTokens() + direct.ids().length, r.tokenUsage().totalTokenCount());
        assertEquals("model", r.modelName());
        assertTrue(r.id().startsWith("chatcmpl-"), r.id());
        Llava3dChatResponseMetadata m = assertInstanceOf(Llava3dChatResponseMetadata.class, r.metadata());
        assertEquals(SpatialQa.SCENES.tokens(q.scene()), m.spatialTokens());
        assertEquals(direct.keepSet().keptCount(), m.keptTokens());
        assertTrue(m.keptTokens() < m.spatialTokens(), "auto prunes: " + m);
        assertEquals(PruneSpec.format(llava.policy("auto")), m.policy());
    }

    @Test
    void aSceneAndPolicyAmongTheDefaultsServeTheStringShortcut() {
        QaQuestion q = SpatialQa.HELDOUT.questions().get(5);
        ChatModel roomModel = Llava3dChatModel.builder().llava(llava)
                .defaultRequestParameters(about(SpatialQa.scene(llava, q.scene())).prune("none").build()).build();
        String answer = roomModel.chat(q.question());
        assertTrue(q.isAnsweredBy(answer), "expected '" + q.answer() + "', got '" + answer + "'");
        ChatResponse r = roomModel.chat(ask(q.question(), ChatRequestParameters.builder().maxOutputTokens(16).build()));
        Llava3dChatResponseMetadata m = (Llava3dChatResponseMetadata) r.metadata();
        assertEquals("none", m.policy());
        assertEquals(SpatialQa.SCENES.tokens(q.scene()), m.keptTokens(), "prune none keeps every spatial token");
    }

    @Test
    void aTextOnlyChatIsTheLlavaPromptWithoutASpatialBlock() {
        String question = "Is there a red cube?";
        ChatResponse r = model.chat(ask(question, ChatRequestParameters.builder().maxOutputTokens(8).build()));
        Prompt p = Prompt.text(LlavaPrompt.encodeTextOnly(llava.model().tokenizer(), question));
        Answer direct = llava.ask(p, llava.policy("none"), GenerationOptions.greedy(8), null, null);
        assertEquals(direct.text(), r.aiMessage().text());
        assertEquals(p.ids().length, r.tokenUsage().inputTokenCount());
        Llava3dChatResponseMetadata m = (Llava3dChatResponseMetadata) r.metadata();
        assertEquals(0, m.spatialTokens());
        assertEquals("none", m.policy());
    }

    @Test
    void earlierTurnsAreInThePrompt() {
        List<QaQuestion> qs = SpatialQa.HELDOUT.questions().subList(0, 2);
        SpatialTokens scene = SpatialQa.scene(llava, qs.get(0).scene());
        ChatResponse single = model.chat(ask(qs.get(1).question(), about(scene).build()));
        ChatResponse chat = model.chat(ChatRequest.builder()
                .messages(SystemMessage.from(LlavaPrompt.SYSTEM), UserMessage.from(qs.get(0).question()), AiMessage.from(qs.get(0).answer()),
                        UserMessage.from(qs.get(1).question()))
                .parameters(about(scene).build()).build());
        int firstTurn = llava.model().tokenizer().encode(qs.get(0).question(), false).length;
        assertTrue(chat.tokenUsage().inputTokenCount() > single.tokenUsage().inputTokenCount() + firstTurn,
                chat.tokenUsage() + " vs " + single.tokenUsage());
    }

    @Test
    void badRequestsRaiseLangchain4jExceptionsWithOneLineMessages() {
        SpatialTokens scene = SpatialQa.scene(llava, 0);
        String q = "Is the red cylinder bigger than the black ball?";
        record Case(Class<? extends RuntimeException> type, String mentions, Supplier<ChatRequest> request) {}
        List<Case> cases = List.of(
                new Case(InvalidRequestException.class, "tau", () -> ask(q, about(scene).prune("tau=7").build())),
                new Case(InvalidRequestException.class, "layer", () -> ask(q, about(scene).prune("keep=0.3,layer=99").build())),
                new Case(InvalidRequestException.class, "needs a scene", () -> ask(q, Llava3dChatRequestParameters.builder().prune("tau=0.05").build())),
                new Case(InvalidRequestException.class, "temperature", () -> ask(q, about(scene).temperature(-1.0).build())),
                new Case(InvalidRequestException.class, "click", () -> ask("What is at [1, 2, 0]?", ChatRequestParameters.builder().build())),
                new Case(InvalidRequestException.class, "system text", () -> ChatRequest.builder()
                        .messages(SystemMessage.from("You are a pirate."), UserMessage.from(q)).build()),
                new Case(InvalidRequestException.class, "should be an assistant message", () -> ChatRequest.builder()
                        .messages(UserMessage.from(q), UserMessage.from(q)).build()),
                new Case(InvalidRequestException.class, "<image>", () -> ask("<image>\n" + q, about(scene).build())),
                new Case(UnsupportedFeatureException.class, "IMAGE", () -> ChatRequest.builder()
                        .messages(UserMessage.from(TextContent.from(q), ImageContent.from("aGVsbG8=", "image/png"))).build()),
                new Case(UnsupportedFeatureException.class, "tools", () -> ask(q, about(scene)
                        .toolSpecifications(ToolSpecification.builder().name("lookup").build()).build())),
                new Case(UnsupportedFeatureException.class, "stopSequences", () -> ask(q, about(scene).stopSequences("no").build())),
                new Case(ModelNotFoundException.class, "gpt-4o", () -> ask(q, about(scene).modelName("gpt-4o").build())));
        for (Case c : cases) {
            RuntimeException e = assertThrows(c.type(), () -> model.chat(c.request().get()), c.mentions());
            assertTrue(e.getMessage().contains(c.mentions()), c.mentions() + " in: " + e.getMessage());
            assertFalse(e.getMessage().contains("\n"), "one line: " + e.getMessage());
        }
    }
}
