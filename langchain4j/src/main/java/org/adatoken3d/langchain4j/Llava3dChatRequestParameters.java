package org.adatoken3d.langchain4j;

import dev.langchain4j.model.chat.request.ChatRequestParameters;
import dev.langchain4j.model.chat.request.DefaultChatRequestParameters;
import java.util.Objects;
import org.adatoken3d.llava3d.spatial.SpatialTokens;

/**
 * langchain4j's request parameters plus what a 3D question needs: the {@code scene} (spatial tokens, e.g. from
 * {@code Llava3d.encode}) placed before the first user message, and the {@code prune} policy as the command line
 * writes it ({@code none}, {@code tau=0.05}, {@code keep=0.3}, {@code auto}, ...). Both may be set on a model's
 * default parameters and overridden per request, as langchain4j merges parameters; a null leaves the default.
 */
public class Llava3dChatRequestParameters extends DefaultChatRequestParameters {
    private final SpatialTokens scene;
    private final String prune;

    protected Llava3dChatRequestParameters(Builder builder) {
        super(builder);
        this.scene = builder.scene;
        this.prune = builder.prune;
    }

    /** The scene asked about, or null for a text-only chat. */
    public SpatialTokens scene() {
        return scene;
    }

    /** The gate policy, or null: {@code auto} when there is a scene and the model has a profile, else {@code none}. */
    public String prune() {
        return prune;
    }

    @Override
    public Llava3dChatRequestParameters overrideWith(ChatRequestParameters that) {
        return builder().overrideWith(this).overrideWith(that).build();
    }

    @Override
    public Llava3dChatRequestParameters defaultedBy(ChatRequestParameters that) {
        return builder().overrideWith(that).overrideWith(this).build();
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof Llava3dChatRequestParameters p && super.equals(o) && scene == p.scene && Objects.equals(prune, p.prune);
    }

    @Override
    public int hashCode() {
        return Objects.hash(super.hashCode(), System.identityHashCode(scene), prune);
    }

    @Override
    public String toString() {
        return "Llava3dChatRequestParameters{scene=" + (scene == null ? "none" : scene.count() + " spatial tokens") + ", prune=" + prune
                + ", " + super.toString() + "}";
    }

    public static Builder builder() {
        return new Builder();
    }

    public static class Builder extends DefaultChatRequestParameters.Builder<Builder> {
        private SpatialTokens scene;
        private String prune;

        /** Takes every value {@code parameters} sets, keeping this builder's where it sets none. */
        @Override
        public Builder overrideWith(ChatRequestParameters parameters) {
            super.overrideWith(parameters);
            if (parameters instanceof Llava3dChatRequestParameters p) {
                if (p.scene != null) scene = p.scene;
                if (p.prune != null) prune = p.prune;
            }
            return this;
        }

        public Builder scene(SpatialTokens scene) {
            this.scene = scene;
            return this;
        }

        public Builder prune(String prune) {
            this.prune = prune;
            return this;
        }

        @Override
        public Llava3dChatRequestParameters build() {
            return new Llava3dChatRequestParameters(this);
        }
    }
}
