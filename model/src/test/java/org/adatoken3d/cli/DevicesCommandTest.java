package org.adatoken3d.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

class DevicesCommandTest {
    @Test
    void listsTheCpuFirst() {
        TokenizeCommandTest.Run r = TokenizeCommandTest.run("devices");
        assertEquals(0, r.exitCode(), r.err());
        assertTrue(r.out().lines().findFirst().orElse("").startsWith("cpu "), r.out());
    }

    @Test
    void anUnknownDeviceIsAClearError() {
        TokenizeCommandTest.Run r = TokenizeCommandTest.run("generate", "--model", "no-such-folder", "--prompt", "x", "--device", "tpu");
        assertTrue(r.exitCode() != 0, "exit code");
        assertTrue(r.err().contains("unknown backend 'tpu'"), r.err());
    }
}
