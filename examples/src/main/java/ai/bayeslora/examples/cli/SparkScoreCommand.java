package ai.bayeslora.examples.cli;

import ai.bayeslora.core.data.McqaDataset;
import ai.bayeslora.core.data.PaperPrompts;
import ai.bayeslora.core.io.AtomicOutput;
import ai.bayeslora.core.mcqa.ClassReduction;
import ai.bayeslora.laplace.LinearizedPredictive;
import ai.bayeslora.spark.McqaFrames;
import ai.bayeslora.spark.PosteriorKind;
import ai.bayeslora.spark.ScoredMetrics;
import ai.bayeslora.spark.SparkModel;
import ai.bayeslora.spark.UncertaintyScorer;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.Callable;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.functions;
import org.apache.spark.storage.StorageLevel;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** {@code bayeslora spark score}: a posterior's predictive uncertainty for every row of a table, on Spark. */
@Command(name = "score", mixinStandardHelpOptions = true, usageHelpAutoWidth = true, sortOptions = false,
        header = "Scores a table of questions with a posterior's uncertainty on Spark and writes Parquet.",
        description = {"Scores every question of --data (any MCQA file, read here and distributed) or --frame (a "
            + "Parquet table with the McqaFrames columns, read by Spark) with one posterior, as evaluate does, and "
            + "writes OUT/scores (Parquet: the input columns plus probabilities, prediction, confidence, "
            + "predictive_entropy, expected_entropy, mutual_information) and, when every row has an answer, "
            + "OUT/metrics.json. The posterior is one of:",
            "  --ensemble DIR              a saved LoRA ensemble (or a train-ensemble --out)",
            "  --adapter DIR               a single peft adapter (MAP, one sample)",
            "  --swag DIR [--adapter DIR]  a SWAG posterior (a swag --out folder works)",
            "  --laplace DIR               a Laplace-LoRA posterior (laplace fit --out)",
            "With --data the rows are split into partitions of whole --eval-batch-size batches, so every row's "
                + "numbers equal evaluate's with the same options (docs/SPARK.md, \"Scoring\").",
            ""})
final class SparkScoreCommand implements Callable<Integer> {
    @Mixin SparkOptions sparkOptions = new SparkOptions();
    @Mixin SparkLocations modelOptions = new SparkLocations();
    @Mixin PromptOption promptOption = new PromptOption();
    @Mixin AveragingOption averagingOption = new AveragingOption();

    @Option(names = "--ensemble", paramLabel = "DIR|URI", description = "Saved LoRA ensemble folder (a local folder "
        + "or a Hadoop URI, as --model).") String ensemble;

    @Option(names = "--swag", paramLabel = "DIR|URI", description = "SWAG posterior folder (or a swag --out folder).")
    String swag;

    @Option(names = "--laplace", paramLabel = "DIR|URI",
            description = "Laplace posterior folder (laplace fit --out).")
    String laplace;

    @Option(names = "--link", defaultValue = "mc", converter = CliEnums.Link.class, paramLabel = "mc|probit",
            description = "Laplace linearised predictive: mc (--samples logit samples, default 100) or probit.")
    LinearizedPredictive.Link link;

    @Option(names = "--sampled", paramLabel = "S",
            description = "Laplace: the weight-space predictive with S samples instead of the linearised one.")
    Integer sampled;

    @Option(names = "--samples", paramLabel = "S",
            description = "SWAG samples (default: the posterior's S) or Laplace MC logit samples (default: 100).")
    Integer samples;

    @Mixin DataOptions dataOptions = new DataOptions();

    @Option(names = "--frame", paramLabel = "PATH", description = {"A Parquet file or folder with the McqaFrames "
        + "columns (question, choices; labels, answer, id optional), read by Spark: a local path or a Hadoop URI. "
        + "Instead of --data."})
    String frame;

    @Option(names = "--partitions", paramLabel = "N",
            description = "Partitions of the --data rows (default: Spark's default parallelism).")
    Integer partitions;

    @Option(names = "--ece-bins", defaultValue = "15", paramLabel = "BINS",
            description = "ECE bins (default: ${DEFAULT-VALUE}).")
    int eceBins;

    @Option(names = "--reduction", paramLabel = "answer-tokens|full-vocab", converter = CliEnums.Reduction.class,
            description = "Class probabilities (default: the ensemble's saved reduction, else answer-tokens).")
    ClassReduction reduction;

    @Mixin BatchSizeOptions batchSizeOptions = new BatchSizeOptions();

    @Option(names = "--seed", defaultValue = "0", paramLabel = "SEED",
            description = "Sampling seed (default: ${DEFAULT-VALUE}).")
    long seed;

    @Option(names = "--out", required = true, paramLabel = "DIR|URI", description = {"Output folder: scores "
        + "(Parquet) and metrics.json. A local folder (on a cluster: one the executors share), or a Hadoop URI "
        + "(hdfs://, s3a://, file:) written by Spark into a hidden sibling and renamed into place."})
    String out;

    @Mixin OverwriteOption overwrite = new OverwriteOption();

    @Override
    public Integer call() {
        int kinds = (ensemble != null ? 1 : 0) + (swag != null ? 1 : 0) + (laplace != null ? 1 : 0);
        if (kinds > 1) {
            throw new IllegalArgumentException("choose one posterior: --ensemble, --swag or --laplace");
        }
        if (kinds == 0 && modelOptions.adapter == null) {
            throw new IllegalArgumentException("no posterior: pass --ensemble DIR, --adapter DIR, --swag DIR or "
                    + "--laplace DIR");
        }
        if ((laplace != null || ensemble != null) && modelOptions.adapter != null) {
            throw new IllegalArgumentException("--adapter combines only with --swag");
        }
        if (sampled != null && (laplace == null || sampled < 1)) {
            throw new IllegalArgumentException("--sampled S needs --laplace DIR and S >= 1");
        }
        if (eceBins < 1 || (samples != null && samples < 1) || (partitions != null && partitions < 1)) {
            throw new IllegalArgumentException("--ece-bins, --samples and --partitions must be positive");
        }
        if ((frame == null) == (dataOptions.data == null)) {
            throw new IllegalArgumentException("give one of --data SET (read here) or --frame PATH (Parquet with the "
                    + "McqaFrames columns, read by Spark)");
        }
        int batchSize = batchSizeOptions.evalBatchSize();
        String modelLocation = modelOptions.modelLocation();
        SparkLocations.folder("--adapter", modelOptions.adapter);
        SparkLocations.folder("--ensemble", ensemble);
        SparkLocations.folder("--swag", swag);
        SparkLocations.folder("--laplace", laplace);
        OutputGuard guard = new OutputGuard("spark-score", overwrite.overwrite)
                .inputs(SparkLocations.localPath(modelLocation), SparkLocations.localPath(modelOptions.adapter),
                        SparkLocations.localPath(ensemble), SparkLocations.localPath(swag),
                        SparkLocations.localPath(laplace), dataOptions.path(),
                        frame == null || SparkLocations.isRemote(frame) ? null : Path.of(frame));
        boolean hadoopOut = HadoopFolderOutput.applies(out);
        if (!hadoopOut) {
            guard.checkFolder("--out", Path.of(out));
        }
        if (modelOptions.model == null) {
            System.err.println("note: no --model: using the bundled tiny model (random weights, 2 layers); the "
                    + "pipeline runs, the numbers mean nothing.");
        }
        String promptName = promptOption.name("mmlu");
        McqaDataset data = null;
        PaperPrompts.Style style;
        if (dataOptions.data != null) {
            PaperPrompts.Prepared prepared = PromptOption.prepare(promptName, dataOptions.load());
            data = prepared.dataset();
            style = prepared.style();
        } else {
            style = switch (promptName) {
                case "mmlu" -> PaperPrompts.Style.MMLU;
                case "balabanov2024" -> PaperPrompts.Style.BALABANOV_CQA;
                default -> throw new IllegalArgumentException("--prompt " + promptName + " depends on the data set; "
                        + "with --frame use mmlu or balabanov2024 (or --data)");
            };
        }
        UncertaintyScorer scorer = scorer(modelLocation, style, batchSize);
        try (SparkOptions.OpenSession open = sparkOptions.open("spark score")) {
            SparkSession spark = open.spark();
            if (hadoopOut) {
                HadoopFolderOutput.check(spark, out, overwrite.overwrite);
            }
            Dataset<Row> input = data != null ? batchAligned(spark, data, batchSize) : spark.read().parquet(frame);
            if (data != null) {
                scorer.setClassLabels(data.classLabels());
            }
            Dataset<Row> scored = scorer.transform(input).persist(StorageLevel.MEMORY_AND_DISK());
            boolean labelled = data != null ? data.examples().stream().allMatch(e -> e.hasAnswer())
                    : Arrays.asList(input.columns()).contains(McqaFrames.ANSWER)
                    && input.filter(functions.col(McqaFrames.ANSWER).isNull()
                            .or(functions.col(McqaFrames.ANSWER).lt(0))).isEmpty();
            System.err.println("spark score: " + describe() + " on " + (data != null ? data.source() + " ("
                    + data.size() + " questions)" : frame) + ", " + input.rdd().getNumPartitions() + " partitions, "
                    + "batches of " + batchSize);
            ScoredMetrics[] metrics = new ScoredMetrics[1];
            ObjectMapper json = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);
            if (hadoopOut) {
                HadoopFolderOutput.write(spark, out, "cli:spark-score", overwrite.overwrite, (tmp, fs) -> {
                    scored.write().parquet(tmp + "/scores");
                    if (labelled) {
                        metrics[0] = ScoredMetrics.of(scored, scorer, McqaFrames.ANSWER, eceBins);
                        try (java.io.OutputStream o = fs.create(new org.apache.hadoop.fs.Path(tmp, "metrics.json"))) {
                            o.write((json.writeValueAsString(metrics[0]) + "\n")
                                    .getBytes(java.nio.charset.StandardCharsets.UTF_8));
                        }
                    }
                });
            } else {
                AtomicOutput.writeFolder(Path.of(out), "cli:spark-score", guard.replace(), tmp -> {
                    scored.write().parquet(tmp.resolve("scores").toString());
                    if (labelled) {
                        metrics[0] = ScoredMetrics.of(scored, scorer, McqaFrames.ANSWER, eceBins);
                        AtomicOutput.writeString(tmp.resolve("metrics.json"),
                                json.writeValueAsString(metrics[0]) + "\n");
                    }
                });
            }
            scored.unpersist();
            if (metrics[0] != null) {
                System.out.print(metrics[0].table());
                System.out.println(metrics[0].summary());
            } else {
                System.out.println("no metrics: some rows have no answer");
            }
            System.out.println("scores: " + out + "/scores");
            return 0;
        } catch (Exception e) { // SparkException is checked, and Scala throws it undeclared
            throw ai.bayeslora.spark.internal.TaskFailures.unwrap(e);
        }
    }

    private UncertaintyScorer scorer(String modelLocation, PaperPrompts.Style style, int batchSize) {
        String posterior = ensemble != null ? ensemble : swag != null ? swag : laplace != null ? laplace
                : modelOptions.adapter;
        PosteriorKind kind = ensemble != null ? PosteriorKind.ENSEMBLE : swag != null ? PosteriorKind.SWAG
                : laplace != null ? PosteriorKind.LAPLACE : PosteriorKind.ADAPTER;
        UncertaintyScorer s = new UncertaintyScorer()
                .setModel(new SparkModel(modelLocation, modelOptions.device, modelOptions.dtype,
                        style))
                .setPosteriorPath(posterior).setPosteriorKind(kind).setLaplaceLink(link)
                .setLaplaceSampled(sampled == null ? 0 : sampled).setSamples(samples == null ? 0 : samples)
                .setSeed(seed).setReduction(reduction).setAveraging(averagingOption.averaging())
                .setBatchSize(batchSize);
        if (swag != null && modelOptions.adapter != null) {
            s.setSwagAdapterPath(modelOptions.adapter);
        }
        return s;
    }

    private String describe() {
        if (ensemble != null) {
            return "ensemble " + ensemble;
        }
        if (swag != null) {
            return "SWAG " + swag;
        }
        if (laplace != null) {
            return "Laplace " + laplace + (sampled != null ? ", weight-space predictive, S = " + sampled
                    : ", linearised predictive (" + CliEnums.name(link) + ")");
        }
        return "adapter " + modelOptions.adapter;
    }

    /**
     * The questions as a frame whose partitions hold whole batches in order (batch k of the dataset is batch k of
     * some partition), so every row is scored in the batch evaluate would put it in.
     */
    private Dataset<Row> batchAligned(SparkSession spark, McqaDataset d, int batchSize) {
        List<Row> rows = McqaFrames.toRows(d);
        List<List<Row>> batches = new ArrayList<>();
        for (int i = 0; i < rows.size(); i += batchSize) {
            batches.add(new ArrayList<>(rows.subList(i, Math.min(rows.size(), i + batchSize))));
        }
        int p = partitions != null ? partitions : spark.sparkContext().defaultParallelism();
        return spark.createDataFrame(JavaSparkContext.fromSparkContext(spark.sparkContext())
                .parallelize(batches, Math.max(1, Math.min(p, batches.size()))).flatMap(List::iterator),
                McqaFrames.SCHEMA);
    }

}
