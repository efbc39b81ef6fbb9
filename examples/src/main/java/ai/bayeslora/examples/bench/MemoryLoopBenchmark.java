package ai.bayeslora.examples.bench;

import ai.bayeslora.core.NativeScope;
import ai.bayeslora.core.model.CausalLM;
import ai.bayeslora.core.model.ModelInput;
import java.nio.file.Path;
import java.util.Map;
import org.bytedeco.pytorch.DeviceOptional;
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
    private final BenchDevice device;

    /** On the CPU in float32. */
    public MemoryLoopBenchmark(Path modelDir, int steps) {
        this(modelDir, steps, BenchDevice.cpu());
    }

    /**
     * @param device where the model runs; on CUDA the report adds the device's allocated bytes, which must stay flat
     *     as well as the host's resident set
     */
    public MemoryLoopBenchmark(Path modelDir, int steps, BenchDevice device) {
        this.modelDir = modelDir;
        this.steps = steps;
        this.device = device;
    }

    public BenchReport run() {
        BenchReport report = new BenchReport("memory-loop").env("model", modelDir.toString()).env("steps", steps)
                .env("batch", "4 x 32 left-padded").env("device", device.device().toString());
        try (CausalLM model = CausalLM.load(modelDir, device.device())) {
            int every = Math.max(1, steps / 20);
            long warm = 0;
            long max = 0;
            long warmCuda = -1;
            long t0 = System.nanoTime();
            for (int i = 1; i <= steps; i++) {
                try (NativeScope s = NativeScope.open(); NoGradGuard g = new NoGradGuard()) {
                    TensorOptions longs = new TensorOptions(ScalarType.Long)
                            .device(new DeviceOptional(device.device().torchDevice()));
                    Tensor ids = torch.randint(300, new long[] {4, 32}, longs);
                    Tensor mask = torch.ones(new long[] {4, 32}, longs);
                    mask.narrow(1, 0, i % 16).narrow(0, 0, 2).fill_(new Scalar(0)); // left padding on two rows
                    model.lastTokenLogits(ModelInput.of(ids, mask), null).sum().item_double();
                }
                if (i % every == 0) {
                    long rss = NativeMemory.rss();
                    if (warm == 0) {
                        warm = rss;
                    }
                    max = Math.max(max, rss);
                    long cuda = device.cuda() ? device.inUse() : 0;
                    if (warmCuda < 0) {
                        warmCuda = cuda;
                    }
                    report.row(BenchReport.ordered("step", i, "rss_mb", NativeMemory.mb(rss),
                            "growth_since_first_sample_mb", NativeMemory.mb(rss - warm),
                            "cuda_allocated_growth_mb", NativeMemory.mb(cuda - warmCuda)));
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
