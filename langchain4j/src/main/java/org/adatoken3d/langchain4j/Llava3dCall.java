package org.adatoken3d.langchain4j;

import dev.langchain4j.data.message.AiMessage;
import dev.langchain4j.exception.InvalidRequestException;
import dev.langchain4j.exception.ModelNotFoundException;
import dev.langchain4j.exception.UnsupportedFeatureException;
import dev.langchain4j.model.chat.request.ChatRequest;
import dev.langchain4j.model.chat.request.ChatRequestParameters;
import dev.langchain4j.model.chat.request.ResponseFormatType;
import dev.langchain4j.model.chat.response.ChatResponse;
import dev.langchain4j.model.output.FinishReason;
import dev.langchain4j.model.output.TokenUsage;
import java.util.HexFormat;
import java.util.List;
import java.util.concurrent.ThreadLocalRandom;
import org.adatoken3d.kernels.EngineArgumentException;
import org.adatoken3d.llava3d.Answer;
import org.adatoken3d.llava3d.GenerationOptions;
import org.adatoken3d.llava3d.Llava3d;
import org.adatoken3d.llava3d.spatial.SpatialTokens;
import org.adatoken3d.model.generation.Generation;
import org.adatoken3d.model.generation.Prompt;
import org.adatoken3d.model.generation.SamplingParams;
import org.adatoken3d.model.generation.TokenListener;
import org.adatoken3d.pruning.GatePolicy;
import org.adatoken3d.pruning.PruneSpec;

/**
 * One langchain4j request on the façade: its parameters checked and turned into a prompt, a gate and generation
 * options; the answer generated; the result as langchain4j's response. Requests on one {@link Llava3d} run one at a
 * time (the façade is not safe to ask from two threads at once), serialised on the façade object.
 */
final class Llava3dCall {
    private final Llava3dModelSettings settings;
    private final ChatRequest request;

    Llava3dCall(Llava3dModelSettings settings, ChatRequest request) {
        this.settings = settings;
        this.request = request;
    }

    /** Generates the answer, telling {@code listener} (may be null) each piece of text as it comes. */
    ChatResponse run(TokenListener listener) {
        Llava3d llava = settings.llava();
        ChatRequestParameters p = request.parameters();
        refuseUnsupported(p);
        if (p.modelName() != null && !p.modelName().equals(settings.modelName())) {
            throw new ModelNotFoundException("no model '" + p.modelName() + "'; this chat model is '" + settings.modelName() + "'");
        }
        SpatialTokens scene = p instanceof Llava3dChatRequestParameters l ? l.scene() : null;
        String given = p instanceof Llava3dChatRequestParameters l ? l.prune() : null;
        int maxTokens = p.maxOutputTokens() != null ? p.maxOutputTokens() : Llava3dModelBuilder.DEFAULT_MAX_OUTPUT_TOKENS;
        if (maxTokens < 1) throw new InvalidRequestException("maxOutputTokens must be >= 1, got " + maxTokens);
        try {
            synchronized (llava) {
                String spec = given != null ? given : scene != null && llava.hasProfile() ? "auto" : "none";
                GatePolicy gate = llava.policy(spec);
                if (scene == null && gate.gates()) {
                    throw new InvalidRequestException("prune '" + spec + "' needs a scene: a text-only chat has no spatial tokens to prune");
                }
                SamplingParams sampling = new SamplingParams(p.temperature() != null ? p.temperature() : 0, p.topK() != null ? p.topK() : 0,
                        p.topP() != null ? p.topP() : 1, 1, 0, List.of());
                Prompt prompt = Llava3dConversation.prompt(llava, request.messages(), scene);
                Answer answer = llava.ask(prompt, gate, new GenerationOptions(sampling, maxTokens), listener, null);
                return response(answer, PruneSpec.format(gate));
            }
        } catch (EngineArgumentException e) {
            throw new InvalidRequestException(e.getMessage(), e);
        }
    }

    /** What would change the answer and is not supported is refused rather than ignored. */
    private static void refuseUnsupported(ChatRequestParameters p) {
        if (p.toolSpecifications() != null && !p.toolSpecifications().isEmpty()) throw new UnsupportedFeatureException("tools are not supported");
        if (p.toolChoice() != null) throw new UnsupportedFeatureException("toolChoice is not supported");
        if (p.responseFormat() != null && p.responseFormat().type() != ResponseFormatType.TEXT) {
            throw new UnsupportedFeatureException("responseFormat " + p.responseFormat().type() + " is not supported (only TEXT)");
        }
        if (p.frequencyPenalty() != null && p.frequencyPenalty() != 0) throw new UnsupportedFeatureException("frequencyPenalty is not supported (only 0)");
        if (p.presencePenalty() != null && p.presencePenalty() != 0) throw new UnsupportedFeatureException("presencePenalty is not supported (only 0)");
        // The engine would end at a stop sequence but keep it in the text it already streamed.
        if (p.stopSequences() != null && !p.stopSequences().isEmpty()) throw new UnsupportedFeatureException("stopSequences are not supported");
    }

    private ChatResponse response(Answer answer, String policy) {
        byte[] random = new byte[12];
        ThreadLocalRandom.current().nextBytes(random);
        Llava3dChatResponseMetadata metadata = Llava3dChatResponseMetadata.builder()
                .id("chatcmpl-" + HexFormat.of().formatHex(random))
                .modelName(settings.modelName())
                .tokenUsage(new TokenUsage(answer.promptTokens(), answer.ids().length))
                .finishReason(finishReason(answer.stop()))
                .policy(policy)
                .answer(answer)
                .build();
        return ChatResponse.builder().aiMessage(AiMessage.from(answer.text())).metadata(metadata).build();
    }

    static FinishReason finishReason(Generation.StopReason stop) {
        return switch (stop) {
            case EOS, STOP_STRING -> FinishReason.STOP;
            case MAX_TOKENS, LENGTH -> FinishReason.LENGTH;
            case CANCELLED -> FinishReason.OTHER;
        };
    }
}
