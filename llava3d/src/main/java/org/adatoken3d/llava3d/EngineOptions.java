package org.adatoken3d.llava3d;

import java.nio.file.Path;
import org.adatoken3d.kernels.RopeStyle;
import org.adatoken3d.kernels.EngineArgumentException;
import org.adatoken3d.model.decoder.DecoderWeights;

/**
 * How {@link Llava3d#open} runs a model.
 *
 * @param device where the decoder layers run: {@code cpu}, or a backend's name such as {@code opencl:0}
 * @param threads worker threads of the CPU kernels; 0 keeps the current setting (all cores unless changed)
 * @param storage how the layer matrices are held: as stored in the checkpoint, or quantised to Q8_0 or Q4_0 at load (a
 *     checkpoint that stores Q4_0 matrices has them mapped as they are)
 * @param ropeStyle the RoPE convention (Hugging Face checkpoints use rotate-half)
 * @param visionTower a CLIP vision tower folder when the checkpoint does not carry one, or null
 * @param kvBudgetBytes most memory one request's KV cache may take
 */
public record EngineOptions(String device, int threads, DecoderWeights.Storage storage, RopeStyle ropeStyle, Path visionTower,
        long kvBudgetBytes) {
    public static final long DEFAULT_KV_BUDGET_BYTES = 8L << 30;

    public EngineOptions {
        if (device == null || device.isBlank()) throw new EngineArgumentException("device", "must name a device, e.g. cpu");
        if (threads < 0) throw new EngineArgumentException("threads", "must be >= 1 (or 0 for the default), got " + threads);
        if (storage == null) throw new EngineArgumentException("storage", "must be given");
        if (ropeStyle == null) throw new EngineArgumentException("ropeStyle", "must be given");
        if (kvBudgetBytes <= 0) throw new EngineArgumentException("kvBudgetBytes", "must be > 0, got " + kvBudgetBytes);
    }

    /** CPU, all cores, weights as stored, Hugging Face RoPE, the checkpoint's own vision tower, an 8 GiB KV budget. */
    public static EngineOptions defaults() {
        return new EngineOptions("cpu", 0, DecoderWeights.Storage.AS_STORED, RopeStyle.ROTATE_HALF, null, DEFAULT_KV_BUDGET_BYTES);
    }

    public EngineOptions withDevice(String d) {
        return new EngineOptions(d, threads, storage, ropeStyle, visionTower, kvBudgetBytes);
    }

    public EngineOptions withThreads(int t) {
        return new EngineOptions(device, t, storage, ropeStyle, visionTower, kvBudgetBytes);
    }

    public EngineOptions withStorage(DecoderWeights.Storage s) {
        return new EngineOptions(device, threads, s, ropeStyle, visionTower, kvBudgetBytes);
    }

    public EngineOptions withRopeStyle(RopeStyle r) {
        return new EngineOptions(device, threads, storage, r, visionTower, kvBudgetBytes);
    }

    public EngineOptions withVisionTower(Path dir) {
        return new EngineOptions(device, threads, storage, ropeStyle, dir, kvBudgetBytes);
    }

    public EngineOptions withKvBudgetBytes(long bytes) {
        return new EngineOptions(device, threads, storage, ropeStyle, visionTower, bytes);
    }
}
