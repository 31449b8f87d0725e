package org.adatoken3d.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class DevicesCommandTest {
    @Test
    void listsTheCpuFirst() {
        CliRun r = CliRun.of("devices");
        assertEquals(0, r.exit(), r.stderr());
        assertTrue(r.out().lines().findFirst().orElse("").startsWith("cpu "), r.out());
        assertTrue(r.out().contains("tornado    (none: not in this build; install a TornadoVM SDK"), r.out());
    }

    @Test
    void anUnknownDeviceIsAClearError(@TempDir Path folder) {
        // A folder that exists: one that does not is refused before the device is looked at.
        CliRun r = CliRun.of("generate", "--model", folder.toString(), "--prompt", "x", "--device", "tpu");
        assertTrue(r.exit() != 0, "exit code");
        assertTrue(r.stderr().contains("unknown backend 'tpu'"), r.stderr());
    }
}
