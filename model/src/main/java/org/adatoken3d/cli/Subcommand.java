package org.adatoken3d.cli;

/**
 * A picocli command registered through {@code META-INF/services/org.adatoken3d.cli.Subcommand}. Lets
 * modules that depend on {@code model} (conformance, accelerator backends) add commands to the one CLI.
 */
public interface Subcommand {}
