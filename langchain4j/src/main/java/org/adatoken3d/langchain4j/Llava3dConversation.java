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
import org.adatoken3d.llava3d.Llava3d;
import org.adatoken3d.llava3d.prompt.ClickQuestion;
import org.adatoken3d.llava3d.prompt.LlavaPrompt;
import org.adatoken3d.llava3d.spatial.SpatialTokens;
import org.adatoken3d.model.generation.Prompt;
import org.adatoken3d.model.tokenizer.Tokenizer;

/**
 * A langchain4j chat as one {@code llava_v1} prompt, rendered as the server's {@code Conversation} renders an OpenAI
 * chat (LLaVA's {@code Conversation.get_prompt}, separator style TWO):
 *
 * <pre>
 * SYSTEM USER: &lt;image&gt;\nq1 ASSISTANT: a1&lt;/s&gt;USER: q2 ASSISTANT:
 * </pre>
 *
 * The first user message carries the spatial block (and any click tokens); each later turn is appended as ids: the
 * answer as SentencePiece encodes it on its own, the end-of-sequence id, then {@code USER: q ASSISTANT:}. A chat this
 * template cannot hold is refused, never cut down. The server's class is package-private to the server (it throws
 * the server's HTTP errors), so the same rule is written here for langchain4j's message types, and a test renders
 * the same chats through both and compares the ids.
 */
public final class Llava3dConversation {
    private Llava3dConversation() {}

    /** A user or assistant turn's text. */
    private record Turn(boolean user, String text) {}

    /** The prompt for {@code messages} about {@code scene} (null: a text-only chat). */
    public static Prompt prompt(Llava3d llava, List<ChatMessage> messages, SpatialTokens scene) {
        List<Turn> turns = turns(messages);
        String first = turns.getFirst().text();
        Prompt prompt;
        if (scene != null) {
            prompt = llava.prompt(scene, first);
        } else {
            if (ClickQuestion.parse(first).hasClicks()) {
                throw new InvalidRequestException("messages: a click [x, y, z] needs a scene: set Llava3dChatRequestParameters.scene");
            }
            prompt = Prompt.text(LlavaPrompt.encodeTextOnly(llava.model().tokenizer(), first));
        }
        if (turns.size() == 1) return prompt;
        Tokenizer tokenizer = llava.model().tokenizer();
        if (tokenizer.eos() == Tokenizer.NONE) {
            throw new InvalidRequestException("messages: this model's tokenizer has no end-of-sequence token, so earlier turns cannot be "
                    + "separated; send one user message");
        }
        List<int[]> parts = new ArrayList<>();
        parts.add(prompt.ids());
        for (int i = 1; i + 1 < turns.size(); i += 2) {
            String question = turns.get(i + 1).text();
            if (ClickQuestion.parse(question).hasClicks()) {
                throw new InvalidRequestException("messages: a click [x, y, z] may only appear in the first user message");
            }
            parts.add(tokenizer.encode(turns.get(i).text(), false));
            parts.add(new int[] {tokenizer.eos()});
            parts.add(tokenizer.encode("USER: " + question + " ASSISTANT:", false));
        }
        int n = 0;
        for (int[] p : parts) n += p.length;
        int[] ids = new int[n];
        int at = 0;
        for (int[] p : parts) {
            System.arraycopy(p, 0, ids, at, p.length);
            at += p.length;
        }
        return new Prompt(ids, prompt.spatial(), prompt.spatialEmbeds(), prompt.embeddedRows());
    }

    /** User and assistant turns alternating from a user turn to a user turn; a leading system message must be llava_v1's own. */
    private static List<Turn> turns(List<ChatMessage> messages) {
        List<Turn> turns = new ArrayList<>();
        for (int i = 0; i < messages.size(); i++) {
            ChatMessage m = messages.get(i);
            String where = "messages[" + i + "]";
            if (m instanceof SystemMessage s) {
                if (i > 0) throw new InvalidRequestException(where + ": a system message may only come first");
                if (!s.text().strip().equals(LlavaPrompt.SYSTEM)) {
                    throw new InvalidRequestException(where + ": the llava_v1 prompt has a fixed system text (\"" + LlavaPrompt.SYSTEM
                            + "\"); leave the system message out or send exactly that");
                }
                continue;
            }
            Turn turn = switch (m) {
                case UserMessage u -> new Turn(true, text(u, where));
                case AiMessage a -> {
                    if (a.hasToolExecutionRequests()) throw new UnsupportedFeatureException(where + ": tool calls are not supported");
                    if (a.text() == null) throw new InvalidRequestException(where + ": an AI message without text");
                    yield new Turn(false, a.text());
                }
                default -> throw new UnsupportedFeatureException(where + ": " + m.type() + " messages are not supported; "
                        + "a chat is system (optional), user, AI, user, ...");
            };
            boolean expectUser = turns.size() % 2 == 0;
            if (turn.user() != expectUser) {
                throw new InvalidRequestException(where + ": expected " + (expectUser ? "a user" : "an AI") + " message (turns alternate user, "
                        + "AI, user, ...), got " + m.type());
            }
            if (turn.text().contains(LlavaPrompt.IMAGE_PLACEHOLDER)) {
                throw new InvalidRequestException(where + " contains \"<image>\"; the scene goes in Llava3dChatRequestParameters.scene and "
                        + "is placed before the first question");
            }
            if (turn.text().contains("</s>")) throw new InvalidRequestException(where + " contains \"</s>\", the template's turn separator");
            turns.add(turn);
        }
        if (turns.isEmpty()) throw new InvalidRequestException("messages holds no user message");
        if (!turns.getLast().user()) {
            throw new InvalidRequestException("the last message must be from the user (the answer to it is what is generated)");
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
