package org.adatoken3d.langchain4j;

import dev.langchain4j.model.ModelProvider;
import dev.langchain4j.model.chat.ChatModel;
import dev.langchain4j.model.chat.listener.ChatModelListener;
import dev.langchain4j.model.chat.request.ChatRequest;
import dev.langchain4j.model.chat.request.ChatRequestParameters;
import dev.langchain4j.model.chat.response.ChatResponse;
import java.util.List;

/**
 * langchain4j's {@link ChatModel} over the {@link org.adatoken3d.llava3d.Llava3d} façade. The scene and the prune
 * policy travel in {@link Llava3dChatRequestParameters}; the response's metadata is a
 * {@link Llava3dChatResponseMetadata} (token usage, finish reason, what the gate kept).
 *
 * <pre>{@code
 * ChatModel model = Llava3dChatModel.builder().llava(llava).build();
 * ChatResponse r = model.chat(ChatRequest.builder()
 *         .messages(UserMessage.from("Is the red cylinder bigger than the black ball?"))
 *         .parameters(Llava3dChatRequestParameters.builder().scene(room).prune("auto").maxOutputTokens(16).build())
 *         .build());
 * }</pre>
 *
 * Bad values (a prune spec, a temperature, a prompt past the context) raise langchain4j's
 * {@code InvalidRequestException}; tools, JSON response formats, penalties and stop sequences raise
 * {@code UnsupportedFeatureException}; another model name raises {@code ModelNotFoundException}.
 */
public final class Llava3dChatModel implements ChatModel {
    private final Llava3dModelSettings settings;

    private Llava3dChatModel(Llava3dModelSettings settings) {
        this.settings = settings;
    }

    public static Builder builder() {
        return new Builder();
    }

    @Override
    public ChatResponse doChat(ChatRequest request) {
        return new Llava3dCall(settings, request).run(null);
    }

    @Override
    public ChatRequestParameters defaultRequestParameters() {
        return settings.defaults();
    }

    @Override
    public List<ChatModelListener> listeners() {
        return settings.listeners();
    }

    @Override
    public ModelProvider provider() {
        return ModelProvider.OTHER;
    }

    public static final class Builder extends Llava3dModelBuilder<Builder> {
        public Llava3dChatModel build() {
            return new Llava3dChatModel(settings());
        }
    }
}
