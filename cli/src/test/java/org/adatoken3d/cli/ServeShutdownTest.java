package org.adatoken3d.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.adatoken3d.llava3d.synthetic.SynthPreset;
import org.adatoken3d.llava3d.synthetic.SyntheticCheckpoint;
import org.adatoken3d.weights.DType;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code serve} in its own JVM, stopped as a service manager stops it: SIGTERM must end it cleanly with exit code 0. */
class ServeShutdownTest {
    private static final Pattern LISTENING = Pattern.compile("on http://127\\.0\\.0\\.1:(\\d+)/");

    @TempDir Path tmp;

    @Test
    void sigtermStopsTheServerCleanlyWithExitCodeZero() throws Exception {
        Path log = tmp.resolve("serve.log");
        Process server = startServe(List.of(), log);
        try {
            server.destroy(); // SIGTERM
            assertTrue(server.waitFor(60, TimeUnit.SECONDS), () -> "serve did not stop within 60 s of SIGTERM:\n" + read(log));
            String printed = read(log);
            assertEquals(0, server.exitValue(), printed);
            assertTrue(printed.contains("serve: shutting down") && printed.contains("serve: stopped"), printed);
            assertTrue(!printed.contains("Exception"), printed);
        } finally {
            server.destroyForcibly();
        }
    }

    /** With -Xrs the JVM keeps its signals to itself; serve must still run, and a signal ends it as the JVM decides. */
    @Test
    void servesUnderAJvmThatKeepsItsSignals() throws Exception {
        Path log = tmp.resolve("serve-xrs.log");
        Process server = startServe(List.of("-Xrs"), log);
        try {
            assertTrue(!read(log).contains("Exception"), () -> read(log));
        } finally {
            server.destroyForcibly();
        }
    }

    /** serve on a tiny model in its own JVM, once it answers {@code /health}. */
    private Process startServe(List<String> jvmOptions, Path log) throws Exception {
        Path model = tmp.resolve("model");
        if (!Files.exists(model)) new SyntheticCheckpoint(SynthPreset.TINY, 2, DType.F32, 1).write(model, b -> {});
        List<String> command = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "--add-modules", "jdk.incubator.vector", "--enable-native-access=ALL-UNNAMED"));
        command.addAll(jvmOptions);
        command.addAll(List.of("-cp", System.getProperty("java.class.path"), Main.class.getName(),
                "serve", "--model", model.toString(), "--port", "0", "--drain", "2"));
        // To a file, not a pipe: Process.destroy() closes the pipes, and what serve prints after SIGTERM is the point.
        Process server = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(log.toFile()).start();
        int listening = -1;
        for (long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(60); listening < 0 && server.isAlive() && System.nanoTime() < end; ) {
            Matcher m = LISTENING.matcher(Files.readString(log));
            if (m.find()) listening = Integer.parseInt(m.group(1));
            else Thread.sleep(50);
        }
        int port = listening;
        assertTrue(port > 0, () -> "serve never said where it listens:\n" + read(log));
        HttpResponse<String> health = HttpClient.newHttpClient().send(
                HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/health")).build(), HttpResponse.BodyHandlers.ofString());
        assertEquals(200, health.statusCode(), health.body());
        assertTrue(server.isAlive(), () -> "serve ended after answering /health:\n" + read(log));
        return server;
    }

    private static String read(Path log) {
        try {
            return Files.readString(log);
        } catch (IOException e) {
            return "(cannot read " + log + ": " + e.getMessage() + ")";
        }
    }
}
