package org.adatoken3d.langchain4j;

import dev.langchain4j.model.chat.response.ChatResponseMetadata;
import java.util.Objects;
import org.adatoken3d.llava3d.Answer;

/**
 * langchain4j's response metadata plus what AdaToken did: the gate policy as {@code PruneSpec.format} writes it, and
 * the façade's whole {@link Answer} (spatial tokens kept, FLOPs with and without pruning, KV-cache bytes, timings).
 */
public class Llava3dChatResponseMetadata extends ChatResponseMetadata {
    private final String policy;
    private final Answer answer;

    protected Llava3dChatResponseMetadata(Builder builder) {
        super(builder);
        this.policy = builder.policy;
        this.answer = builder.answer;
    }

    public String policy() {
        return policy;
    }

    public Answer answer() {
        return answer;
    }

    /** Spatial tokens the gate kept (every one when it did not prune; 0 for a text-only chat). */
    public int keptTokens() {
        return answer.keepSet().keptCount();
    }

    /** Spatial tokens in the scene (0 for a text-only chat). */
    public int spatialTokens() {
        return answer.keepSet().total();
    }

    @Override
    public Builder toBuilder() {
        return ((Builder) super.toBuilder(builder())).policy(policy).answer(answer);
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof Llava3dChatResponseMetadata m && super.equals(o) && Objects.equals(policy, m.policy) && answer == m.answer;
    }

    @Override
    public int hashCode() {
        return Objects.hash(super.hashCode(), policy, System.identityHashCode(answer));
    }

    @Override
    public String toString() {
        return "Llava3dChatResponseMetadata{policy=" + policy + ", kept=" + keptTokens() + " of " + spatialTokens() + ", " + super.toString() + "}";
    }

    public static Builder builder() {
        return new Builder();
    }

    public static class Builder extends ChatResponseMetadata.Builder<Builder> {
        private String policy;
        private Answer answer;

        public Builder policy(String policy) {
            this.policy = policy;
            return this;
        }

        public Builder answer(Answer answer) {
            this.answer = answer;
            return this;
        }

        @Override
        public Llava3dChatResponseMetadata build() {
            return new Llava3dChatResponseMetadata(this);
        }
    }
}
