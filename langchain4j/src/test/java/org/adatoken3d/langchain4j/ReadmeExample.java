package org.adatoken3d.langchain4j;

import dev.langchain4j.data.message.UserMessage;
import dev.langchain4j.model.chat.ChatModel;
import dev.langchain4j.model.chat.StreamingChatModel;
import dev.langchain4j.model.chat.request.ChatRequest;
import dev.langchain4j.model.chat.response.ChatResponse;
import dev.langchain4j.model.chat.response.StreamingChatResponseHandler;
import java.io.PrintStream;
import java.nio.file.Path;
import org.adatoken3d.llava3d.EngineOptions;
import org.adatoken3d.llava3d.Llava3d;
import org.adatoken3d.llava3d.SceneOptions;
import org.adatoken3d.llava3d.spatial.SpatialTokens;

/** The README's langchain4j example: the lines between the markers are printed there as they are here. */
final class ReadmeExample {
    private ReadmeExample() {}

    static void ask(Path modelDir, Path roomFile, PrintStream out) {
        // README:begin
        try (Llava3d llava = Llava3d.open(modelDir, EngineOptions.defaults())) {
            SpatialTokens room = llava.encode(roomFile, SceneOptions.defaults()).tokens();
            ChatRequest request = ChatRequest.builder()
                    .messages(UserMessage.from("Is the red cylinder bigger than the black ball?"))
                    .parameters(Llava3dChatRequestParameters.builder().scene(room).prune("auto").maxOutputTokens(16).build())
                    .build();

            ChatModel model = Llava3dChatModel.builder().llava(llava).build();
            ChatResponse r = model.chat(request);
            Llava3dChatResponseMetadata m = (Llava3dChatResponseMetadata) r.metadata();
            out.printf("%s: kept %d of %d spatial tokens (%s), %d prompt tokens, %s%n", r.aiMessage().text().strip(), m.keptTokens(),
                    m.spatialTokens(), m.policy(), r.tokenUsage().inputTokenCount(), r.finishReason());

            StreamingChatModel streaming = Llava3dStreamingChatModel.builder().llava(llava).build();
            streaming.chat(request, new StreamingChatResponseHandler() {
                @Override
                public void onPartialResponse(String piece) {
                    out.print(piece);
                }

                @Override
                public void onCompleteResponse(ChatResponse response) {
                    out.println(" [" + response.finishReason() + "]");
                }

                @Override
                public void onError(Throwable error) {
                    out.println("error: " + error.getMessage());
                }
            });
        }
        // README:end
    }
}
