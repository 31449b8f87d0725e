package org.adatoken3d.kernels.backend;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

class BackendsTest {
    @Test
    void cpuIsAlwaysThereAndFirst() {
        assertEquals("cpu", Backends.providers().getFirst().name());
        assertEquals(1, Backends.providers().getFirst().devices().size());
        try (Backend b = Backends.open("cpu")) {
            assertInstanceOf(CpuBackend.class, b);
        }
        try (Backend b = Backends.open("cpu:0")) {
            assertInstanceOf(CpuBackend.class, b);
        }
    }

    @Test
    void badDeviceNamesAreExplained() {
        IllegalArgumentException unknown = assertThrows(IllegalArgumentException.class, () -> Backends.open("tpu"));
        assertTrue(unknown.getMessage().contains("unknown backend 'tpu'") && unknown.getMessage().contains("cpu"), unknown.getMessage());
        assertFalse(unknown.getMessage().contains("TORNADOVM_HOME"), unknown.getMessage());
        IllegalArgumentException index = assertThrows(IllegalArgumentException.class, () -> Backends.open("cpu:1"));
        assertTrue(index.getMessage().contains("devices 0..0"), index.getMessage());
        IllegalArgumentException number = assertThrows(IllegalArgumentException.class, () -> Backends.open("cpu:x"));
        assertTrue(number.getMessage().contains("must be a number"), number.getMessage());
    }

    /** The kernels module's own tests never have the optional TornadoVM module on their class path. */
    @Test
    void aBuildWithoutTornadoSaysHowToGetIt() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> Backends.open("tornado:0"));
        assertTrue(e.getMessage().contains("unknown backend 'tornado'") && e.getMessage().contains("set TORNADOVM_HOME and rebuild"), e.getMessage());
    }
}
