package ai.bayeslora.examples.cli;

import ai.bayeslora.examples.bench.BenchDevice;
import ai.bayeslora.examples.bench.LaplaceBenchmark;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code bayeslora bench laplace}. */
@Command(name = "laplace", mixinStandardHelpOptions = true, usageHelpAutoWidth = true,
        header = "Laplace-LoRA fit and predictive timings on a random ~110M Llama.",
        description = {"Laplace-LoRA on a random ~110M Llama with LoRA r=8 on q,v, in units of a training step timed "
            + "right before each operation: K-FAC fits per batch and their one-off work, the linearised and sampled "
            + "predictives per prompt, each with its compute floor; the MC-sampled Fisher's distance from the exact "
            + "curvature. Writes OUT/laplace.json."})
final class LaplaceBench implements Callable<Integer> {
    @Option(names = "--batch", defaultValue = "4", paramLabel = "N",
            description = "Prompts (rows) per batch (default: ${DEFAULT-VALUE}).") int batch;
    @Option(names = "--length", defaultValue = "128", paramLabel = "TOKENS",
            description = "Tokens per prompt (default: ${DEFAULT-VALUE}).") int length;
    @Option(names = {"--repetitions", "--iterations"}, defaultValue = "5", paramLabel = "N",
            description = "Timed repetitions of each operation, each right after a training step, after a warm-up "
                    + "(default: ${DEFAULT-VALUE}).") int iterations;
    @Option(names = "--layers", defaultValue = "12", paramLabel = "N",
            description = "Decoder layers of the random model (default: ${DEFAULT-VALUE}).") int layers;
    @Option(names = "--samples", defaultValue = "10", paramLabel = "N", description = "S of the sampled predictive.") int samples;
    @Option(names = "--variants", split = ",",
            defaultValue = "kfac-expand,kfac-last,kfac-lowrank-expand,kfac-lowrank-last,kfac-expand-mc1",
            description = "Fits to measure, of kfac-expand, kfac-last, kfac-reduce, kfac-lowrank-expand, "
                    + "kfac-lowrank-last, kfac-expand-mc1, kfac-expand-mc2 (default: ${DEFAULT-VALUE}).")
    java.util.List<String> variants;
    @picocli.CommandLine.Mixin BenchOutOption outDir = new BenchOutOption();
    @picocli.CommandLine.Mixin BenchDeviceOptions device = new BenchDeviceOptions();

    @Option(names = "--scaling", description = "Instead: the main operations at 6 and 12 layers and 128 and 256 tokens "
            + "(writes OUT/laplace-scaling.json).") boolean scaling;

    @Override
    public Integer call() {
        if (scaling) {
            LaplaceBenchmark.scaling(batch, iterations, new int[] {6, 12}, new int[] {128, 256}, device.benchDevice())
                    .writeJson(outDir.resolve("laplace-scaling.json"));
            return 0;
        }
        new LaplaceBenchmark(batch, length, iterations, samples, device.benchDevice(),
                BenchDevice.shape(device.shape, layers)).fitVariants(variants).run().writeJson(outDir.resolve("laplace.json"));
        return 0;
    }
}
