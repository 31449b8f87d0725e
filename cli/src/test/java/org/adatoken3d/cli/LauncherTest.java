package org.adatoken3d.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.jar.JarEntry;
import java.util.jar.JarOutputStream;
import javax.tools.ToolProvider;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code ./adatoken3d} started three times within two seconds after a source change: each launch must run a complete
 * build.
 * The launcher runs in a copy of the project's layout whose {@code mvn} is a stand-in that rebuilds as Maven does
 * (other modules first, then it clears {@code cli/target} and writes classes, then the dependency jars, taking a
 * moment for each), and whose {@code Main} loads a class from a dependency jar a second after it starts: a launch that
 * runs a build another launch is rewriting fails with ClassNotFoundException or NoClassDefFoundError.
 */
class LauncherTest {
    /** The launcher under test; {@code -Dadatoken3d.launcher=FILE} tries another (an older one, to see it fail). */
    static final Path LAUNCHER = Path.of(System.getProperty("adatoken3d.launcher",
            Path.of(System.getProperty("user.dir")).resolveSibling("adatoken3d").toString()));
    static final Path JDK_SCRIPT = Path.of(System.getProperty("user.dir")).resolveSibling("scripts").resolve("jdk25.sh");

    @TempDir Path tmp;

    @Test
    void threeLaunchesAfterASourceChangeAllRunACompleteBuild() throws Exception {
        Path root = tmp.resolve("project");
        Path built = tmp.resolve("built");
        fakeProject(root, built);
        for (int round = 0; round < 2; round++) {
            Path source = root.resolve("cli/src/main/java/Changed.java");
            Files.setLastModifiedTime(source, FileTime.from(Instant.now()));
            List<Process> launches = new ArrayList<>();
            for (int i = 0; i < 3; i++) {
                launches.add(new ProcessBuilder("bash", root.resolve("adatoken3d").toString(), "hello")
                        .redirectOutput(tmp.resolve("out-" + round + "-" + i).toFile())
                        .redirectError(tmp.resolve("err-" + round + "-" + i).toFile()).start());
                Thread.sleep(1000);
            }
            for (int i = 0; i < 3; i++) {
                Process p = launches.get(i);
                assertTrue(p.waitFor(120, TimeUnit.SECONDS), "launch " + i + " did not end");
                String err = Files.readString(tmp.resolve("err-" + round + "-" + i));
                String out = Files.readString(tmp.resolve("out-" + round + "-" + i));
                assertEquals(0, p.exitValue(), "round " + round + ", launch " + i + ": " + err);
                assertEquals("ran hello with the dependency\n", out, err);
                assertTrue(!err.contains("Exception") && !err.contains("Error"), err);
            }
        }
    }

    /** The launcher and its JDK finder in a project whose only source is one file and whose Maven is a stand-in. */
    private void fakeProject(Path root, Path built) throws IOException {
        Files.createDirectories(root.resolve("scripts"));
        Files.copy(LAUNCHER, root.resolve("adatoken3d"));
        Files.copy(JDK_SCRIPT, root.resolve("scripts/jdk25.sh"));
        Files.writeString(root.resolve("pom.xml"), "<project/>\n");
        Files.createDirectories(root.resolve("cli/src/main/java"));
        Files.writeString(root.resolve("cli/src/main/java/Changed.java"), "class Changed {}\n");

        // Main in classes/, Dependency in a jar in lib/, as the real build lays them out.
        Path src = tmp.resolve("src/org/adatoken3d/cli");
        Files.createDirectories(src);
        Files.writeString(src.resolve("Main.java"), """
                package org.adatoken3d.cli;
                public class Main {
                    public static void main(String[] args) throws Exception {
                        Thread.sleep(1000);
                        System.out.println("ran " + args[0] + " with " + Dependency.NAME);
                    }
                }
                """);
        Files.writeString(src.resolve("Dependency.java"), """
                package org.adatoken3d.cli;
                public class Dependency { static String NAME = new String("the dependency"); }
                """);
        Path classes = built.resolve("classes");
        Files.createDirectories(classes);
        int rc = ToolProvider.getSystemJavaCompiler().run(null, null, null, "-d", classes.toString(),
                src.resolve("Main.java").toString(), src.resolve("Dependency.java").toString());
        assertEquals(0, rc, "compiling the stand-in application");
        Path depClass = classes.resolve("org/adatoken3d/cli/Dependency.class");
        try (OutputStream file = Files.newOutputStream(built.resolve("dependency.jar")); JarOutputStream jar = new JarOutputStream(file)) {
            jar.putNextEntry(new JarEntry("org/adatoken3d/cli/Dependency.class"));
            jar.write(Files.readAllBytes(depClass));
            jar.closeEntry();
        }
        Files.delete(depClass);

        Path bin = root.resolve("bin");
        Files.createDirectories(bin);
        Path mvn = bin.resolve("mvn");
        Files.writeString(mvn, """
                #!/usr/bin/env bash
                # Stands in for "mvn package": builds the other modules first, then rewrites the CLI's classes and
                # dependency jars a piece at a time, as the compiler and copy-dependencies do.
                sleep 2.4
                rm -rf cli/target
                mkdir -p cli/target/classes
                sleep 1
                cp -R %1$s/classes/. cli/target/classes/
                sleep 1
                mkdir -p cli/target/lib
                cp %1$s/dependency.jar cli/target/lib/
                """.formatted(built.toAbsolutePath()), StandardCharsets.UTF_8);
        Files.setPosixFilePermissions(mvn, PosixFilePermissions.fromString("rwxr-xr-x"));
        // The launcher finds mvn on PATH and the JDK through JAVA_HOME.
        Path launcher = root.resolve("adatoken3d");
        String text = Files.readString(launcher);
        Files.writeString(launcher, text.replace("\nset -euo pipefail\n",
                "\nset -euo pipefail\nexport PATH=\"" + bin.toAbsolutePath() + ":$PATH\" JAVA_HOME=\"" + System.getProperty("java.home") + "\"\n"));
    }
}
