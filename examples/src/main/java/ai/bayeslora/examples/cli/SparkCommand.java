package ai.bayeslora.examples.cli;

import picocli.CommandLine.Command;

/** {@code bayeslora spark}: the scoring, training and Laplace workflows on a Spark cluster (docs/SPARK.md). */
@Command(name = "spark", mixinStandardHelpOptions = true, usageHelpAutoWidth = true,
        header = "Runs scoring, ensemble training and Laplace fits on Apache Spark (a cluster or local[N]).",
        description = {"Scales the single-machine workflows out on Spark: every command takes --master URL "
            + "(local[N] runs embedded, with no cluster) and --conf KEY=VALUE, and reads models and posteriors from "
            + "a path every executor can read (a local folder, HDFS, S3). docs/SPARK.md explains cluster setup: "
            + "spark-submit, GPU resources and the memory a 7B model needs per executor."},
        subcommands = {SparkScoreCommand.class, SparkTrainEnsembleCommand.class, SparkLaplaceFitCommand.class})
final class SparkCommand {
}
