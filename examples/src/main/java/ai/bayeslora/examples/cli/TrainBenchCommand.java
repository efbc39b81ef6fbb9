package ai.bayeslora.examples.cli;

import ai.bayeslora.examples.bench.BenchDevice;
import ai.bayeslora.examples.bench.TrainBenchmark;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code bayeslora bench train}: LoRA training-step throughput and peak memory against the forward pass. */
@Command(name = "train", mixinStandardHelpOptions = true,
        description = {"LoRA training-step throughput (tokens/s) and peak native memory of the random ~110M Llama,",
            "r=8 on q_proj and v_proj, AdamW, at batch x length, next to the forward-only time of the same batch."})
final class TrainBenchCommand implements Callable<Integer> {
    @Option(names = "--batch", defaultValue = "8") int batch;
    @Option(names = "--length", defaultValue = "256") int length;
    @Option(names = "--steps", defaultValue = "3", description = "Timed steps (one more runs as warm-up).") int steps;
    @Option(names = "--layers", defaultValue = "12") int layers;
    @Option(names = "--rank", defaultValue = "8") int rank;
    @Option(names = "--ensemble-members", defaultValue = "0", description = {"M > 0 adds ensemble-step rows:",
        "M members trained SEQUENTIAL vs INTERLEAVED (EnsembleTrainer); 0 skips them."}) int ensembleMembers;
    @Option(names = "--out-dir", defaultValue = "bench-results") Path outDir;
    @picocli.CommandLine.Mixin BenchDeviceOptions device = new BenchDeviceOptions();

    @Override
    public Integer call() {
        if (ensembleMembers < 0) {
            throw new IllegalArgumentException("--ensemble-members must be >= 0, got " + ensembleMembers);
        }
        if (steps < 1) {
            throw new IllegalArgumentException("--steps must be at least 1, got " + steps);
        }
        new TrainBenchmark(BundledModel.tinyLlama(), batch, length, steps, rank, ensembleMembers, device.benchDevice(),
                BenchDevice.shape(device.shape, layers)).run()
                .writeJson(outDir.resolve("train.json"));
        return 0;
    }
}
