package org.adatoken3d.server;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.adatoken3d.llava3d.Llava3d;
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
 * template cannot hold is refused.
 */
final class Conversation {
    private Conversation() {}

    /** The prompt for {@code messages} about {@code scene} (null: a text-only chat). */
    static Prompt build(Llava3d llava, List<ChatMessage> messages, SpatialTokens scene) {
        List<ChatMessage> turns = turns(messages);
        String first = turns.getFirst().content();
        Prompt prompt;
        if (scene != null) {
            prompt = llava.prompt(scene, first);
        } else {
            if (ClickQuestion.parse(first).hasClicks()) {
                throw ApiException.badRequest("messages", "a click [x, y, z] needs a scene: give the 'scene' field");
            }
            prompt = Prompt.text(LlavaPrompt.encodeTextOnly(llava.model().tokenizer(), first));
        }
        if (turns.size() == 1) return prompt;
        Tokenizer tokenizer = llava.model().tokenizer();
        if (tokenizer.eos() == Tokenizer.NONE) {
            throw ApiException.badRequest("messages", "this model's tokenizer has no end-of-sequence token, so earlier turns cannot be "
                    + "separated; send one user message");
        }
        List<int[]> parts = new ArrayList<>();
        parts.add(prompt.ids());
        for (int i = 1; i + 1 < turns.size(); i += 2) {
            String question = turns.get(i + 1).content();
            if (ClickQuestion.parse(question).hasClicks()) {
                throw ApiException.badRequest("messages", "a click [x, y, z] may only appear in the first user message");
            }
            parts.add(tokenizer.encode(turns.get(i).content(), false));
            parts.add(new int[] {tokenizer.eos()});
            parts.add(tokenizer.encode("USER: " + question + " ASSISTANT:", false));
        }
        int[] ids = concat(parts);
        return new Prompt(ids, prompt.spatial(), prompt.spatialEmbeds(), prompt.embeddedRows());
    }

    /**
     * The user and assistant turns, alternating from a user turn to a user turn; a leading system message must be
     * llava_v1's own (the template has no place for another).
     */
    static List<ChatMessage> turns(List<ChatMessage> messages) {
        List<ChatMessage> turns = new ArrayList<>();
        for (int i = 0; i < messages.size(); i++) {
            ChatMessage m = messages.get(i);
            String where = "messages[" + i + "]";
            if (m.role().equals(ChatMessage.SYSTEM)) {
                if (i > 0) throw ApiException.badRequest(where, where + ": a system message may only come first");
                if (!m.content().strip().equals(LlavaPrompt.SYSTEM)) {
                    throw ApiException.badRequest(where, where + ": the llava_v1 prompt has a fixed system text (\"" + LlavaPrompt.SYSTEM
                            + "\"); leave the system message out or send exactly that");
                }
                continue;
            }
            String expected = turns.size() % 2 == 0 ? ChatMessage.USER : ChatMessage.ASSISTANT;
            if (!m.role().equals(expected)) {
                throw ApiException.badRequest(where, where + ": expected a " + expected + " message (turns alternate user, assistant, "
                        + "user, ...), got " + m.role());
            }
            if (m.content().contains(LlavaPrompt.IMAGE_PLACEHOLDER)) {
                throw ApiException.badRequest(where, where + " contains \"<image>\"; the scene goes in the 'scene' field and is placed "
                        + "before the first question");
            }
            if (m.content().contains("</s>")) throw ApiException.badRequest(where, where + " contains \"</s>\", the template's turn separator");
            turns.add(m);
        }
        if (turns.isEmpty()) throw ApiException.badRequest("messages", "messages holds no user message");
        if (!turns.getLast().role().equals(ChatMessage.USER)) {
            throw ApiException.badRequest("messages", "the last message must be from the user (the answer to it is what is generated)");
        }
        return turns;
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
        return Arrays.copyOf(out, n);
    }
}
