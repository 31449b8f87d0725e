package org.adatoken3d.kernels;

/**
 * A caller gave the engine a value it cannot use: the engine's own argument error, naming the parameter in the
 * engine's words ({@code temperature}, {@code device}), so a front end can say it in its own (a command-line
 * option, a JSON field). Every other {@link IllegalArgumentException} out of the engine is a bug.
 */
public class EngineArgumentException extends IllegalArgumentException {
    private final String parameter;
    private final String problem;

    /** @param problem what is wrong with it, phrased to follow the parameter's name ("must be >= 0, got -1") */
    public EngineArgumentException(String parameter, String problem) {
        super(parameter + " " + problem);
        this.parameter = parameter;
        this.problem = problem;
    }

    public String parameter() {
        return parameter;
    }

    public String problem() {
        return problem;
    }
}
