package ai.bayeslora.examples.cli;

import ai.bayeslora.examples.bench.BenchDevice;
import ai.bayeslora.examples.bench.LaplaceBenchmark;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code bayeslora bench laplace}. */
@Command(name = "laplace", mixinStandardHelpOptions = true, usageHelpAutoWidth = true,
        header = "Laplace-LoRA fit and predictive timings on a random ~110M Llama.",
        description = {"Laplace-LoRA on a random ~110M Llama with LoRA r=8 on q,v: K-FAC fit per batch vs a training "
            + "step, linearised predictive per prompt and its peak memory, sampled vs linearised predictive."})
final class LaplaceBench implements Callable<Integer> {
    @Option(names = "--batch", defaultValue = "4", paramLabel = "N",
            description = "Prompts (rows) per batch (default: ${DEFAULT-VALUE}).") int batch;
    @Option(names = "--length", defaultValue = "128", paramLabel = "TOKENS",
            description = "Tokens per prompt (default: ${DEFAULT-VALUE}).") int length;
    @Option(names = "--iterations", defaultValue = "2", paramLabel = "N",
            description = "Timed iterations (default: ${DEFAULT-VALUE}).") int iterations;
    @Option(names = "--layers", defaultValue = "12", paramLabel = "N",
            description = "Decoder layers of the random model (default: ${DEFAULT-VALUE}).") int layers;
    @Option(names = "--samples", defaultValue = "10", paramLabel = "N", description = "S of the sampled predictive.") int samples;
    @Option(names = "--variants", split = ",", defaultValue = "kfac-expand,kfac-last,kfac-lowrank-last",
            description = "Fits to measure (default: ${DEFAULT-VALUE}).")
    java.util.List<String> variants;
    @picocli.CommandLine.Mixin BenchOutOption outDir = new BenchOutOption();
    @picocli.CommandLine.Mixin BenchDeviceOptions device = new BenchDeviceOptions();

    @Override
    public Integer call() {
        new LaplaceBenchmark(batch, length, iterations, samples, device.benchDevice(),
                BenchDevice.shape(device.shape, layers)).fitVariants(variants).run().writeJson(outDir.resolve("laplace.json"));
        return 0;
    }
}
