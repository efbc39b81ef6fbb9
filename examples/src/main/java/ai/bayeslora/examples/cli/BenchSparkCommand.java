package ai.bayeslora.examples.cli;

import ai.bayeslora.examples.bench.SparkBenchmark;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code bayeslora bench spark}: scoring on Spark local[1] and local[2] against the single process. */
@Command(name = "spark", mixinStandardHelpOptions = true, usageHelpAutoWidth = true,
        header = "Scoring throughput on Spark local[1] and local[2] against the single process.",
        description = {"Scores questions with a 2-member LoRA ensemble on the bundled tiny model and on a random "
            + "~110M Llama (written once as a model folder), in one process with P threads and with the Spark "
            + "scorer on local[P], P = 1 and 2, alternating; reports rows/s, Spark's overhead at the same P, the "
            + "speed-up of P = 2 and the GEMM floor (docs/SPARK.md, \"Benchmark\")."})
final class BenchSparkCommand implements Callable<Integer> {
    @Option(names = "--tiny-rows", defaultValue = "512", paramLabel = "N",
            description = "Questions scored on the tiny model (default: ${DEFAULT-VALUE}).") int tinyRows;
    @Option(names = "--large-rows", defaultValue = "64", paramLabel = "N",
            description = "Questions scored on the 110M model (default: ${DEFAULT-VALUE}).") int largeRows;
    @Option(names = "--layers", defaultValue = "12", paramLabel = "N",
            description = "Decoder layers of the random model (default: ${DEFAULT-VALUE}).") int layers;
    @Option(names = "--batch", defaultValue = "8", paramLabel = "N",
            description = "Rows per batch (default: ${DEFAULT-VALUE}).") int batch;
    @Option(names = "--reps", defaultValue = "3", paramLabel = "N",
            description = "Timed runs per path and parallelism (default: ${DEFAULT-VALUE}).") int reps;
    @Option(names = "--memory-jobs", defaultValue = "400", paramLabel = "N",
            description = "Scoring jobs of the native-memory loop on the tiny model (growth measured over the second "
                + "half), 0 for none (default: ${DEFAULT-VALUE}).") int memoryJobs;
    @Option(names = "--work", paramLabel = "DIR", description = "Folder for the random model and the ensembles, "
        + "reused between runs (default: the bayeslora cache's bench-spark folder).") Path work;
    @picocli.CommandLine.Mixin BenchOutOption outDir = new BenchOutOption();

    @Override
    public Integer call() throws Exception {
        if (tinyRows < 1 || largeRows < 1 || layers < 1 || batch < 1 || reps < 1 || memoryJobs < 0) {
            throw new IllegalArgumentException("--tiny-rows, --large-rows, --layers, --batch and --reps must be "
                    + "positive");
        }
        new SparkBenchmark(tinyRows, largeRows, layers, batch, reps, memoryJobs, work == null ? SparkBenchmark.defaultWork()
                : work).run().writeJson(outDir.resolve("spark.json"));
        return 0;
    }
}
