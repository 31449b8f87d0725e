package org.adatoken3d.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import org.junit.jupiter.api.Test;

/** Issue 17's kernel targets, judged from a report's figures: each bound applied to the right figure, met or not. */
class KernelReportTest {
    private static final ObjectMapper JSON = new ObjectMapper();

    private static ObjectNode doc(double f32VsOpenBlas, double bf16Read, double q8Read, double attentionGflops) throws Exception {
        return (ObjectNode) JSON.readTree("""
                {"gemm": [{"format": "F32", "n": 4096, "k": 4096, "gflops": 200, "ratio_to_openblas": %s},
                          {"format": "F32", "n": 11008, "k": 4096, "gflops": 210, "ratio_to_openblas": 0.99},
                          {"format": "BF16", "n": 4096, "k": 4096, "gflops": 190}],
                 "gemv": [{"format": "F32", "ratio_to_read_bandwidth": 0.2},
                          {"format": "BF16", "ratio_to_read_bandwidth": %s},
                          {"format": "BF16", "ratio_to_read_bandwidth": 0.95},
                          {"format": "Q8_0", "ratio_to_read_bandwidth": %s},
                          {"format": "Q4_0", "ratio_to_read_bandwidth": 0.1}],
                 "attention": [{"gflops": %s, "probe_overhead_percent": 2.0}]}
                """.formatted(f32VsOpenBlas, bf16Read, q8Read, attentionGflops));
    }

    @Test
    void eachTargetTakesTheWorstShapeOfItsFormatAndSaysWhetherItIsMet() throws Exception {
        JsonNode t = KernelReport.targets(doc(0.96, 0.86, 0.84, 119));
        assertEquals(0.96, t.path("issue 17: GEMM F32 / OpenBLAS sgemm, worst shape").path("value").asDouble(), 1e-12);
        assertEquals(true, t.path("issue 17: GEMM F32 / OpenBLAS sgemm, worst shape").path("met").asBoolean());
        assertEquals(true, t.path("issue 17: GEMV BF16 / read bandwidth, worst shape").path("met").asBoolean());
        assertEquals(0.84, t.path("issue 17: GEMV Q8_0 / read bandwidth, worst shape").path("value").asDouble(), 1e-12);
        assertEquals(false, t.path("issue 17: GEMV Q8_0 / read bandwidth, worst shape").path("met").asBoolean());
        // 119 / 200 = 0.595: just short of 0.6 of the F32 GEMM at 4096 x 4096.
        assertEquals(0.595, t.path("issue 17: attention GFLOP/s / GEMM F32 4096 GFLOP/s").path("value").asDouble(), 1e-12);
        assertEquals(false, t.path("issue 17: attention GFLOP/s / GEMM F32 4096 GFLOP/s").path("met").asBoolean());
        assertEquals(true, t.path("issue 3: contribution probe overhead, % of attention").path("met").asBoolean());

        JsonNode worse = KernelReport.targets(doc(0.94, 0.84, 0.9, 121));
        assertEquals(false, worse.path("issue 17: GEMM F32 / OpenBLAS sgemm, worst shape").path("met").asBoolean());
        assertEquals(0.84, worse.path("issue 17: GEMV BF16 / read bandwidth, worst shape").path("value").asDouble(), 1e-12);
        assertEquals(true, worse.path("issue 17: GEMV Q8_0 / read bandwidth, worst shape").path("met").asBoolean());
        assertEquals(true, worse.path("issue 17: attention GFLOP/s / GEMM F32 4096 GFLOP/s").path("met").asBoolean());
    }

    @Test
    void withoutOpenBlasThereIsNoGemmTargetRatherThanAMadeUpOne() throws Exception {
        ObjectNode d = doc(0.96, 0.9, 0.9, 150);
        for (JsonNode g : d.path("gemm")) ((ObjectNode) g).remove("ratio_to_openblas");
        assertEquals(false, KernelReport.targets(d).has("issue 17: GEMM F32 / OpenBLAS sgemm, worst shape"));
    }
}
