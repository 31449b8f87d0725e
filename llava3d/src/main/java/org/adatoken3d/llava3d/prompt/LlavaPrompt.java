package org.adatoken3d.llava3d.prompt;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.adatoken3d.model.tokenizer.Tokenizer;

/**
 * LLaVA's {@code llava_v1} chat template, the one LLaVA-3D uses (DESIGN.md §3), and its tokenization around the
 * {@code <image>} placeholder where the spatial block goes.
 *
 * <p>{@link #encode} reproduces LLaVA's {@code tokenizer_image_token} ({@code llava/mm_utils.py}; LLaVA-3D's
 * {@code tokenizer_special_token} does the same for a prompt with one {@code <image>}): the prompt is split on
 * {@code <image>}, every chunk is tokenized on its own <em>with</em> BOS; if the first chunk starts with BOS, that BOS
 * is kept once and the first id of every chunk is dropped. For a SentencePiece tokenizer each chunk therefore also
 * gets its own dummy-prefix space, and in the second chunk, which starts with {@code "\n"}, that space survives as the
 * lone piece {@code ▁} (no piece joins {@code ▁} and a newline). With the LLaMA-2 tokenizer (Vicuna, LLaVA-3D):
 *
 * <pre>
 * beforeSpatial = 1 (BOS), 319 ▁A, 13563 ▁chat, 1546 ▁between, 263 ▁a, 12758 ▁curious, 5199 ▁human, 322 ▁and,
 *                 385 ▁an, 23116 ▁artificial, 21082 ▁intelligence, 20255 ▁assistant, 29889 ., 450 ▁The,
 *                 20255 ▁assistant, 4076 ▁gives, 8444 ▁helpful, 29892 ,, 13173 ▁detailed, 29892 ,, 322 ▁and,
 *                 1248 ▁pol, 568 ite, 6089 ▁answers, 304 ▁to, 278 ▁the, 5199 ▁human, 29915 ', 29879 s,
 *                 5155 ▁questions, 29889 ., 3148 ▁US, 1001 ER, 29901 :, 29871 ▁          (35 ids)
 * afterSpatial  = 29871 ▁, 13 &lt;0x0A&gt;, then the question as it reads after a newline, then
 *                 319 ▁A, 1799 SS, 9047 IST, 13566 ANT, 29901 :
 *                 e.g. "What is this?" gives 5618 What, 338 ▁is, 445 ▁this, 29973 ?
 * </pre>
 *
 * The trailing space of {@code "USER: "} is the 29871 that ends {@code beforeSpatial}; the second 29871 is the second
 * chunk's dummy prefix. (These ids are those of the SentencePiece library on each chunk, and are checked in the
 * tests.) A tokenizer without BOS (Qwen2) gets the chunks' ids as they are.
 *
 * <p>A click {@code [x, y, z]} in the question ({@link ClickQuestion}) is one more placeholder, as LLaVA-3D's
 * {@code tokenizer_special_token} treats its special tokens: the text after {@code <image>} is split at each click,
 * each chunk tokenized on its own by the same rule, and one click token stands between the chunks.
 */
public final class LlavaPrompt {
    public static final String SYSTEM = "A chat between a curious human and an artificial intelligence assistant. "
            + "The assistant gives helpful, detailed, and polite answers to the human's questions.";
    /** Where the spatial block goes in the rendered prompt. */
    public static final String IMAGE_PLACEHOLDER = "<image>";
    private static final String BEFORE_QUESTION = SYSTEM + " USER: " + IMAGE_PLACEHOLDER + "\n";
    private static final String ANSWER_CUE = " ASSISTANT:";

    private LlavaPrompt() {}

    /** The {@code llava_v1} prompt for one question about a scene, ending where the answer begins. */
    public static String render(String question) {
        return BEFORE_QUESTION + checked(question) + ANSWER_CUE;
    }

    /** The same template with no scene: the question alone in the user turn. */
    public static String renderTextOnly(String question) {
        return SYSTEM + " USER: " + checked(question) + " ASSISTANT:";
    }

    /**
     * The ids of {@link #render}{@code (question)} before and after {@code <image>}, as LLaVA tokenizes them, with a
     * placeholder for each click of the question.
     */
    public static PromptTokens encode(Tokenizer tokenizer, String question) {
        return encode(tokenizer, ClickQuestion.parse(question));
    }

    /** As {@link #encode(Tokenizer, String)} for a question already split at its clicks. */
    public static PromptTokens encode(Tokenizer tokenizer, ClickQuestion question) {
        checked(String.join("", question.texts()));
        int at = BEFORE_QUESTION.indexOf(IMAGE_PLACEHOLDER);
        int[] first = tokenizer.encode(BEFORE_QUESTION.substring(0, at), true);
        // tokenizer_image_token: when the first chunk starts with BOS, keep that BOS once and drop every chunk's
        // first id (its BOS), which leaves the first chunk whole; otherwise take the chunks as they are.
        int offset = first.length > 0 && tokenizer.bos() != Tokenizer.NONE && first[0] == tokenizer.bos() ? 1 : 0;
        List<String> chunks = new ArrayList<>(question.texts());
        chunks.set(0, BEFORE_QUESTION.substring(at + IMAGE_PLACEHOLDER.length()) + chunks.getFirst());
        chunks.set(chunks.size() - 1, chunks.getLast() + ANSWER_CUE);
        int[] after = new int[0];
        int[] clicks = new int[question.clicks().size()];
        for (int c = 0; c < chunks.size(); c++) {
            if (c > 0) {
                clicks[c - 1] = after.length;
                after = append(after, new int[] {PromptTokens.CLICK_PLACEHOLDER});
            }
            int[] ids = tokenizer.encode(chunks.get(c), true);
            after = append(after, Arrays.copyOfRange(ids, Math.min(offset, ids.length), ids.length));
        }
        return new PromptTokens(first, after, clicks);
    }

    private static int[] append(int[] a, int[] b) {
        int[] r = Arrays.copyOf(a, a.length + b.length);
        System.arraycopy(b, 0, r, a.length, b.length);
        return r;
    }

    /** The ids of {@link #renderTextOnly}{@code (question)}, with BOS. */
    public static int[] encodeTextOnly(Tokenizer tokenizer, String question) {
        return tokenizer.encode(renderTextOnly(question), true);
    }

    private static String checked(String question) {
        if (question.contains(IMAGE_PLACEHOLDER)) {
            throw new IllegalArgumentException("the question contains \"" + IMAGE_PLACEHOLDER
                    + "\"; the llava_v1 prompt has exactly one spatial block, which goes before the question");
        }
        return question;
    }
}
