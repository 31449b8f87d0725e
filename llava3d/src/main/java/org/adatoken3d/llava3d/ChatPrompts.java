package org.adatoken3d.llava3d;

import java.util.ArrayList;
import java.util.List;
import org.adatoken3d.kernels.EngineArgumentException;
import org.adatoken3d.llava3d.prompt.ClickQuestion;
import org.adatoken3d.llava3d.prompt.LlavaPrompt;
import org.adatoken3d.llava3d.spatial.SpatialTokens;
import org.adatoken3d.model.generation.Prompt;
import org.adatoken3d.model.tokenizer.Tokenizer;

/**
 * A whole chat as one {@code llava_v1} prompt, the way LLaVA's {@code Conversation.get_prompt} renders several turns
 * (separator style TWO):
 *
 * <pre>
 * SYSTEM USER: &lt;image&gt;\nq1 ASSISTANT: a1&lt;/s&gt;USER: q2 ASSISTANT:
 * </pre>
 *
 * The first user turn carries the spatial block (and any click tokens) exactly as a single question does; every later
 * turn is appended as ids: the answer as SentencePiece encodes it on its own (its dummy prefix is the space after
 * {@code ASSISTANT:}), the end-of-sequence id that {@code </s>} stands for, then {@code USER: q ASSISTANT:} (after a
 * special token LLaMA's tokenizer again starts with a dummy-prefix space). Nothing is silently dropped: a chat this
 * template cannot hold is refused, naming {@code messages} or {@code messages[i]}.
 */
final class ChatPrompts {
    private ChatPrompts() {}

    static Prompt build(Llava3d llava, List<ChatTurn> messages, SpatialTokens scene) {
        List<ChatTurn> turns = turns(messages);
        String first = turns.getFirst().text();
        Prompt prompt;
        if (scene != null) {
            prompt = llava.prompt(scene, first);
        } else {
            if (ClickQuestion.parse(first).hasClicks()) {
                throw new EngineArgumentException("messages", "ask about a click [x, y, z], which needs a scene, but none is given");
            }
            prompt = Prompt.text(LlavaPrompt.encodeTextOnly(llava.model().tokenizer(), first));
        }
        if (turns.size() == 1) return prompt;
        Tokenizer tokenizer = llava.model().tokenizer();
        if (tokenizer.eos() == Tokenizer.NONE) {
            throw new EngineArgumentException("messages", "hold earlier turns, but this model's tokenizer has no end-of-sequence token to "
                    + "separate them; send one user message");
        }
        List<int[]> parts = new ArrayList<>();
        parts.add(prompt.ids());
        for (int i = 1; i + 1 < turns.size(); i += 2) {
            String question = turns.get(i + 1).text();
            if (ClickQuestion.parse(question).hasClicks()) {
                throw new EngineArgumentException("messages", "hold a click [x, y, z] after the first user message; clicks may only appear "
                        + "in the first");
            }
            parts.add(tokenizer.encode(turns.get(i).text(), false));
            parts.add(new int[] {tokenizer.eos()});
            parts.add(tokenizer.encode("USER: " + question + " ASSISTANT:", false));
        }
        return new Prompt(concat(parts), prompt.spatial(), prompt.spatialEmbeds(), prompt.embeddedRows());
    }

    /**
     * The user and assistant turns, alternating from a user turn to a user turn; a leading system message must be
     * llava_v1's own (the template has no place for another).
     */
    private static List<ChatTurn> turns(List<ChatTurn> messages) {
        List<ChatTurn> turns = new ArrayList<>();
        for (int i = 0; i < messages.size(); i++) {
            ChatTurn m = messages.get(i);
            String where = "messages[" + i + "]";
            if (m.role() == ChatTurn.Role.SYSTEM) {
                if (i > 0) throw new EngineArgumentException(where, "is a system message; one may only come first");
                if (!m.text().strip().equals(LlavaPrompt.SYSTEM)) {
                    throw new EngineArgumentException(where, "is a system message, but the llava_v1 prompt has a fixed system text (\""
                            + LlavaPrompt.SYSTEM + "\"); leave the system message out or send exactly that");
                }
                continue;
            }
            ChatTurn.Role expected = turns.size() % 2 == 0 ? ChatTurn.Role.USER : ChatTurn.Role.ASSISTANT;
            if (m.role() != expected) {
                throw new EngineArgumentException(where, "should be " + (expected == ChatTurn.Role.USER ? "a user" : "an assistant")
                        + " message (turns alternate user, assistant, user, ...), got " + name(m.role()));
            }
            if (m.text().contains(LlavaPrompt.IMAGE_PLACEHOLDER)) {
                throw new EngineArgumentException(where, "contains \"<image>\"; the scene is given apart from the messages and is placed "
                        + "before the first question");
            }
            if (m.text().contains("</s>")) throw new EngineArgumentException(where, "contains \"</s>\", the template's turn separator");
            turns.add(m);
        }
        if (turns.isEmpty()) throw new EngineArgumentException("messages", "hold no user message");
        if (turns.getLast().role() != ChatTurn.Role.USER) {
            throw new EngineArgumentException("messages", "must end with a user message (the answer to it is what is generated)");
        }
        return turns;
    }

    private static String name(ChatTurn.Role role) {
        return role.name().toLowerCase(java.util.Locale.ROOT);
    }

    private static int[] concat(List<int[]> parts) {
        int n = 0;
        for (int[] p : parts) n += p.length;
        int[] out = new int[n];
        int at = 0;
        for (int[] p : parts) {
            System.arraycopy(p, 0, out, at, p.length);
            at += p.length;
        }
        return out;
    }
}
