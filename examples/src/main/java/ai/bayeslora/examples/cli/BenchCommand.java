package ai.bayeslora.examples.cli;

import ai.bayeslora.examples.bench.BenchDevice;
import ai.bayeslora.examples.bench.ForwardBenchmark;
import ai.bayeslora.examples.bench.MemoryLoopBenchmark;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** Benchmarks: each prints a table and writes JSON under {@code --out-dir}. */
@Command(name = "bench", mixinStandardHelpOptions = true,
        description = "Runs benchmarks; prints a table and writes JSON.",
        subcommands = {BenchCommand.Forward.class, BenchCommand.Memory.class, TrainBenchCommand.class,
                BenchEnsembleCommand.class, LaplaceBench.class, BenchConcurrentCommand.class})
final class BenchCommand {

    @Command(name = "forward", mixinStandardHelpOptions = true,
            description = {"Forward throughput (tokens/s) and peak native memory of a random ~110M-parameter",
                "Llama-shaped model at batch x length, next to the fp32 GEMM rate measured in the same run."})
    static final class Forward implements Callable<Integer> {
        @Option(names = "--batch", defaultValue = "8") int batch;
        @Option(names = "--length", defaultValue = "256") int length;
        @Option(names = "--iterations", defaultValue = "3") int iterations;
        @Option(names = "--layers", defaultValue = "12") int layers;
        @Option(names = "--out-dir", defaultValue = "bench-results") Path outDir;
        @picocli.CommandLine.Mixin BenchDeviceOptions device = new BenchDeviceOptions();

        @Override
        public Integer call() {
            new ForwardBenchmark(batch, length, iterations, layers, device.benchDevice(),
                    BenchDevice.shape(device.shape, layers)).run().writeJson(outDir.resolve("forward.json"));
            return 0;
        }
    }

    @Command(name = "memory", mixinStandardHelpOptions = true,
            description = "Native memory over a long scoped inference loop on the bundled tiny model.")
    static final class Memory implements Callable<Integer> {
        @Option(names = "--steps", defaultValue = "10000") int steps;
        @Option(names = "--out-dir", defaultValue = "bench-results") Path outDir;
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
