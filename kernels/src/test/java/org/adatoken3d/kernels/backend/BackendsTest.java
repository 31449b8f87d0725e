package org.adatoken3d.kernels.backend;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.adatoken3d.kernels.Rope;
import org.adatoken3d.kernels.RopeStyle;
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

    /** The CPU backend refuses a tensor of the wrong kind with the words every backend uses (DeviceArguments). */
    @Test
    void cpuRefusesATensorOfTheWrongKind() {
        try (Backend b = Backends.open("cpu")) {
            Tensor x = b.allocate(3, 8), positions = b.allocateInts(3);
            IllegalArgumentException ints = assertThrows(IllegalArgumentException.class, () -> b.add(positions, x, 1));
            assertEquals("expected an f32 tensor, got i32 3 x 1", ints.getMessage());
            IllegalArgumentException floats = assertThrows(IllegalArgumentException.class,
                    () -> b.rope(x, 1, 1, new Rope(8, 10000, RopeStyle.ROTATE_HALF), x));
            assertEquals("expected an i32 tensor, got f32 3 x 8", floats.getMessage());
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
