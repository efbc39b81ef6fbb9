package ai.bayeslora.examples.bench;

import ai.bayeslora.core.NativeScope;
import ai.bayeslora.core.ComputeDevice;
import ai.bayeslora.core.model.CausalLM;
import ai.bayeslora.core.model.ModelInput;
import java.nio.file.Path;
import java.util.Map;
import org.bytedeco.pytorch.NoGradGuard;
import org.bytedeco.pytorch.Scalar;
import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.TensorOptions;
import org.bytedeco.pytorch.global.torch;
import org.bytedeco.pytorch.global.torch.ScalarType;

/**
 * Runs many scoped inference steps (left-padded batch, last-token logits) and samples the resident set: with every
 * per-step tensor in a scope ({@link NativeScope}), native memory must stay flat.
 */
public final class MemoryLoopBenchmark {
    private final Path modelDir;
    private final int steps;

    public MemoryLoopBenchmark(Path modelDir, int steps) {
        this.modelDir = modelDir;
        this.steps = steps;
    }

    public BenchReport run() {
        BenchReport report = new BenchReport("memory-loop").env("model", modelDir.toString()).env("steps", steps)
                .env("batch", "4 x 32 left-padded");
        try (CausalLM model = CausalLM.load(modelDir, ComputeDevice.cpu())) {
            int every = Math.max(1, steps / 20);
            long warm = 0;
            long max = 0;
            long t0 = System.nanoTime();
            for (int i = 1; i <= steps; i++) {
                try (NativeScope s = NativeScope.open(); NoGradGuard g = new NoGradGuard()) {
                    Tensor ids = torch.randint(300, new long[] {4, 32},
                            new TensorOptions(ScalarType.Long));
                    Tensor mask = torch.ones(new long[] {4, 32}, new TensorOptions(ScalarType.Long));
                    mask.narrow(1, 0, i % 16).narrow(0, 0, 2).fill_(new Scalar(0)); // left padding on two rows
                    model.lastTokenLogits(ModelInput.of(ids, mask), null).sum().item_double();
                }
                if (i % every == 0) {
                    long rss = NativeMemory.rss();
                    if (warm == 0) {
                        warm = rss;
                    }
                    max = Math.max(max, rss);
                    report.row(BenchReport.ordered("step", i, "rss_mb", NativeMemory.mb(rss),
                            "growth_since_first_sample_mb", NativeMemory.mb(rss - warm)));
                }
            }
            double sec = (System.nanoTime() - t0) / 1e9;
            long last = NativeMemory.rss();
            report.summary("steps_per_second", steps / sec)
                    .summary("rss_first_sample_mb", NativeMemory.mb(warm))
                    .summary("rss_last_mb", NativeMemory.mb(last))
                    .summary("rss_max_mb", NativeMemory.mb(max))
                    .summary("growth_mb", NativeMemory.mb(last - warm));
        }
        report.print();
        return report;
    }
}
