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

    public ForwardBenchmark(int batch, int length, int iterations, int layers) {
        this.batch = batch;
        this.length = length;
        this.iterations = iterations;
        this.layers = layers;
    }

    static ModelConfig config(int layers) {
        return HfConfigParser.parse("{\"model_type\":\"llama\",\"vocab_size\":32000,\"hidden_size\":768,"
                + "\"intermediate_size\":2048,\"num_hidden_layers\":" + layers + ",\"num_attention_heads\":12,"
                + "\"num_key_value_heads\":12,\"rms_norm_eps\":1e-5,\"tie_word_embeddings\":true,"
                + "\"max_position_embeddings\":4096}", "bench-llama-110m");
    }

    public BenchReport run() {
        ModelConfig c = config(layers);
        BenchReport report = new BenchReport("forward")
                .env("torch_threads", torch.get_num_threads())
                .env("model", "llama hidden 768, " + layers + " layers, 12 heads, mlp 2048, vocab 32000, tied")
                .env("parameters", c.parameterCount())
                .env("batch", batch).env("length", length).env("iterations", iterations);
        double gemm = gemmFlops(1024, 20);
        double gemmModelShape = gemmFlopsShape(batch * length, c.hiddenSize(), c.intermediateSize(), 10);
        long rssBefore = NativeMemory.rss();
        try (CausalLM model = CausalLM.build(c, new RandomWeights(c, 0.02, 0), ComputeDevice.cpu())) {
            long rssWeights = NativeMemory.rss();
            Tensor ids = torch.randint(c.vocabSize(), new long[] {batch, length},
                    new TensorOptions(ScalarType.Long));
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
                long t0 = System.nanoTime();
                for (int i = 0; i < iterations; i++) {
                    peak = Math.max(peak, run(model, in, full));
                }
                double sec = (System.nanoTime() - t0) / 1e9 / iterations;
                double flops = linearFlopsPerToken * tokens + attnFlops + (full ? headFull : headLast);
                report.row(BenchReport.ordered("mode", mode, "seconds/batch", sec, "tokens/s", tokens / sec,
                        "model GFLOP/s", flops / sec / 1e9, "ratio vs GEMM 1024^3", flops / sec / gemm,
                        "ratio vs GEMM model-shape", flops / sec / gemmModelShape));
            }
            NativeScope.release(ids);
            report.summary("gemm_1024_fp32_gflops", gemm / 1e9)
                    .summary("gemm_model_shape_fp32_gflops", gemmModelShape / 1e9)
                    .summary("rss_before_mb", NativeMemory.mb(rssBefore))
                    .summary("rss_weights_loaded_mb", NativeMemory.mb(rssWeights))
                    .summary("rss_peak_during_forward_mb", NativeMemory.mb(peak))
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

    /** fp32 n×n×n matmul rate in FLOP/s. */
    static double gemmFlops(int n, int reps) {
        return gemmFlopsShape(n, n, n, reps);
    }

    /** fp32 [m,k]×[k,n] matmul rate in FLOP/s. */
    static double gemmFlopsShape(long m, long k, long n, int reps) {
        try (NativeScope s = NativeScope.open(); NoGradGuard g = new NoGradGuard()) {
            Tensor a = torch.randn(new long[] {m, k}, new TensorOptions(ScalarType.Float));
            Tensor b = torch.randn(new long[] {k, n}, new TensorOptions(ScalarType.Float));
            torch.matmul(a, b);
            long t0 = System.nanoTime();
            for (int i = 0; i < reps; i++) {
                try (NativeScope it = NativeScope.open()) {
                    torch.matmul(a, b);
                }
            }
            double sec = (System.nanoTime() - t0) / 1e9 / reps;
            return 2.0 * m * k * n / sec;
        }
    }
}
