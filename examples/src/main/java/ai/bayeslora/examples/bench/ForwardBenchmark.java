package ai.bayeslora.examples.bench;

import ai.bayeslora.core.NativeScope;
import ai.bayeslora.core.ComputeDevice;
import ai.bayeslora.core.model.CausalLM;
import ai.bayeslora.core.model.HfConfigParser;
import ai.bayeslora.core.model.ModelConfig;
import ai.bayeslora.core.model.ModelInput;
import ai.bayeslora.core.model.RandomWeights;
import java.util.Map;
import org.bytedeco.pytorch.NoGradGuard;
import org.bytedeco.pytorch.Scalar;
import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.TensorOptions;
import org.bytedeco.pytorch.global.torch;
import org.bytedeco.pytorch.global.torch.ScalarType;

/**
 * Forward throughput of a random Llama-shaped model (hidden 768, 12 heads, MLP 2048, vocab 32000, tied head: about
 * 110M parameters) against the raw fp32 GEMM rate of this machine, measured in the same run. Model FLOPs count the
 * matmuls: 2·P_linear per token, causal attention 2·L²·d per layer and sequence, and the head at the positions read.
 */
public final class ForwardBenchmark {
    private final int batch;
    private final int length;
    private final int iterations;
    private final int layers;
    private final BenchDevice device;
    private final ModelConfig shape;

    /** The 110M shape on the CPU. */
    public ForwardBenchmark(int batch, int length, int iterations, int layers) {
        this(batch, length, iterations, layers, BenchDevice.cpu(), config(layers));
    }

    /**
     * @param device where to run (timings synchronised, memory from the device)
     * @param shape the model's config ({@link BenchDevice#shape})
     */
    public ForwardBenchmark(int batch, int length, int iterations, int layers, BenchDevice device, ModelConfig shape) {
        this.batch = batch;
        this.length = length;
        this.iterations = iterations;
        this.layers = shape.numLayers();
        this.device = device;
        this.shape = shape;
    }

    static ModelConfig config(int layers) {
        return HfConfigParser.parse("{\"model_type\":\"llama\",\"vocab_size\":32000,\"hidden_size\":768,"
                + "\"intermediate_size\":2048,\"num_hidden_layers\":" + layers + ",\"num_attention_heads\":12,"
                + "\"num_key_value_heads\":12,\"rms_norm_eps\":1e-5,\"tie_word_embeddings\":true,"
                + "\"max_position_embeddings\":4096}", "bench-llama-110m");
    }

    public BenchReport run() {
        ModelConfig c = shape;
        BenchReport report = new BenchReport("forward")
                .env("torch_threads", torch.get_num_threads())
                .env("device", device.device().toString())
                .env("model", c.architecture().modelType() + " hidden " + c.hiddenSize() + ", " + layers + " layers, "
                        + c.numHeads() + " heads, mlp " + c.intermediateSize() + ", vocab " + c.vocabSize())
                .env("parameters", c.parameterCount())
                .env("batch", batch).env("length", length).env("iterations", iterations);
        double gemm = gemmFlops(1024, 20, device);
        double gemmModelShape = gemmFlopsShape(batch * length, c.hiddenSize(), c.intermediateSize(), 10, device);
        long rssBefore = device.inUse();
        try (CausalLM model = CausalLM.build(c, new RandomWeights(c, 0.02, 0), device.device())) {
            long rssWeights = device.inUse();
            Tensor ids = torch.randint(c.vocabSize(), new long[] {batch, length},
                    new TensorOptions(ScalarType.Long).device(new org.bytedeco.pytorch.DeviceOptional(
                            device.device().torchDevice())));
            NativeScope.keep(ids);
            ModelInputHolder in = new ModelInputHolder(ids);
            long tokens = (long) batch * length;
            double linearFlopsPerToken = 2.0 * (c.parameterCount() - (long) c.vocabSize() * c.hiddenSize()
                    - (2L * layers + 1) * c.hiddenSize());
            double attnFlops = 2.0 * layers * batch * (double) length * length * c.hiddenSize(); // causal half of 4·L²·d
            double headFull = 2.0 * tokens * c.vocabSize() * c.hiddenSize();
            double headLast = 2.0 * batch * c.vocabSize() * c.hiddenSize();
            long peak = rssWeights;
            for (String mode : new String[] {"last-token logits", "full logits [B,L,V]"}) {
                boolean full = mode.startsWith("full");
                run(model, in, full); // warm-up
                long[] most = {peak};
                double sec = device.seconds(() -> {
                    for (int i = 0; i < iterations; i++) {
                        most[0] = Math.max(most[0], device.cuda() ? 0 : run(model, in, full));
                        if (device.cuda()) {
                            run(model, in, full);
                        }
                    }
                }) / iterations;
                peak = device.cuda() ? Math.max(peak, device.peakDuring(() -> run(model, in, full))) : most[0];
                double flops = linearFlopsPerToken * tokens + attnFlops + (full ? headFull : headLast);
                report.row(BenchReport.ordered("mode", mode, "seconds/batch", sec, "tokens/s", tokens / sec,
                        "model GFLOP/s", flops / sec / 1e9, "ratio vs GEMM 1024^3", flops / sec / gemm,
                        "ratio vs GEMM model-shape", flops / sec / gemmModelShape));
            }
            NativeScope.release(ids);
            report.summary("gemm_1024_gflops (" + device.device().dtype().hfName() + ")", gemm / 1e9)
                    .summary("gemm_model_shape_gflops", gemmModelShape / 1e9)
                    .summary("memory", device.memoryName())
                    .summary("memory_before_mb", NativeMemory.mb(rssBefore))
                    .summary("memory_weights_loaded_mb", NativeMemory.mb(rssWeights))
                    .summary("memory_peak_during_forward_mb", NativeMemory.mb(peak))
                    .summary("activation_peak_mb", NativeMemory.mb(peak - rssWeights))
                    .summary("process_peak_rss_mb (VmHWM)", NativeMemory.mb(NativeMemory.peakRss()));
        }
        report.print();
        return report;
    }

    /** Holds the ids tensor outside per-iteration scopes. */
    private record ModelInputHolder(Tensor ids) {
    }

    private static long run(CausalLM model, ModelInputHolder in, boolean full) {
        try (NativeScope s = NativeScope.open(); NoGradGuard g = new NoGradGuard()) {
            ModelInput input = ModelInput.of(in.ids());
            Tensor out = full ? model.forward(input) : model.lastTokenLogits(input, null);
            out.sum().item_double(); // force completion
            return NativeMemory.rss();
        }
    }

    /** fp32 n×n×n matmul rate in FLOP/s on the CPU. */
    static double gemmFlops(int n, int reps) {
        return gemmFlops(n, reps, BenchDevice.cpu());
    }

    /** n×n×n matmul rate in FLOP/s on {@code device} in its compute dtype. */
    static double gemmFlops(int n, int reps, BenchDevice device) {
        return gemmFlopsShape(n, n, n, reps, device);
    }

    /** [m,k]×[k,n] matmul rate in FLOP/s on {@code device} in its compute dtype. */
    @SuppressWarnings("try")
    static double gemmFlopsShape(long m, long k, long n, int reps, BenchDevice device) {
        try (NativeScope s = NativeScope.open(); NoGradGuard g = new NoGradGuard()) {
            TensorOptions opts = new TensorOptions(device.device().dtype().scalarType())
                    .device(new org.bytedeco.pytorch.DeviceOptional(device.device().torchDevice()));
            Tensor a = torch.randn(new long[] {m, k}, opts);
            Tensor b = torch.randn(new long[] {k, n}, opts);
            torch.matmul(a, b);
            double sec = device.seconds(() -> {
                for (int i = 0; i < reps; i++) {
                    NativeScope.run(() -> torch.matmul(a, b));
                }
            }) / reps;
            return 2.0 * m * k * n / sec;
        }
    }
}
