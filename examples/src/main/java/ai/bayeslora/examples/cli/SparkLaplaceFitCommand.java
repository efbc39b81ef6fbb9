package ai.bayeslora.examples.cli;

import ai.bayeslora.core.io.AtomicOutput;
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
    @Mixin SparkLocations modelOptions = new SparkLocations();
    @Mixin LaplaceCommand.LaplaceData dataOptions;
    @ArgGroup(exclusive = true) LaplaceCommand.Prior prior;
    @Mixin LaplaceCommand.FitSettings settings = new LaplaceCommand.FitSettings();
    @Mixin SparkOptions spark = new SparkOptions();

    @Option(names = "--partitions", paramLabel = "N",
            description = "Partitions of the training data (default: the session's default parallelism).")
    Integer partitions;

    @Option(names = "--out", required = true, paramLabel = "DIR|URI", description = {"Posterior folder to write: a "
        + "local folder, or a Hadoop URI (hdfs://, s3a://, file:) it is uploaded to (a hidden sibling, then renamed)."})
    String out;

    @Mixin OverwriteOption overwrite = new OverwriteOption();

    @Override
    public Integer call() {
        if (modelOptions.adapter == null) {
            throw new IllegalArgumentException("--adapter DIR is required: Laplace needs a trained LoRA adapter");
        }
        if (partitions != null && partitions < 1) {
            throw new IllegalArgumentException("--partitions must be at least 1, got " + partitions);
        }
        String modelLocation = modelOptions.modelLocation();
        String adapter = SparkLocations.folder("--adapter", modelOptions.adapter);
        boolean hadoopOut = HadoopFolderOutput.applies(out);
        OutputGuard guard = new OutputGuard("spark laplace-fit", overwrite.overwrite)
                .inputs(SparkLocations.localPath(modelLocation), SparkLocations.localPath(adapter),
                        dataOptions.path());
        if (!hadoopOut) {
            guard.checkFolder("--out", Path.of(out));
        }
        McqaDataset dataset = dataOptions.load();
        LaplaceRecipe recipe = settings.recipe(prior);
        SparkModel model = new SparkModel(absolute(modelLocation), modelOptions.device, modelOptions.dtype,
                dataOptions.style());
        SparkLaplaceFit fit = SparkLaplaceFit.of(model, absolute(adapter))
                .withConfig(recipe.config()).withBatchSize(dataOptions.batchSize())
                .withMaxLength(dataOptions.maxLength);
        try (SparkOptions.OpenSession open = spark.open("spark laplace-fit")) {
            return fit(open.spark(), fit, dataset, recipe, hadoopOut, guard);
        }
    }

    private int fit(SparkSession session, SparkLaplaceFit fit, McqaDataset dataset, LaplaceRecipe recipe,
                    boolean hadoopOut, OutputGuard guard) {
        if (hadoopOut) {
            HadoopFolderOutput.check(session, out, overwrite.overwrite);
        }
        int parts = partitions != null ? partitions : session.sparkContext().defaultParallelism();
        long t0 = System.nanoTime();
        try (LaplacePosterior la = unwrapped(() -> fit.fit(McqaFrames.toFrame(session, dataset, parts),
                dataset.classLabels()))) {
            double seconds = (System.nanoTime() - t0) / 1e9;
            if (!hadoopOut) {
                LaplaceCommand.reportAndSave(la, recipe.tuned(), seconds, Path.of(out), guard.replace());
                return 0;
            }
            LaplaceCommand.report(la, recipe.tuned(), seconds);
            Path local = java.nio.file.Files.createTempDirectory("bayeslora-spark-laplace-");
            try {
                Path posterior = local.resolve("posterior");
                la.save(posterior, AtomicOutput.Replace.OWN);
                HadoopFolderOutput.write(session, out, "cli:spark-laplace-fit", overwrite.overwrite, (tmp, fs) ->
                        fs.copyFromLocalFile(false, true, new org.apache.hadoop.fs.Path(posterior.toUri()),
                                new org.apache.hadoop.fs.Path(tmp)));
            } finally {
                AtomicOutput.deleteQuietly(local);
            }
            System.out.println("wrote " + out);
        } catch (java.io.IOException e) {
            throw new ai.bayeslora.core.BayesLoraException("spark laplace-fit: a local temporary folder: "
                    + e.getMessage(), e);
        }
        return 0;
    }

    /** A local folder as an absolute path (executors may run elsewhere); a URI as given. */
    private static String absolute(String location) {
        return SparkLocations.isRemote(location) ? location : Path.of(location).toAbsolutePath().toString();
    }

    /** A task's BayesLoraException or IllegalArgumentException rethrown as itself: one line, exit code 2. */
    private static <T> T unwrapped(java.util.function.Supplier<T> job) {
        try {
            return job.get();
        } catch (Exception e) { // SparkException is checked, and Scala throws it undeclared
            throw ai.bayeslora.spark.internal.TaskFailures.unwrap(e);
        }
    }
}
