package org.adatoken3d.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Model.OptionSpec;

/** What --help shows a newcomer: every option described, no option hidden, paragraphs that are whole sentences. */
class HelpTextTest {
    /** Every command of ./adatoken3d, with its subcommands, except picocli's own help command. */
    static List<CommandSpec> commands() {
        List<CommandSpec> all = new ArrayList<>();
        collect(Main.commandLine(), all);
        return all;
    }

    private static void collect(CommandLine cli, List<CommandSpec> into) {
        into.add(cli.getCommandSpec());
        for (CommandLine sub : cli.getSubcommands().values()) {
            if (!(sub.getCommand() instanceof CommandLine.HelpCommand) && !into.contains(sub.getCommandSpec())) collect(sub, into);
        }
    }

    @Test
    void everyOptionHasADescriptionAndNoneIsHidden() {
        List<String> bare = new ArrayList<>();
        for (CommandSpec c : commands()) {
            for (OptionSpec o : c.options()) {
                if (o.hidden() || o.description().length == 0 || String.join("", o.description()).isBlank()) {
                    bare.add(c.qualifiedName() + " " + o.longestName());
                }
            }
        }
        assertEquals(List.of(), bare, "options without a description, or hidden");
    }

    /**
     * picocli prints each element of a description as its own paragraph and wraps it to the terminal, so an element
     * that stops mid-sentence is a line broken in the middle on any terminal wider than the source.
     */
    @Test
    void descriptionParagraphsAreWholeSentences() {
        List<String> broken = new ArrayList<>();
        for (CommandSpec c : commands()) {
            for (String paragraph : c.usageMessage().description()) {
                String p = paragraph.strip();
                if (!p.isEmpty() && !(p.endsWith(".") || p.endsWith(":") || p.endsWith(".)"))) broken.add(c.qualifiedName() + ": " + p);
            }
        }
        assertEquals(List.of(), broken, "description paragraphs that end mid-sentence");
    }

    /**
     * A launch naming a command builds the command line with that command alone: its usage, options and defaults
     * must be those of the whole command line, and only the named command may be registered.
     */
    @Test
    void aCommandAloneReadsAsInTheWholeCommandLine() {
        CommandLine whole = Main.commandLine();
        for (CommandLine sub : whole.getSubcommands().values()) {
            String name = sub.getCommandName();
            if (name.equals("help")) continue;
            CommandLine alone = Main.commandLine(new String[] {name, "--help"});
            assertEquals(List.of(name), List.copyOf(alone.getSubcommands().keySet()), name);
            String usage = alone.getSubcommands().get(name).getUsageMessage();
            assertEquals(sub.getUsageMessage(), usage, name);
            // The computed default reaches the command in both: picocli hands settings only to commands already added.
            if (usage.contains("--kv-budget")) {
                String kv = String.format(Locale.ROOT, "%.2f GiB here", ModelOptions.defaultKvBudgetGiB());
                assertTrue(usage.replaceAll("\\s+", " ").contains(kv), name + " --help lacks \"" + kv + "\"");
            }
        }
        assertEquals(whole.getSubcommands().keySet(), Main.commandLine(new String[] {"help", "forward"}).getSubcommands().keySet());
        assertEquals(whole.getSubcommands().keySet(), Main.commandLine(new String[] {"forwrd"}).getSubcommands().keySet());
    }
}
