package ai.bayeslora.spark;

import ai.bayeslora.core.BayesLoraException;
import ai.bayeslora.core.data.McqaBatcher;
import ai.bayeslora.core.data.McqaDataset;
import ai.bayeslora.laplace.CurvatureSums;
import ai.bayeslora.laplace.LaplaceConfig;
import ai.bayeslora.laplace.LaplaceLoRA;
import ai.bayeslora.laplace.LaplacePosterior;
import ai.bayeslora.lora.LoraAdapter;
import ai.bayeslora.spark.internal.LaplacePartition;
import ai.bayeslora.spark.internal.TaskFailures;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import org.apache.spark.api.java.JavaPairRDD;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Laplace-LoRA fitted over the partitions of a DataFrame of training questions (docs/SPARK.md, "Laplace over
 * partitions"): every partition sums its part of the curvature on its executor's shared model
 * ({@link LaplaceLoRA.Fit#statistics()}), the parts are added by a reduction keyed by factor, and the driver
 * finishes the fit from the total ({@link LaplaceLoRA#fromStatistics}): factorisation, evidence, λ tuning. The result
 * is the single-process fit's up to the order of the float64 sums (exactly its arithmetic otherwise).
 *
 * <pre>{@code
 * try (LaplacePosterior la = SparkLaplaceFit.of(SparkModel.of("hdfs:///models/llama"), "hdfs:///adapters/a")
 *         .withConfig(LaplaceConfig.builder().tuning(PriorTuning.Options.defaults()).build())
 *         .fit(trainFrame, List.of("A", "B", "C", "D"))) {
 *     la.save(Path.of("posterior"));
 * }
 * }</pre>
 *
 * @param model the base model, as the executors (and the driver) load it
 * @param adapterPath the adapter folder, a local path or a Hadoop URI every executor can read
 * @param config the fit's configuration; default {@link LaplaceConfig#builder()}'s (K-FAC, exact Fisher, expand, λ = 1,
 *     no tuning)
 * @param batchSize rows per batch of each partition's pass; default {@value #DEFAULT_BATCH_SIZE}
 * @param maxLength the longest prompt in tokens, longer ones truncated from the left; default
 *     {@value McqaBatcher.Config#DEFAULT_MAX_LENGTH}
 */
public record SparkLaplaceFit(SparkModel model, String adapterPath, LaplaceConfig config, int batchSize,
                              int maxLength) {
    /** Default rows per batch (the CLI's {@code --eval-batch-size} default). */
    public static final int DEFAULT_BATCH_SIZE = 8;

    private static final Logger LOG = LoggerFactory.getLogger(SparkLaplaceFit.class);

    /**
     * Checks the components.
     *
     * @param model the base model
     * @param adapterPath the adapter folder
     * @param config the configuration
     * @param batchSize rows per batch, at least 1
     * @param maxLength the longest prompt in tokens, at least 2
     */
    public SparkLaplaceFit {
        Objects.requireNonNull(model, "model");
        Objects.requireNonNull(adapterPath, "adapterPath");
        Objects.requireNonNull(config, "config");
        if (batchSize < 1) {
            throw new IllegalArgumentException("batch size must be positive, got " + batchSize);
        }
        if (maxLength < 2) {
            throw new IllegalArgumentException("max length must be at least 2 tokens, got " + maxLength);
        }
    }

    /**
     * A fit of the adapter at {@code adapterPath} on {@code model} with the default configuration.
     *
     * @param model the base model
     * @param adapterPath the adapter folder, local or a Hadoop URI
     * @return the fit description
     */
    public static SparkLaplaceFit of(SparkModel model, String adapterPath) {
        return new SparkLaplaceFit(model, adapterPath, LaplaceConfig.builder().build(), DEFAULT_BATCH_SIZE,
                McqaBatcher.Config.DEFAULT_MAX_LENGTH);
    }

    /**
     * This fit with another configuration.
     *
     * @param c the configuration
     * @return the new description
     */
    public SparkLaplaceFit withConfig(LaplaceConfig c) {
        return new SparkLaplaceFit(model, adapterPath, c, batchSize, maxLength);
    }

    /**
     * This fit with another batch size.
     *
     * @param rows rows per batch
     * @return the new description
     */
    public SparkLaplaceFit withBatchSize(int rows) {
        return new SparkLaplaceFit(model, adapterPath, config, rows, maxLength);
    }

    /**
     * This fit with another prompt length limit.
     *
     * @param tokens the longest prompt in tokens
     * @return the new description
     */
    public SparkLaplaceFit withMaxLength(int tokens) {
        return new SparkLaplaceFit(model, adapterPath, config, batchSize, tokens);
    }

    /**
     * The adapter this fit is over, on the driver: the driver JVM's shared copy (loaded once; never close it).
     *
     * @return the adapter on {@code model().shared()}'s model
     */
    public LoraAdapter driverAdapter() {
        return LaplacePartition.sharedAdapter(model, adapterPath);
    }

    /**
     * The summed statistics of every row of {@code rows}: one pass per partition on the executors, a reduction by
     * factor. Empty partitions contribute zero.
     *
     * @param rows training questions in {@link McqaFrames}' columns, with answers
     * @param classLabels the class set of the whole data (each row's labels start it)
     * @return the sums over all rows
     * @throws BayesLoraException if the frame has no rows, or as the tasks throw it (a row without an answer, a
     *     malformed row), unwrapped from Spark's task failure
     */
    public CurvatureSums statistics(Dataset<Row> rows, List<String> classLabels) {
        LaplacePartition task = LaplacePartition.of(model, adapterPath, classLabels, batchSize, maxLength, config);
        int parallelism = Math.max(1, rows.sparkSession().sparkContext().defaultParallelism());
        List<CurvatureSums> reduced = TaskFailures.unwrapped(() -> {
            JavaPairRDD<Integer, CurvatureSums> pieces = rows.javaRDD().mapPartitionsWithIndex(task, false)
                    .mapToPair(t -> t);
            // map-side combine, then one reducer per group of factors: no record holds more than one factor
            return new ArrayList<>(pieces.reduceByKey(CurvatureSums::plus, parallelism).values().collect());
        });
        if (reduced.isEmpty()) {
            throw new BayesLoraException("no training rows: the Laplace fit needs data (the frame is empty)");
        }
        CurvatureSums total = reduced.get(0);
        for (int i = 1; i < reduced.size(); i++) {
            total = total.plus(reduced.get(i)); // disjoint pieces: no arithmetic on the sums
        }
        LOG.info("Laplace statistics of {} examples from {} partitions: {} MiB of float64 sums", total.examples(),
                rows.rdd().getNumPartitions(), total.payloadBytes() >> 20);
        return total;
    }

    /**
     * Fits the posterior over every row of {@code rows}: {@link #statistics}, then the driver finishes the fit on
     * {@link #driverAdapter()} (factorisation, evidence, λ tuning as configured), recording the model and adapter
     * paths as provenance. Save it with {@link LaplacePosterior#save}; {@code bayeslora evaluate --laplace} reads it.
     *
     * @param rows training questions in {@link McqaFrames}' columns, with answers
     * @param classLabels the class set of the whole data
     * @return the posterior on the driver; close it (the adapter it borrows stays shared)
     */
    public LaplacePosterior fit(Dataset<Row> rows, List<String> classLabels) {
        LoraAdapter adapter = driverAdapter(); // first: a mismatched adapter fails here, before any task
        CurvatureSums sums = statistics(rows, classLabels);
        return LaplaceLoRA.fromStatistics(adapter, sums, config, model.path(), adapterPath);
    }

    /**
     * {@link #fit(Dataset, List)} of a dataset turned into a frame of {@code partitions} partitions.
     *
     * @param spark the session
     * @param data labelled training questions
     * @param partitions how many partitions
     * @return the posterior on the driver; close it
     */
    public LaplacePosterior fit(SparkSession spark, McqaDataset data, int partitions) {
        return fit(McqaFrames.toFrame(spark, data, partitions), data.classLabels());
    }
}
