import java.nio.file.Path;
import org.adatoken3d.llava3d.Answer;
import org.adatoken3d.llava3d.EngineOptions;
import org.adatoken3d.llava3d.GenerationOptions;
import org.adatoken3d.llava3d.Llava3d;
import org.adatoken3d.llava3d.SceneOptions;
import org.adatoken3d.llava3d.spatial.SpatialTokens;

/** Asks a question about a room with AdaToken pruning: java AskAScene MODEL_DIR SCENE "QUESTION". */
public class AskAScene {
    public static void main(String[] args) {
        Path modelDir = Path.of(args[0]);
        Path scene = Path.of(args[1]);
        String question = args[2];
        try (Llava3d llava = Llava3d.open(modelDir, EngineOptions.defaults())) {
            // A ScanNet folder, an EmbodiedScan info JSON or precomputed spatial tokens.
            SpatialTokens room = llava.encode(scene, SceneOptions.defaults()).tokens();
            Answer answer = llava.ask(room, question, llava.policy("auto"), GenerationOptions.greedy(16), piece -> {
                System.out.print(piece);
                System.out.flush();
            });
            System.out.println();
            System.out.printf("kept %d of %d spatial tokens; prefill FLOPs %.1f%% of unpruned; stop: %s%n",
                    answer.keepSet().keptCount(), answer.keepSet().total(), 100 * answer.prefillFlopsShare(), answer.stop());
        }
    }
}
