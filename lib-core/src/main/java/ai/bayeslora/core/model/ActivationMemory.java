package ai.bayeslora.core.model;

/**
 * Estimates of the activation memory one row (one prompt of L tokens) costs in a decoder forward, used to size chunks
 * from a device's free memory. They are upper estimates fitted to measured peaks (docs/BENCHMARKS.md, "Ensemble
 * inference"); an out-of-memory error still halves a chunk ({@link ai.bayeslora.core.MemoryRetry}), so an estimate
 * only has to be close, not exact.
 */
public final class ActivationMemory {
    private ActivationMemory() {
    }

    /**
     * Peak bytes per row of a forward without gradients: only one layer's activations live at a time, so the peak is
     * that layer's hidden-sized and MLP-sized temporaries plus the attention scores when attention is not fused,
     * (16·H + 6·I + 4·heads·L)·L elements. On the CPU (float32, unfused attention) the random 110M Llama at L = 256
     * measured 34–41 MB per row against 38 MB estimated.
     *
     * @param c the model's config
     * @param length L, tokens per row
     * @param dtypeBytes bytes per element of the compute dtype
     * @return bytes
     */
    public static long inferenceBytesPerRow(ModelConfig c, int length, int dtypeBytes) {
        long perToken = 16L * c.hiddenSize() + 6L * c.intermediateSize() + 4L * c.numHeads() * length;
        return perToken * length * dtypeBytes;
    }

    /**
     * Bytes per row of a forward that keeps its autograd graph for backward passes: every layer saves ~24
     * hidden-sized and ~8 MLP-sized tensors per token, and the attention probabilities (heads × L per token) with
     * their gradient, {@code layers · (24·H + 8·I + 2·heads·L)·L} elements.
     *
     * @param c the model's config
     * @param length L, tokens per row
     * @param dtypeBytes bytes per element of the compute dtype
     * @return bytes
     */
    public static long graphBytesPerRow(ModelConfig c, int length, int dtypeBytes) {
        long perToken = 24L * c.hiddenSize() + 8L * c.intermediateSize() + 2L * c.numHeads() * length;
        return c.numLayers() * perToken * length * dtypeBytes;
    }
}
