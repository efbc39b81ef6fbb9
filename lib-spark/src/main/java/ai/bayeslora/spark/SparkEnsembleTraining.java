package ai.bayeslora.spark;

import ai.bayeslora.core.data.EmptyDatasetException;
import ai.bayeslora.core.data.McqaDataset;
import ai.bayeslora.lora.LoraConfig;
import ai.bayeslora.lora.ensemble.EnsembleTrainer;
import ai.bayeslora.lora.ensemble.EnsembleTrainingRun;
import ai.bayeslora.lora.train.TrainingConfig;
import ai.bayeslora.lora.train.TrainingDataException;
import ai.bayeslora.lora.train.internal.TrainingData;
import ai.bayeslora.spark.internal.EnsembleFolders;
import ai.bayeslora.spark.internal.FinalEnsembleTask;
import ai.bayeslora.spark.internal.LoraSpec;
import ai.bayeslora.spark.internal.MemberProgress;
import ai.bayeslora.spark.internal.MemberTask;
import ai.bayeslora.spark.internal.TaskFailures;
import ai.bayeslora.spark.internal.TrainingRows;
import ai.bayeslora.core.data.McqaExample;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.UUID;
import java.util.stream.IntStream;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.broadcast.Broadcast;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A deep ensemble trained as Spark tasks (docs/SPARK.md, "Training ensemble members as tasks"): member m is task m
 * of one job ({@code parallelize(0..M-1, M)}), trained exactly as {@link EnsembleTrainer} trains it in SEQUENTIAL
 * mode in one process ({@link EnsembleTrainer#trainMember}: seed {@code baseSeed + m}, the same configurations, the
 * same {@code member-MM/epoch-NNN} checkpoints), so the output folder is the one {@code train-ensemble} writes under
 * {@code OUT/ensemble} and {@link ai.bayeslora.lora.ensemble.LoraEnsemble#load} reads the saved ensemble.
 *
 * <pre>{@code
 * SparkEnsembleTraining.Result r = SparkEnsembleTraining.builder(SparkModel.of("/models/llama"))
 *         .members(5).epochs(3).lora(loraConfig).training(trainingConfig)
 *         .finalEnsemble(Path.of("/shared/run/ensemble-final"))
 *         .build().train(spark, trainSet, Path.of("/shared/run/ensemble"));
 * }</pre>
 *
 * <p><b>Devices.</b> Each task uses {@link SparkModel#shared()}: one model per executor JVM, shared by its
 * concurrent tasks (adapters are bound per call). With {@code spark.task.resource.gpu.amount=1} and the model's
 * device {@code auto}, each task trains on the GPU Spark assigned to it.
 *
 * <p><b>Resume and retries.</b> Every task continues from its member's latest epoch checkpoint in the output folder,
 * so a task that Spark retries after a failure resumes after the last epoch the failed attempt finished (bit-exact
 * on the CPU, like {@code train-ensemble --resume}), and a rerun of a finished run trains nothing and writes no
 * member file. Checkpoints that belong to another run (other settings or data) are refused
 * ({@link ai.bayeslora.lora.train.TrainerStateException}).
 *
 * <p><b>Storage.</b> The output folder must be readable and writable by the driver and every executor at the same
 * path: a local folder in local mode, a shared mount (NFS, a cluster file system) on a cluster. Hadoop URIs are
 * refused.
 *
 * <p>Instances are immutable; {@link #train} may be called again (it resumes).
 */
public final class SparkEnsembleTraining {
    private static final Logger LOG = LoggerFactory.getLogger(SparkEnsembleTraining.class);

    private final SparkModel model;
    private final EnsembleTrainer trainer;
    private final McqaDataset validation;
    private final Path finalEnsemble;
    private final SparkTrainingListener listener;

    private SparkEnsembleTraining(Builder b) {
        this.model = b.model;
        TrainingConfig t = b.epochs == null ? b.training : b.training.toBuilder().epochs(b.epochs).build();
        this.trainer = new EnsembleTrainer(b.lora, t, b.members, b.seed);
        this.validation = b.validation;
        this.finalEnsemble = b.finalEnsemble;
        this.listener = b.listener;
    }

    /**
     * A builder on {@code model} with every setting at its default (those of {@link EnsembleTrainingRun}).
     *
     * @param model the base model the executors load
     * @return a new builder
     */
    public static Builder builder(SparkModel model) {
        return new Builder(model);
    }

    /** {@return the base model the executors load} */
    public SparkModel model() {
        return model;
    }

    /**
     * The single-process SEQUENTIAL trainer these settings describe: its seeds, configurations and folder layout are
     * those of the tasks.
     *
     * @return the trainer (a new one per call)
     */
    public EnsembleTrainer trainer() {
        return new EnsembleTrainer(trainer.lora(), trainer.training(), trainer.members(), trainer.baseSeed());
    }

    /**
     * What a training job produced.
     *
     * @param outputDir the ensemble folder (absolute) holding {@code member-MM/epoch-NNN}
     * @param members per member what its task did, in member order
     * @param finalEnsemble the saved ensemble folder, if {@link Builder#finalEnsemble} was set
     */
    public record Result(Path outputDir, List<SparkMemberResult> members, Optional<Path> finalEnsemble) {
        /**
         * Copies the member list.
         *
         * @param outputDir the ensemble folder
         * @param members per member its task's result
         * @param finalEnsemble the saved ensemble folder, if any
         */
        public Result {
            Objects.requireNonNull(outputDir, "outputDir");
            members = List.copyOf(members);
            Objects.requireNonNull(finalEnsemble, "finalEnsemble");
        }
    }

    /**
     * Trains (or continues) every member as a Spark task, then saves the final ensemble if asked. The data is
     * checked on the driver first; it must already be in the prompt format of {@link SparkModel#prompt()}
     * ({@code PaperPrompts.prepare}).
     *
     * @param spark the session
     * @param train the labelled training data
     * @param outputDir the ensemble folder (parent of {@code member-MM/}), shared by the driver and every executor
     * @return per member its result
     * @throws TrainingDataException if a question has no answer, or early stopping is set without validation data
     * @throws ai.bayeslora.core.io.OutputConflictException if the folder holds files ensemble training did not write
     * @throws ai.bayeslora.core.BayesLoraException (or a subtype, such as
     *     {@link ai.bayeslora.lora.train.TrainerStateException}) thrown by a task, unwrapped from Spark's job failure
     */
    public Result train(SparkSession spark, McqaDataset train, Path outputDir) {
        Objects.requireNonNull(spark, "spark");
        Objects.requireNonNull(train, "train");
        checkData(train);
        Path out = EnsembleFolders.prepare(Objects.requireNonNull(outputDir, "outputDir"));
        int m = trainer.members();
        JavaSparkContext sc = JavaSparkContext.fromSparkContext(spark.sparkContext());
        Broadcast<TrainingRows> trainRows = sc.broadcast(TrainingRows.of(spark, train));
        Broadcast<TrainingRows> validationRows = validation == null ? null
                : sc.broadcast(TrainingRows.of(spark, validation));
        MemberTask task = new MemberTask(model, m, trainer.baseSeed(), LoraSpec.of(trainer.lora()),
                MemberTask.json(trainer.training()), trainRows, validationRows, out.toString(), listener);
        if (Boolean.parseBoolean(spark.conf().get("spark.speculation", "false"))) {
            // a speculative copy of a member's task would write the same checkpoints at the same time
            LOG.warn("spark.speculation is on: a member's task may run twice at once and both copies write its "
                    + "checkpoints; turn it off for ensemble training");
        }
        String group = "bayeslora-ensemble-" + UUID.randomUUID();
        MemberProgress progress = new MemberProgress(group, m);
        spark.sparkContext().addSparkListener(progress);
        LOG.info("training {} ensemble members as {} Spark tasks into {} ({} epochs, base seed {})", m, m, out,
                trainer.training().epochs(), trainer.baseSeed());
        List<SparkMemberResult> results;
        try {
            sc.setJobGroup(group, "bayeslora: train " + m + " ensemble members into " + out, false);
            results = new ArrayList<>(sc.parallelize(IntStream.range(0, m).boxed().toList(), m).map(task).collect());
        } catch (Exception e) {
            throw TaskFailures.unwrap(e);
        } finally {
            sc.clearJobGroup();
            spark.sparkContext().removeSparkListener(progress);
            trainRows.destroy();
            if (validationRows != null) {
                validationRows.destroy();
            }
        }
        results.sort(Comparator.comparingInt(SparkMemberResult::member));
        Optional<Path> saved = Optional.empty();
        if (finalEnsemble != null) {
            saved = Optional.of(saveFinal(sc, train, results));
        }
        return new Result(out, results, saved);
    }

    /**
     * As {@link #train(SparkSession, McqaDataset, Path)} for training questions given as rows of
     * {@link McqaFrames#SCHEMA} (collected to the driver: a fine-tuning set, not a corpus). The class set is the
     * longest {@value McqaFrames#LABELS} list of the rows (each row's labels start it).
     *
     * @param spark the session
     * @param rows the training questions, one row each, in training order
     * @param source the data's name in messages and checkpoints (for example the table's name)
     * @param outputDir the ensemble folder, shared by the driver and every executor
     * @return per member its result
     * @throws EmptyDatasetException if there are no rows
     * @throws ai.bayeslora.core.BayesLoraException naming the row and column of an invalid row
     */
    public Result train(SparkSession spark, Dataset<Row> rows, String source, Path outputDir) {
        List<Row> collected = rows.collectAsList();
        if (collected.isEmpty()) {
            throw new EmptyDatasetException(source, "no rows");
        }
        List<McqaExample> examples = new ArrayList<>(collected.size());
        List<String> classes = List.of();
        for (int i = 0; i < collected.size(); i++) {
            McqaExample e = McqaFrames.toExample(collected.get(i), i);
            examples.add(e);
            classes = e.labels().size() > classes.size() ? e.labels() : classes;
        }
        McqaDataset train;
        try {
            train = McqaDataset.of(source, classes, examples);
        } catch (IllegalArgumentException e) {
            throw new TrainingDataException(e.getMessage());
        }
        return train(spark, train, outputDir);
    }

    /** The checks the trainer makes, on the driver, before any task is launched. */
    private void checkData(McqaDataset train) {
        TrainingData.requireLabels(train, "training");
        if (validation != null) {
            TrainingData.requireLabels(validation, "validation");
        }
        if (trainer.training().earlyStoppingPatience().isPresent() && validation == null) {
            throw new TrainingDataException("early stopping (patience "
                    + trainer.training().earlyStoppingPatience().getAsInt() + ") needs validation data");
        }
    }

    private Path saveFinal(JavaSparkContext sc, McqaDataset train, List<SparkMemberResult> results) {
        Path target = finalEnsemble.toAbsolutePath().normalize();
        FinalEnsembleTask task = new FinalEnsembleTask(model,
                new ArrayList<>(results.stream().map(SparkMemberResult::finalCheckpoint).toList()),
                new ArrayList<>(results.stream().map(SparkMemberResult::seed).toList()),
                new ArrayList<>(train.classLabels()), trainer.training().reduction(), target.toString());
        try {
            sc.setJobDescription("bayeslora: save the ensemble to " + target);
            sc.parallelize(List.of(0), 1).map(task).collect();
        } catch (Exception e) {
            throw TaskFailures.unwrap(e);
        }
        LOG.info("saved the ensemble of {} members to {}", results.size(), target);
        return target;
    }

    /** The settings of a {@link SparkEnsembleTraining}; every one has a default. */
    public static final class Builder {
        private final SparkModel model;
        /** M; default {@link EnsembleTrainingRun#DEFAULT_MEMBERS}. */
        private int members = EnsembleTrainingRun.DEFAULT_MEMBERS;
        /** Member m's seed is {@code seed + m}; default 0. */
        private long seed;
        /** Default {@code LoraConfig.builder().build()}. */
        private LoraConfig lora = LoraConfig.builder().build();
        /** Default {@link TrainingConfig#defaults()}. */
        private TrainingConfig training = TrainingConfig.defaults();
        /** Replaces the training configuration's epochs when set; default unset. */
        private Integer epochs;
        /** Default: none. */
        private McqaDataset validation;
        /** Default: none (the members' checkpoints only). */
        private Path finalEnsemble;
        /** Default: none. */
        private SparkTrainingListener listener;

        private Builder(SparkModel model) {
            this.model = Objects.requireNonNull(model, "model");
        }

        /**
         * Sets the number of members M (one Spark task each).
         *
         * @param m M ≥ 1 (default {@value EnsembleTrainingRun#DEFAULT_MEMBERS})
         * @return this builder
         * @throws IllegalArgumentException if {@code m < 1}
         */
        public Builder members(int m) {
            if (m < 1) {
                throw new IllegalArgumentException("an ensemble needs M >= 1 members, got " + m);
            }
            this.members = m;
            return this;
        }

        /**
         * Sets the base seed: member m uses {@code seed + m} (A initialisation, dropout, data order).
         *
         * @param value the base seed (default 0)
         * @return this builder
         */
        public Builder seed(long value) {
            this.seed = value;
            return this;
        }

        /**
         * Sets every member's adapter layout.
         *
         * @param config the LoRA configuration (default {@code LoraConfig.builder().build()})
         * @return this builder
         */
        public Builder lora(LoraConfig config) {
            this.lora = Objects.requireNonNull(config, "lora");
            return this;
        }

        /**
         * Sets the training configuration; its seed is replaced per member, its epochs by {@link #epochs} if set.
         *
         * @param config the configuration (default {@link TrainingConfig#defaults()})
         * @return this builder
         */
        public Builder training(TrainingConfig config) {
            this.training = Objects.requireNonNull(config, "training");
            return this;
        }

        /**
         * Sets the number of epochs, overriding the training configuration's.
         *
         * @param n epochs ≥ 1
         * @return this builder
         * @throws IllegalArgumentException if {@code n < 1}
         */
        public Builder epochs(int n) {
            if (n < 1) {
                throw new IllegalArgumentException("epochs must be at least 1, got " + n);
            }
            this.epochs = n;
            return this;
        }

        /**
         * Sets a labelled validation set, evaluated by each task after each epoch (early stopping, best epoch).
         *
         * @param set the validation data, or null for none (the default)
         * @return this builder
         */
        public Builder validation(McqaDataset set) {
            this.validation = set;
            return this;
        }

        /**
         * Sets the folder the final ensemble is saved to after training ({@code ensemble.json} and the members'
         * final adapters; {@code train-ensemble}'s {@code OUT/ensemble-final}), written by one more task.
         *
         * @param dir the folder, shared like the output folder, or null for none (the default)
         * @return this builder
         */
        public Builder finalEnsemble(Path dir) {
            this.finalEnsemble = dir;
            return this;
        }

        /**
         * Sets a listener called in the tasks (progress, tests).
         *
         * @param value the listener, or null for none (the default)
         * @return this builder
         */
        public Builder listener(SparkTrainingListener value) {
            this.listener = value;
            return this;
        }

        /** {@return the training these settings describe} */
        public SparkEnsembleTraining build() {
            return new SparkEnsembleTraining(this);
        }
    }
}
