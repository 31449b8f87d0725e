package org.adatoken3d.server;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.langchain4j.data.message.AiMessage;
import dev.langchain4j.data.message.SystemMessage;
import dev.langchain4j.data.message.UserMessage;
import dev.langchain4j.exception.InvalidRequestException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.adatoken3d.evaluation.qa.QaQuestion;
import org.adatoken3d.evaluation.qa.QuestionSet;
import org.adatoken3d.langchain4j.Llava3dConversation;
import org.adatoken3d.llava3d.EngineOptions;
import org.adatoken3d.llava3d.Llava3d;
import org.adatoken3d.llava3d.prompt.LlavaPrompt;
import org.adatoken3d.llava3d.spatial.SpatialTokens;
import org.adatoken3d.model.generation.Prompt;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * langchain4j chats render to the same llava_v1 prompt as the server's {@link Conversation} renders the same OpenAI
 * chats, and both refuse the same chats. (In the server's package: {@code Conversation} is package-private.)
 */
class Llava3dConversationTest {
    static final Path SPATIALQA = Path.of(System.getProperty("adatoken3d.root", "..")).resolve("conformance/spatialqa");
    static Llava3d llava;
    static List<QaQuestion> questions;
    static SpatialTokens scene;

    @BeforeAll
    static void open() {
        llava = Llava3d.open(SPATIALQA.resolve("model"), EngineOptions.defaults());
        QuestionSet set = QuestionSet.read(SPATIALQA.resolve("heldout-questions.json"));
        questions = set.questions();
        scene = set.readScenes().spatialTokens(0, llava.projector());
    }

    @AfterAll
    static void close() {
        llava.close();
    }

    /** One chat in both vocabularies: role/text pairs. */
    static List<dev.langchain4j.data.message.ChatMessage> langchain4j(List<ChatMessage> chat) {
        List<dev.langchain4j.data.message.ChatMessage> out = new ArrayList<>();
        for (ChatMessage m : chat) {
            out.add(switch (m.role()) {
                case ChatMessage.SYSTEM -> SystemMessage.from(m.content());
                case ChatMessage.USER -> UserMessage.from(m.content());
                default -> AiMessage.from(m.content());
            });
        }
        return out;
    }

    @Test
    void theSameChatIsTheSamePrompt() {
        String q0 = questions.get(0).question(), q1 = questions.get(1).question(), q2 = questions.get(2).question();
        List<List<ChatMessage>> chats = List.of(
                List.of(new ChatMessage("user", q0)),
                List.of(new ChatMessage("system", LlavaPrompt.SYSTEM), new ChatMessage("user", q0)),
                List.of(new ChatMessage("user", q0), new ChatMessage("assistant", "yes"), new ChatMessage("user", q1)),
                List.of(new ChatMessage("system", LlavaPrompt.SYSTEM), new ChatMessage("user", q0), new ChatMessage("assistant", " no"),
                        new ChatMessage("user", q1), new ChatMessage("assistant", "a red cube."), new ChatMessage("user", q2)));
        for (List<ChatMessage> chat : chats) {
            for (SpatialTokens s : new SpatialTokens[] {scene, null}) {
                Prompt server = Conversation.build(llava, chat, s);
                Prompt ours = Llava3dConversation.prompt(llava, langchain4j(chat), s);
                assertArrayEquals(server.ids(), ours.ids(), chat + (s == null ? " text only" : " with a scene"));
                assertEquals(server.spatial(), ours.spatial());
                assertEquals(server.embeddedRows(), ours.embeddedRows());
            }
        }
    }

    @Test
    void theSameChatsAreRefused() {
        String q = questions.get(0).question();
        List<List<ChatMessage>> refused = List.of(
                List.of(new ChatMessage("assistant", "hi")),
                List.of(new ChatMessage("system", "You are a pirate."), new ChatMessage("user", q)),
                List.of(new ChatMessage("user", q), new ChatMessage("user", q)),
                List.of(new ChatMessage("user", q), new ChatMessage("assistant", "yes")),
                List.of(new ChatMessage("user", q), new ChatMessage("system", LlavaPrompt.SYSTEM), new ChatMessage("user", q)),
                List.of(new ChatMessage("user", "<image>\n" + q)),
                List.of(new ChatMessage("user", q), new ChatMessage("assistant", "yes</s>"), new ChatMessage("user", q)));
        for (List<ChatMessage> chat : refused) {
            assertThrows(ApiException.class, () -> Conversation.build(llava, chat, scene), chat::toString);
            assertThrows(InvalidRequestException.class, () -> Llava3dConversation.prompt(llava, langchain4j(chat), scene), chat::toString);
        }
    }
}
