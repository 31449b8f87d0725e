package org.adatoken3d.cli;

import java.io.PrintWriter;
import java.util.List;
import picocli.CommandLine;
import picocli.CommandLine.Command;

/** Entry point of {@code ./adatoken3d}. */
@Command(
        name = "adatoken3d",
        mixinStandardHelpOptions = true,
        version = "adatoken3d 0.1.0",
        description = "Pure-Java inference for 3D LMMs (LLaVA-3D) with AdaToken-3D spatial-token pruning.")
public final class Main implements Runnable {
    /** Every command, in the order --help lists them. */
    static final List<Class<?>> COMMANDS = List.of(CommandLine.HelpCommand.class, DemoCommand.class, InspectCommand.class,
            TokenizeCommand.class, GenerateCommand.class, ForwardCommand.class, AskCommand.class, EvalCommand.class, AnalyzeCommand.class,
            CalibrateCommand.class, SynthCommand.class, SynthSceneCommand.class, QuantizeCommand.class, TuneCommand.class, BenchCommand.class,
            ConformanceCommand.class, DevicesCommand.class, ServeCommand.class);

    @CommandLine.Spec CommandLine.Model.CommandSpec spec;

    @Override
    public void run() {
        spec.commandLine().usage(System.out);
    }

    /** The whole command line, every command registered. */
    public static CommandLine commandLine() {
        return commandLine(COMMANDS);
    }

    /**
     * The command line for {@code args}: when they start with a command's name, only that command is registered.
     * picocli builds each registered command's model by reflection: for all eighteen, about 0.12 s of a 0.7 s launch
     * of {@code tokenize}. Anything else (no command, an option, {@code help}, a misspelt name) gets them all, for the
     * listing and the suggestions.
     */
    static CommandLine commandLine(String[] args) {
        if (args.length > 0) {
            for (Class<?> c : COMMANDS) {
                if (c.getAnnotation(Command.class).name().equals(args[0]) && c != CommandLine.HelpCommand.class) return commandLine(List.of(c));
            }
        }
        return commandLine();
    }

    private static CommandLine commandLine(List<Class<?>> commands) {
        CommandLine cli = new CommandLine(new Main());
        // Before the settings below: picocli applies them only to the subcommands already added.
        for (Class<?> c : commands) cli.addSubcommand(c);
        cli.setUsageHelpAutoWidth(true);
        cli.setDefaultValueProvider(ModelOptions.DEFAULTS);
        cli.setParameterExceptionHandler(Main::badCommandLine);
        cli.setExecutionExceptionHandler(new UserErrors());
        return cli;
    }

    /**
     * A command line picocli cannot take, as one line: a value out of its option's range (see {@link Ranges}) says
     * the option and the range; anything else picocli's own words, and where the options are listed.
     */
    static int badCommandLine(CommandLine.ParameterException e, String[] args) {
        CommandLine cmd = e.getCommandLine();
        PrintWriter err = cmd.getErr();
        String message = e.getMessage();
        if (e.getCause() instanceof CommandLine.TypeConversionException t
                && e.getArgSpec() instanceof CommandLine.Model.OptionSpec option) {
            message = option.longestName() + " " + t.getMessage();
        } else {
            message += " (" + cmd.getCommandSpec().qualifiedName() + " --help lists the options)";
        }
        err.println(cmd.getColorScheme().errorText("error: " + message));
        err.flush();
        return 2;
    }

    public static void main(String[] args) {
        // A jar's manifest cannot add a JDK module, so `java -jar` alone starts without the Vector API: say how to
        // start it before the first kernel class fails to load.
        if (ModuleLayer.boot().findModule("jdk.incubator.vector").isEmpty()) {
            System.err.println("adatoken3d needs the JDK's Vector API module; start it as\n"
                    + "  java --add-modules jdk.incubator.vector -jar adatoken3d-all.jar ...\n"
                    + "(or use the ./adatoken3d launcher, which does)");
            System.exit(2);
        }
        System.exit(commandLine(args).execute(args));
    }
}
