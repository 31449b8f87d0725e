package org.adatoken3d.report;
import org.adatoken3d.pruning.Contribution;
import org.adatoken3d.pruning.KeepSet;
import org.adatoken3d.pruning.LayerStats;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import org.adatoken3d.pruning.GatePolicy.AdaptiveGate;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class RedundancyReportTest {

    /**
     * A synthetic room: tokens on the floor and walls of a 6 x 4 x 2.5 m box plus a chair-sized cluster; the
     * deeper the layer, the more the attention concentrates on the cluster.
     */
    static RedundancyReport.Input syntheticScene(int layers, int n, boolean withXyz) {
        SplittableRandom r = new SplittableRandom(11);
        float[] xyz = new float[3 * n];
        boolean[] chair = new boolean[n];
        for (int i = 0; i < n; i++) {
            double x, y, z;
            int kind = r.nextInt(10);
            if (kind == 0) {
                chair[i] = true;
                x = 4.2 + 0.3 * r.nextGaussian() * 0.5;
                y = 1.2 + 0.3 * r.nextGaussian() * 0.5;
                z = 0.45 + 0.4 * r.nextDouble();
            } else if (kind < 5) {
                x = 6 * r.nextDouble();
                y = 4 * r.nextDouble();
                z = 0;
            } else {
                boolean alongX = r.nextBoolean();
                x = alongX ? 6 * r.nextDouble() : (r.nextBoolean() ? 0 : 6);
                y = alongX ? (r.nextBoolean() ? 0 : 4) : 4 * r.nextDouble();
                z = 2.5 * r.nextDouble();
            }
            xyz[3 * i] = (float) x;
            xyz[3 * i + 1] = (float) y;
            xyz[3 * i + 2] = (float) z;
        }
        List<LayerStats> stats = new ArrayList<>();
        for (int l = 0; l < layers; l++) {
            double focus = Math.min(1, l / 3.0);
            float[] a = new float[n];
            for (int i = 0; i < n; i++) {
                double logit = (chair[i] ? 4 * focus : 0) + (1.5 + focus) * r.nextGaussian();
                a[i] = (float) Math.exp(logit);
            }
            double share = l < 2 ? 0.9 : 0.25 + 0.1 * Math.sin(l);
            double sum = 0;
            for (float v : a) sum += v;
            for (int i = 0; i < n; i++) a[i] = (float) (a[i] / sum * share);
            stats.add(LayerStats.of(l, Contribution.of(a)));
        }
        AdaptiveGate gate = new AdaptiveGate(2, 0.05);
        KeepSet keep = gate.keepSet(stats.get(1).contribution());
        return new RedundancyReport.Input("synthetic-room <7B>", "Where is the chair? <script>alert('x')</script> & more",
                gate, stats, keep, withXyz ? xyz : null);
    }

    @Test
    void writesASelfContainedPageAndATable(@TempDir Path dir) throws Exception {
        RedundancyReport.Input in = syntheticScene(12, 600, true);
        Path html = RedundancyReport.write(in, dir.resolve("report"));
        String page = Files.readString(html);
        assertTrue(page.startsWith("<!DOCTYPE html>"));
        assertEquals(4, page.split("<svg ", -1).length - 1, "four plots");
        assertTrue(page.contains("<canvas id=\"scene\""));
        assertFalse(page.contains("http:") || page.contains("https:") || page.contains("src=") || page.contains("<link"),
                "nothing loaded from anywhere");
        assertFalse(page.contains("<script>alert"), "question is escaped");
        assertTrue(page.contains("Where is the chair? &lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt; &amp; more"));
        assertTrue(page.contains("synthetic-room &lt;7B&gt;"));
        assertEquals(12, page.split("<tr><td>", -1).length - 1, "one table row per layer");
        assertTrue(page.contains("tau=0.05,layer=2"));
        assertEquals(page.split("<script>", -1).length, page.split("</script>", -1).length);

        List<String> csv = Files.readAllLines(dir.resolve("report/layers.csv"));
        assertEquals(13, csv.size());
        assertEquals("layer,spatial_share,redundancy_0.01,redundancy_0.05,redundancy_0.1,redundancy_0.2", csv.get(0));
        for (int l = 0; l < 12; l++) {
            String[] f = csv.get(l + 1).split(",");
            assertEquals(l, Integer.parseInt(f[0]));
            assertEquals(in.layers().get(l).spatialShare(), Double.parseDouble(f[1]), 1e-5);
            assertEquals(in.layers().get(l).redundancy(0.05), Double.parseDouble(f[3]), 1e-5);
        }
    }

    @Test
    void withoutCoordinatesThereIsNoScatterAndNoScript() {
        String page = RedundancyReport.html(syntheticScene(4, 100, false));
        assertFalse(page.contains("<canvas"));
        assertFalse(page.contains("<script"));
    }

    @Test
    void aSamplePageForLookingAt() throws Exception {
        // Written under target/ so a person (or headless Chromium) can open it after the test run.
        Path html = RedundancyReport.write(syntheticScene(32, 1410, true), Path.of("target", "report-sample"));
        assertTrue(Files.size(html) > 10_000);
    }

    @Test
    void inconsistentInputsAreRejected() {
        RedundancyReport.Input ok = syntheticScene(4, 50, true);
        assertThrows(IllegalArgumentException.class, () -> new RedundancyReport.Input("m", "q", ok.policy(), ok.layers(),
                KeepSet.all(49), null));
        assertThrows(IllegalArgumentException.class, () -> new RedundancyReport.Input("m", "q", ok.policy(), ok.layers(),
                ok.keepSet(), new float[10]));
        assertThrows(IllegalArgumentException.class, () -> new RedundancyReport.Input("m", "q", ok.policy(), List.of(),
                ok.keepSet(), null));
        assertThrows(IllegalArgumentException.class, () -> new RedundancyReport.Input("m", "q", ok.policy(),
                ok.layers().subList(1, 4), ok.keepSet(), null));
    }
}
