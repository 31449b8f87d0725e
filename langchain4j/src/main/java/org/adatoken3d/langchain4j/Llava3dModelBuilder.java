package org.adatoken3d.langchain4j;

import dev.langchain4j.model.chat.listener.ChatModelListener;
import dev.langchain4j.model.chat.request.ChatRequestParameters;
import java.nio.file.Path;
import java.util.List;
import org.adatoken3d.kernels.EngineArgumentException;
import org.adatoken3d.llava3d.Llava3d;

/** The options {@link Llava3dChatModel} and {@link Llava3dStreamingChatModel} share. */
public abstract class Llava3dModelBuilder<B extends Llava3dModelBuilder<B>> {
    /** Answer tokens when a request sets no {@code maxOutputTokens}; the server's default limit too. */
    public static final int DEFAULT_MAX_OUTPUT_TOKENS = 512;

    private Llava3d llava;
    private String modelName;
    private ChatRequestParameters defaults;
    private List<ChatModelListener> listeners = List.of();

    /** The opened model; the caller keeps owning it and closes it after the chat model's last use. */
    public B llava(Llava3d llava) {
        this.llava = llava;
        return self();
    }

    /** The name responses carry and requests may give; the model folder's name unless set. */
    public B modelName(String modelName) {
        this.modelName = modelName;
        return self();
    }

    /** Defaults every request is merged over (a {@link Llava3dChatRequestParameters} to give a scene or prune policy). */
    public B defaultRequestParameters(ChatRequestParameters defaults) {
        this.defaults = defaults;
        return self();
    }

    public B listeners(List<ChatModelListener> listeners) {
        this.listeners = List.copyOf(listeners);
        return self();
    }

    @SuppressWarnings("unchecked")
    private B self() {
        return (B) this;
    }

    Llava3dModelSettings settings() {
        if (llava == null) throw new EngineArgumentException("llava", "must be given: the Llava3d the chat model runs on");
        String fromDefaults = defaults == null ? null : defaults.modelName();
        if (modelName != null && fromDefaults != null && !modelName.equals(fromDefaults)) {
            throw new EngineArgumentException("modelName", "'" + modelName + "' differs from defaultRequestParameters.modelName '" + fromDefaults + "'");
        }
        Path dir = llava.model().directory();
        String name = modelName != null ? modelName : fromDefaults != null ? fromDefaults
                : dir != null && dir.getFileName() != null ? dir.getFileName().toString() : "llava3d";
        Llava3dChatRequestParameters.Builder merged = Llava3dChatRequestParameters.builder().modelName(name)
                .maxOutputTokens(DEFAULT_MAX_OUTPUT_TOKENS);
        if (defaults != null) merged.overrideWith(defaults);
        return new Llava3dModelSettings(llava, name, merged.build(), listeners);
    }
}
