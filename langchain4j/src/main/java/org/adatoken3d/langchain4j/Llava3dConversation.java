package org.adatoken3d.langchain4j;

import dev.langchain4j.data.message.AiMessage;
import dev.langchain4j.data.message.ChatMessage;
import dev.langchain4j.data.message.Content;
import dev.langchain4j.data.message.SystemMessage;
import dev.langchain4j.data.message.TextContent;
import dev.langchain4j.data.message.UserMessage;
import dev.langchain4j.exception.InvalidRequestException;
import dev.langchain4j.exception.UnsupportedFeatureException;
import java.util.ArrayList;
import java.util.List;
import org.adatoken3d.kernels.EngineArgumentException;
import org.adatoken3d.llava3d.ChatTurn;
import org.adatoken3d.llava3d.Llava3d;
import org.adatoken3d.llava3d.spatial.SpatialTokens;
import org.adatoken3d.model.generation.Prompt;

/**
 * A langchain4j chat as the façade's {@link ChatTurn}s, rendered by {@link Llava3d#chatPrompt} into one
 * {@code llava_v1} prompt, the same rendering the server gives an OpenAI chat. What langchain4j can say and the
 * template cannot (tool calls, non-text parts, other message types) is refused here, never dropped.
 */
public final class Llava3dConversation {
    private Llava3dConversation() {}

    /** The prompt for {@code messages} about {@code scene} (null: a text-only chat). */
    public static Prompt prompt(Llava3d llava, List<ChatMessage> messages, SpatialTokens scene) {
        try {
            return llava.chatPrompt(turns(messages), scene);
        } catch (EngineArgumentException e) {
            throw new InvalidRequestException(e.getMessage(), e);
        }
    }

    /** langchain4j's messages as chat turns; their order and roles are checked by the façade. */
    static List<ChatTurn> turns(List<ChatMessage> messages) {
        List<ChatTurn> turns = new ArrayList<>();
        for (int i = 0; i < messages.size(); i++) {
            ChatMessage m = messages.get(i);
            String where = "messages[" + i + "]";
            turns.add(switch (m) {
                case SystemMessage s -> ChatTurn.system(s.text());
                case UserMessage u -> ChatTurn.user(text(u, where));
                case AiMessage a -> {
                    if (a.hasToolExecutionRequests()) throw new UnsupportedFeatureException(where + ": tool calls are not supported");
                    if (a.text() == null) throw new InvalidRequestException(where + ": an AI message without text");
                    yield ChatTurn.assistant(a.text());
                }
                default -> throw new UnsupportedFeatureException(where + ": " + m.type() + " messages are not supported; "
                        + "a chat is system (optional), user, AI, user, ...");
            });
        }
        return turns;
    }

    /** A user message's text: only text parts are understood; the scene is a parameter, not a part. */
    private static String text(UserMessage u, String where) {
        StringBuilder text = new StringBuilder();
        List<Content> contents = u.contents();
        for (int j = 0; j < contents.size(); j++) {
            if (!(contents.get(j) instanceof TextContent t)) {
                throw new UnsupportedFeatureException(where + ".contents[" + j + "]: " + contents.get(j).type() + " content is not supported; "
                        + "only text (the scene goes in Llava3dChatRequestParameters.scene)");
            }
            text.append(t.text());
        }
        return text.toString();
    }
}
