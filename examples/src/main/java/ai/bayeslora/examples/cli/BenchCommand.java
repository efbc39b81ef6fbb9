package ai.bayeslora.examples.cli;

import ai.bayeslora.examples.bench.BenchDevice;
import ai.bayeslora.examples.bench.ForwardBenchmark;
import ai.bayeslora.examples.bench.MemoryLoopBenchmark;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** Benchmarks: each prints a table and writes JSON under {@code --out-dir}. */
@Command(name = "bench", mixinStandardHelpOptions = true, usageHelpAutoWidth = true,
        header = "Runs the benchmarks: prints a table and writes JSON.",
        description = "Runs benchmarks; prints a table and writes JSON.",
        subcommands = {BenchCommand.Forward.class, BenchCommand.Memory.class, TrainBenchCommand.class,
                BenchEnsembleCommand.class, LaplaceBench.class, BenchConcurrentCommand.class, BenchSparkCommand.class})
final class BenchCommand {

    @Command(name = "forward", mixinStandardHelpOptions = true, usageHelpAutoWidth = true,
        header = "Forward throughput and peak memory of a random ~110M Llama.",
            description = {"Forward throughput (tokens/s) and peak native memory of a random ~110M-parameter "
                + "Llama-shaped model at batch x length, next to the fp32 GEMM rate measured in the same run."})
    static final class Forward implements Callable<Integer> {
        @Option(names = "--batch", defaultValue = "8", paramLabel = "N",
            description = "Prompts (rows) per batch (default: ${DEFAULT-VALUE}).") int batch;
        @Option(names = "--length", defaultValue = "256", paramLabel = "TOKENS",
            description = "Tokens per prompt (default: ${DEFAULT-VALUE}).") int length;
        @Option(names = "--iterations", defaultValue = "3", paramLabel = "N",
            description = "Timed iterations (default: ${DEFAULT-VALUE}).") int iterations;
        @Option(names = "--layers", defaultValue = "12", paramLabel = "N",
            description = "Decoder layers of the random model (default: ${DEFAULT-VALUE}).") int layers;
        @picocli.CommandLine.Mixin BenchOutOption outDir = new BenchOutOption();
        @picocli.CommandLine.Mixin BenchDeviceOptions device = new BenchDeviceOptions();

        @Override
        public Integer call() {
            new ForwardBenchmark(batch, length, iterations, layers, device.benchDevice(),
                    BenchDevice.shape(device.shape, layers)).run().writeJson(outDir.resolve("forward.json"));
            return 0;
        }
    }

    @Command(name = "memory", mixinStandardHelpOptions = true, usageHelpAutoWidth = true,
        header = "Native memory over a long inference loop on the bundled tiny model.",
            description = "Native memory over a long scoped inference loop on the bundled tiny model.")
    static final class Memory implements Callable<Integer> {
        @Option(names = "--steps", defaultValue = "10000", paramLabel = "N",
            description = "Inference steps of the loop (default: ${DEFAULT-VALUE}).") int steps;
        @picocli.CommandLine.Mixin BenchOutOption outDir = new BenchOutOption();
        @picocli.CommandLine.Mixin BenchDeviceOptions device = new BenchDeviceOptions();

        @Override
        public Integer call() {
            if (!"110m".equals(device.shape)) {
                throw new IllegalArgumentException("bench memory runs the bundled tiny model; --shape does not apply");
            }
            new MemoryLoopBenchmark(BundledModel.tinyLlama(), steps, device.benchDevice()).run().writeJson(outDir.resolve("memory.json"));
            return 0;
        }
    }
}
