package org.adatoken3d.llava3d;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import org.adatoken3d.kernels.EngineArgumentException;
import org.adatoken3d.llava3d.prompt.LlavaPrompt;
import org.adatoken3d.llava3d.spatial.SpatialTokens;
import org.adatoken3d.model.generation.Prompt;
import org.adatoken3d.model.tokenizer.Tokenizer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** Chats as one llava_v1 prompt, on the trained spatial-QA model and its LLaMA tokenizer. */
class ChatPromptsTest {
    static final Path MODEL = Path.of(System.getProperty("adatoken3d.root", "..")).resolve("conformance/spatialqa/model");
    static Llava3d llava;
    static SpatialTokens scene;

    @BeforeAll
    static void open() {
        llava = Llava3d.open(MODEL, EngineOptions.defaults());
        // The prompt only places the rows; their values do not matter here.
        int n = 7, hidden = llava.model().config().hiddenSize();
        scene = new SpatialTokens(n, new float[n * hidden], new float[n * 3]);
    }

    @AfterAll
    static void close() {
        llava.close();
    }

    @Test
    void oneUserTurnIsTheQuestionsOwnPrompt() {
        String q = "What colour is the cube?";
        Prompt chat = llava.chatPrompt(List.of(ChatTurn.user(q)), scene);
        Prompt question = llava.prompt(scene, q);
        assertArrayEquals(question.ids(), chat.ids());
        assertEquals(question.spatial(), chat.spatial());
        assertArrayEquals(question.ids(), llava.chatPrompt(List.of(ChatTurn.system(LlavaPrompt.SYSTEM), ChatTurn.user(q)), scene).ids());
        assertArrayEquals(LlavaPrompt.encodeTextOnly(llava.model().tokenizer(), q), llava.chatPrompt(List.of(ChatTurn.user(q)), null).ids());
    }

    /** The ids decode to the text LLaVA's Conversation.get_prompt writes for the same chat (separator style TWO). */
    @Test
    void laterTurnsFollowLlavaV1sTemplate() {
        Tokenizer t = llava.model().tokenizer();
        List<ChatTurn> chat = List.of(ChatTurn.user("Is there a cube?"), ChatTurn.assistant("yes"), ChatTurn.user("What colour is it?"),
                ChatTurn.assistant("red"), ChatTurn.user("Is it left of the sphere?"));
        Prompt p = llava.chatPrompt(chat, null);
        int[] first = LlavaPrompt.encodeTextOnly(t, "Is there a cube?");
        assertArrayEquals(first, Arrays.copyOf(p.ids(), first.length), "the first turn is the question's own prompt");
        // Decoded piece by piece between the end-of-sequence ids, which decode to no text.
        int[] rest = Arrays.copyOfRange(p.ids(), first.length, p.ids().length);
        StringBuilder text = new StringBuilder();
        int from = 0;
        for (int i = 0; i <= rest.length; i++) {
            if (i == rest.length || rest[i] == t.eos()) {
                text.append(t.decode(Arrays.copyOfRange(rest, from, i)));
                if (i < rest.length) text.append("</s>");
                from = i + 1;
            }
        }
        assertEquals("yes</s>USER: What colour is it? ASSISTANT: red</s>USER: Is it left of the sphere? ASSISTANT:", text.toString());
        assertEquals(2, Arrays.stream(p.ids()).filter(id -> id == t.eos()).count(), "one end-of-sequence id after each answer");
        Prompt withScene = llava.chatPrompt(chat, scene);
        assertEquals(scene.count(), withScene.spatial().count(), "the spatial block is in the first turn");
    }

    @Test
    void chatsTheTemplateCannotHoldAreRefusedNamingTheMessage() {
        String q = "Is there a cube?";
        refused(List.of(ChatTurn.assistant("hi")), "messages[0] should be a user message");
        refused(List.of(ChatTurn.system("You are a pirate."), ChatTurn.user(q)), "messages[0] is a system message, but the llava_v1 prompt");
        refused(List.of(ChatTurn.user(q), ChatTurn.user(q)), "messages[1] should be an assistant message");
        refused(List.of(ChatTurn.user(q), ChatTurn.assistant("yes")), "messages must end with a user message");
        refused(List.of(ChatTurn.user(q), ChatTurn.system(LlavaPrompt.SYSTEM)), "messages[1] is a system message; one may only come first");
        refused(List.of(ChatTurn.user("<image>\n" + q)), "messages[0] contains \"<image>\"");
        refused(List.of(ChatTurn.user(q), ChatTurn.assistant("yes</s>"), ChatTurn.user(q)), "messages[1] contains \"</s>\"");
        refused(List.of(), "messages hold no user message");
        refused(List.of(ChatTurn.system(LlavaPrompt.SYSTEM)), "messages hold no user message");
    }

    private static void refused(List<ChatTurn> chat, String message) {
        EngineArgumentException e = assertThrows(EngineArgumentException.class, () -> llava.chatPrompt(chat, scene), chat::toString);
        assertTrue(e.getMessage().startsWith(message), e.getMessage());
    }
}
