package ai.bayeslora.examples.cli;

import ai.bayeslora.core.data.McqaDataset;
import ai.bayeslora.laplace.LaplacePosterior;
import ai.bayeslora.spark.McqaFrames;
import ai.bayeslora.spark.SparkLaplaceFit;
import ai.bayeslora.spark.SparkModel;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import org.apache.spark.sql.SparkSession;
import picocli.CommandLine.ArgGroup;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/**
 * {@code bayeslora spark laplace-fit}: {@code laplace fit} with the curvature summed over Spark partitions and the
 * posterior finished on the driver (docs/SPARK.md, "Laplace over partitions"). Same options and output.
 */
@Command(name = "laplace-fit", mixinStandardHelpOptions = true, usageHelpAutoWidth = true,
        header = "Fits a Laplace posterior over a LoRA adapter with the curvature summed over Spark partitions.",
        description = {"As laplace fit: every partition of the training data sums its part of the curvature on an "
            + "executor, the driver adds the parts, factorises, tunes the prior precision and writes the same "
            + "posterior folder (docs/SPARK.md, Laplace over partitions)."})
final class SparkLaplaceFitCommand implements Callable<Integer> {
    @Mixin ModelOptions modelOptions;
    @Mixin LaplaceCommand.LaplaceData dataOptions;
    @ArgGroup(exclusive = true) LaplaceCommand.Prior prior;
    @Mixin LaplaceCommand.FitSettings settings = new LaplaceCommand.FitSettings();
    @Mixin SparkOptions spark = new SparkOptions();

    @Option(names = "--partitions", paramLabel = "N",
            description = "Partitions of the training data (default: the session's default parallelism).")
    Integer partitions;

    @Option(names = "--out", required = true, paramLabel = "DIR", description = "Posterior folder to write.")
    Path out;

    @Mixin OverwriteOption overwrite = new OverwriteOption();

    @Override
    public Integer call() {
        if (modelOptions.adapter == null) {
            throw new IllegalArgumentException("--adapter DIR is required: Laplace needs a trained LoRA adapter");
        }
        if (partitions != null && partitions < 1) {
            throw new IllegalArgumentException("--partitions must be at least 1, got " + partitions);
        }
        Path modelDir = modelOptions.modelDir();
        OutputGuard guard = new OutputGuard("spark laplace-fit", overwrite.overwrite)
                .inputs(modelOptions.model, modelOptions.adapter, dataOptions.path());
        guard.checkFolder("--out", out);
        McqaDataset dataset = dataOptions.load();
        LaplaceRecipe recipe = settings.recipe(prior);
        SparkModel model = new SparkModel(modelDir.toAbsolutePath().toString(), modelOptions.device,
                modelOptions.dtype, dataOptions.style());
        SparkLaplaceFit fit = SparkLaplaceFit.of(model, modelOptions.adapter.toAbsolutePath().toString())
                .withConfig(recipe.config()).withBatchSize(dataOptions.batchSize())
                .withMaxLength(dataOptions.maxLength);
        SparkSession session = spark.session("spark laplace-fit");
        int parts = partitions != null ? partitions : session.sparkContext().defaultParallelism();
        long t0 = System.nanoTime();
        try (LaplacePosterior la = unwrapped(() -> fit.fit(McqaFrames.toFrame(session, dataset, parts),
                dataset.classLabels()))) {
            LaplaceCommand.reportAndSave(la, recipe.tuned(), (System.nanoTime() - t0) / 1e9, out, guard.replace());
        }
        return 0;
    }

    /** A task's BayesLoraException or IllegalArgumentException rethrown as itself: one line, exit code 2. */
    private static <T> T unwrapped(java.util.function.Supplier<T> job) {
        try {
            return ai.bayeslora.spark.internal.TaskFailures.unwrapped(job);
        } catch (RuntimeException e) {
            RuntimeException user = ai.bayeslora.spark.internal.TaskFailures.userError(e);
            throw user != null ? user : e;
        }
    }
}
