package org.adatoken3d.bench;

import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class OpenBlasSessionTest {
    private static final Path SCRIPT = Path.of("src/main/python/openblas_bench.py");

    @Test
    void answersEachSgemmWithTheSecondsOfOneCall() {
        try (OpenBlasSession peer = new OpenBlasPeer(SCRIPT).session(1)) {
            assertTrue(peer.info().path("openblas").has("corename"), peer.info().toString());
            for (int i = 0; i < 2; i++) {
                double s = peer.sgemm(48, 64, 96);
                assertTrue(s > 0 && s < 5, "seconds " + s);
            }
            double other = peer.sgemm(16, 32, 8);
            assertTrue(other > 0 && other < 5, "seconds " + other);
        }
    }

    @Test
    void aPeerThatPrintsSomethingElseOrExitsIsOneClearError(@TempDir Path dir) throws Exception {
        Path garbage = dir.resolve("garbage.py");
        Files.writeString(garbage, "print('hello')\n");
        var e = assertThrows(PeerException.class, () -> new OpenBlasPeer(garbage).session(1).close());
        assertTrue(e.getMessage().contains("printed hello"), e.getMessage());

        Path quits = dir.resolve("quits.py");
        Files.writeString(quits, "import json\nprint(json.dumps({'openblas': {}}), flush=True)\n");
        try (OpenBlasSession peer = new OpenBlasPeer(quits).session(1)) {
            var gone = assertThrows(PeerException.class, () -> peer.sgemm(8, 8, 8));
            assertTrue(gone.getMessage().contains("exited (exit 0) before its answer to sgemm 8 x 8 x 8"), gone.getMessage());
        }

        var missing = assertThrows(PeerException.class, () -> new OpenBlasPeer(dir.resolve("none.py")).session(1));
        assertTrue(missing.getMessage().contains("script not found"), missing.getMessage());
    }
}
