package org.adatoken3d.langchain4j;

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
import org.adatoken3d.kernels.EngineArgumentException;
import org.adatoken3d.llava3d.ChatTurn;
import org.adatoken3d.llava3d.EngineOptions;
import org.adatoken3d.llava3d.Llava3d;
import org.adatoken3d.llava3d.prompt.LlavaPrompt;
import org.adatoken3d.llava3d.spatial.SpatialTokens;
import org.adatoken3d.model.generation.Prompt;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * langchain4j chats render to the same llava_v1 prompt as the façade renders the same chat turns (which is what the
 * server does with an OpenAI chat), and the same chats are refused.
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

    /** One chat in both vocabularies. */
    static List<dev.langchain4j.data.message.ChatMessage> langchain4j(List<ChatTurn> chat) {
        List<dev.langchain4j.data.message.ChatMessage> out = new ArrayList<>();
        for (ChatTurn m : chat) {
            out.add(switch (m.role()) {
                case SYSTEM -> SystemMessage.from(m.text());
                case USER -> UserMessage.from(m.text());
                case ASSISTANT -> AiMessage.from(m.text());
            });
        }
        return out;
    }

    static ChatTurn turn(String role, String text) {
        return new ChatTurn(ChatTurn.Role.valueOf(role.toUpperCase(java.util.Locale.ROOT)), text);
    }

    @Test
    void theSameChatIsTheSamePrompt() {
        String q0 = questions.get(0).question(), q1 = questions.get(1).question(), q2 = questions.get(2).question();
        List<List<ChatTurn>> chats = List.of(
                List.of(turn("user", q0)),
                List.of(turn("system", LlavaPrompt.SYSTEM), turn("user", q0)),
                List.of(turn("user", q0), turn("assistant", "yes"), turn("user", q1)),
                List.of(turn("system", LlavaPrompt.SYSTEM), turn("user", q0), turn("assistant", " no"),
                        turn("user", q1), turn("assistant", "a red cube."), turn("user", q2)));
        for (List<ChatTurn> chat : chats) {
            for (SpatialTokens s : new SpatialTokens[] {scene, null}) {
                Prompt server = llava.chatPrompt(chat, s);
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
        List<List<ChatTurn>> refused = List.of(
                List.of(turn("assistant", "hi")),
                List.of(turn("system", "You are a pirate."), turn("user", q)),
                List.of(turn("user", q), turn("user", q)),
                List.of(turn("user", q), turn("assistant", "yes")),
                List.of(turn("user", q), turn("system", LlavaPrompt.SYSTEM), turn("user", q)),
                List.of(turn("user", "<image>\n" + q)),
                List.of(turn("user", q), turn("assistant", "yes</s>"), turn("user", q)));
        for (List<ChatTurn> chat : refused) {
            assertThrows(EngineArgumentException.class, () -> llava.chatPrompt(chat, scene), chat::toString);
            assertThrows(InvalidRequestException.class, () -> Llava3dConversation.prompt(llava, langchain4j(chat), scene), chat::toString);
        }
    }
}
