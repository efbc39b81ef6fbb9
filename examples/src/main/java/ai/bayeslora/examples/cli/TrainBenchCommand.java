package ai.bayeslora.examples.cli;

import ai.bayeslora.examples.bench.BenchDevice;
import ai.bayeslora.examples.bench.TrainBenchmark;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code bayeslora bench train}: LoRA training-step throughput and peak memory against the forward pass. */
@Command(name = "train", mixinStandardHelpOptions = true, usageHelpAutoWidth = true,
        header = "LoRA training-step throughput and peak memory on a random ~110M Llama.",
        description = {"LoRA training-step throughput (tokens/s) and peak native memory of the random ~110M Llama, "
            + "r=8 on q_proj and v_proj, AdamW, at batch x length, next to the forward-only time of the same batch."})
final class TrainBenchCommand implements Callable<Integer> {
    @Option(names = "--batch", defaultValue = "8", paramLabel = "N",
            description = "Prompts (rows) per batch (default: ${DEFAULT-VALUE}).") int batch;
    @Option(names = "--length", defaultValue = "256", paramLabel = "TOKENS",
            description = "Tokens per prompt (default: ${DEFAULT-VALUE}).") int length;
    @Option(names = "--steps", defaultValue = "3", paramLabel = "N", description = "Timed steps (one more runs as warm-up).") int steps;
    @Option(names = "--layers", defaultValue = "12", paramLabel = "N",
            description = "Decoder layers of the random model (default: ${DEFAULT-VALUE}).") int layers;
    @Option(names = "--rank", defaultValue = "8", paramLabel = "N",
            description = "LoRA rank r (default: ${DEFAULT-VALUE}).") int rank;
    @Option(names = "--ensemble-members", defaultValue = "0", description = {"M > 0 adds ensemble-step rows:",
        "M members trained SEQUENTIAL vs INTERLEAVED (EnsembleTrainer); 0 skips them."}) int ensembleMembers;
    @picocli.CommandLine.Mixin BenchOutOption outDir = new BenchOutOption();
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
