package org.adatoken3d.langchain4j;

import dev.langchain4j.model.ModelProvider;
import dev.langchain4j.model.chat.StreamingChatModel;
import dev.langchain4j.model.chat.listener.ChatModelListener;
import dev.langchain4j.model.chat.request.ChatRequest;
import dev.langchain4j.model.chat.request.ChatRequestParameters;
import dev.langchain4j.model.chat.response.ChatResponse;
import dev.langchain4j.model.chat.response.PartialResponse;
import dev.langchain4j.model.chat.response.PartialResponseContext;
import dev.langchain4j.model.chat.response.StreamingChatResponseHandler;
import dev.langchain4j.model.chat.response.StreamingHandle;
import java.util.List;
import org.adatoken3d.model.generation.TokenListener;

/**
 * langchain4j's {@link StreamingChatModel} over the {@link org.adatoken3d.llava3d.Llava3d} façade, with the same
 * parameters, response and errors as {@link Llava3dChatModel}. Each piece of text goes to
 * {@code onPartialResponse} as soon as the detokenizer completes it (the pieces joined are the final text); then
 * {@code onCompleteResponse}, or {@code onError} with the exception {@link Llava3dChatModel} would raise. The model
 * runs on the calling thread, which returns once the handler has heard the end. The handle in the partial
 * response's context cancels generation before the next token; a cancelled chat gets no further callback.
 */
public final class Llava3dStreamingChatModel implements StreamingChatModel {
    private final Llava3dModelSettings settings;

    private Llava3dStreamingChatModel(Llava3dModelSettings settings) {
        this.settings = settings;
    }

    public static Builder builder() {
        return new Builder();
    }

    @Override
    public void doChat(ChatRequest request, StreamingChatResponseHandler handler) {
        Handle handle = new Handle();
        PartialResponseContext context = new PartialResponseContext(handle);
        ChatResponse response;
        try {
            response = new Llava3dCall(settings, request).run(new TokenListener() {
                @Override
                public void text(String piece) {
                    if (!handle.cancelled) handler.onPartialResponse(new PartialResponse(piece), context);
                }

                @Override
                public boolean cancelled() {
                    return handle.cancelled;
                }
            });
        } catch (RuntimeException e) {
            if (!handle.cancelled) handler.onError(e);
            return;
        }
        if (!handle.cancelled) handler.onCompleteResponse(response);
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

    private static final class Handle implements StreamingHandle {
        volatile boolean cancelled;

        @Override
        public void cancel() {
            cancelled = true;
        }

        @Override
        public boolean isCancelled() {
            return cancelled;
        }
    }

    public static final class Builder extends Llava3dModelBuilder<Builder> {
        public Llava3dStreamingChatModel build() {
            return new Llava3dStreamingChatModel(settings());
        }
    }
}
