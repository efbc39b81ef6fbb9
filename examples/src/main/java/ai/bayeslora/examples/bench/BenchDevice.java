package ai.bayeslora.examples.bench;

import ai.bayeslora.core.ComputeDevice;
import ai.bayeslora.core.CudaMemory;
import ai.bayeslora.core.DType;
import ai.bayeslora.core.DeviceSelector;
import ai.bayeslora.core.model.ModelConfig;
import ai.bayeslora.core.model.HfConfigParser;

/**
 * The device a benchmark runs on, chosen by {@code --device} and {@code --dtype}: timings synchronise with the device
 * (CUDA kernels run asynchronously), and memory is what the device reports — the resident set on the CPU, the CUDA
 * caching allocator's peak of allocated bytes on CUDA.
 *
 * @param device the compute device and dtype
 */
public record BenchDevice(ComputeDevice device) {
    /** The CPU in float32 (the default of every benchmark). */
    public static BenchDevice cpu() {
        return new BenchDevice(ComputeDevice.cpu());
    }

    /**
     * A device from CLI options.
     *
     * @param device {@code cpu}, {@code cuda}, {@code cuda:N} or {@code auto}
     * @param dtype a dtype name, or null for the device's default (float32 on the CPU, bfloat16 on CUDA)
     * @return the benchmark device
     */
    public static BenchDevice of(String device, String dtype) {
        ComputeDevice d = DeviceSelector.select(device);
        return new BenchDevice(dtype == null ? d : d.withDType(DType.parse(dtype)));
    }

    /** Whether this is a CUDA device. */
    public boolean cuda() {
        return device.isCuda();
    }

    /** Waits for queued device work (a no-op on the CPU). */
    public void sync() {
        if (cuda()) {
            CudaMemory.synchronize();
        }
    }

    /**
     * Seconds {@code work} takes, synchronised with the device before and after.
     *
     * @param work the timed work
     * @return wall-clock seconds
     */
    public double seconds(Runnable work) {
        sync();
        long t0 = System.nanoTime();
        work.run();
        sync();
        return (System.nanoTime() - t0) / 1e9;
    }

    /**
     * Peak memory while {@code work} runs: the resident set (sampled every millisecond, allocator trimmed first) on the
     * CPU, the peak of CUDA-allocated bytes on CUDA.
     *
     * @param work the measured work
     * @return bytes
     */
    public long peakDuring(Runnable work) {
        if (!cuda()) {
            return NativeMemory.peakDuring(work);
        }
        sync();
        CudaMemory.resetPeak(device.index());
        work.run();
        sync();
        return CudaMemory.peakAllocatedBytes(device.index());
    }

    /** Memory in use now: the resident set on the CPU, CUDA-allocated bytes on CUDA. */
    public long inUse() {
        if (!cuda()) {
            return NativeMemory.rss();
        }
        sync();
        CudaMemory.resetPeak(device.index());
        return CudaMemory.peakAllocatedBytes(device.index());
    }

    /** How reports name the memory column: "RSS" or "CUDA allocated". */
    public String memoryName() {
        return cuda() ? "CUDA allocated" : "RSS";
    }

    /**
     * A benchmark model shape: {@code 110m} (the random ~110M Llama of {@link ForwardBenchmark}, {@code layers}
     * layers) or {@code mistral7b} (hidden 4096, 32 layers, 32 heads, 8 KV heads, MLP 14336, vocabulary 32000; for a
     * GPU, not for CI).
     *
     * @param shape the shape's name
     * @param layers the layer count of the 110m shape
     * @return the config
     */
    public static ModelConfig shape(String shape, int layers) {
        switch (shape) {
            case "110m":
                return ForwardBenchmark.config(layers);
            case "mistral7b":
                return HfConfigParser.parse("{\"model_type\":\"mistral\",\"vocab_size\":32000,\"hidden_size\":4096,"
                        + "\"intermediate_size\":14336,\"num_hidden_layers\":32,\"num_attention_heads\":32,"
                        + "\"num_key_value_heads\":8,\"rms_norm_eps\":1e-5,\"rope_theta\":10000.0,"
                        + "\"tie_word_embeddings\":false,\"max_position_embeddings\":4096,\"sliding_window\":null}",
                        "bench-mistral-7b");
            default:
                throw new IllegalArgumentException("unknown --shape '" + shape + "'; expected 110m or mistral7b");
        }
    }
}
