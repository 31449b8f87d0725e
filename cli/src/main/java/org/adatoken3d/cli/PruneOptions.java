package org.adatoken3d.cli;

import java.nio.file.Path;
import org.adatoken3d.llava3d.Llava3d;
import org.adatoken3d.pruning.GatePolicy;
import org.adatoken3d.pruning.PruneSpec;

/**
 * The {@code --prune} and {@code --profile} of ask, analyze and eval, read one way: with no {@code --prune}, a model
 * folder that holds a calibrated profile (or a {@code --profile} given) prunes by it ({@code auto}), any other by
 * {@value #UNCALIBRATED}; a {@code --profile} with a policy that does not read one is refused rather than ignored.
 */
final class PruneOptions {
    /** The policy of a model with no calibrated profile. */
    static final String UNCALIBRATED = "tau=0.05";
    /** What --help says about the default. */
    static final String DEFAULT_TEXT = "auto when the model folder has a calibrated " + PruneSpec.PROFILE_FILE_NAME + " or --profile is given, else "
            + UNCALIBRATED;

    private PruneOptions() {}

    /** The spec these options ask for on {@code llava}'s model. */
    static String spec(Llava3d llava, String prune, Path profile) {
        if (profile != null) {
            Outputs.existingFile("--profile", profile);
            if (prune != null && !PruneSpec.parse(prune).isAuto()) {
                throw new UserException("--profile is read only by --prune auto, but --prune is " + prune + "; drop one of them");
            }
        }
        return prune != null ? prune : profile != null || llava.hasProfile() ? "auto" : UNCALIBRATED;
    }

    /** The policy, saying on stderr which one a missing --prune chose. */
    static GatePolicy policy(Llava3d llava, String prune, Path profile) {
        String spec = spec(llava, prune, profile);
        GatePolicy gate = llava.policy(spec, profile);
        if (prune == null) {
            Progress.say("prune: %s (%s)", PruneSpec.format(gate), spec.equals("auto")
                    ? "the calibrated profile " + (profile != null ? profile : llava.model().directory().resolve(PruneSpec.PROFILE_FILE_NAME))
                    : "no calibrated profile in " + llava.model().directory() + "; --prune chooses another policy");
        }
        return gate;
    }
}
