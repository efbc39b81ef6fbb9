package ai.bayeslora.spark.internal;

import ai.bayeslora.BayesLora;
import ai.bayeslora.core.data.McqaDataset;
import ai.bayeslora.lora.ensemble.EnsembleTrainer;
import ai.bayeslora.lora.train.EpochSummary;
import ai.bayeslora.lora.train.TrainingConfig;
import ai.bayeslora.lora.train.TrainingListener;
import ai.bayeslora.lora.train.TrainingResult;
import ai.bayeslora.lora.train.internal.ConfigJson;
import ai.bayeslora.spark.SparkMemberResult;
import ai.bayeslora.spark.SparkModel;
import ai.bayeslora.spark.SparkTrainingListener;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.file.Path;
import java.util.Locale;
import java.util.Optional;
import org.apache.spark.SparkEnv;
import org.apache.spark.TaskContext;
import org.apache.spark.api.java.function.Function;
import org.apache.spark.broadcast.Broadcast;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The Spark task of one ensemble member: {@link EnsembleTrainer#trainMember} on the executor's shared model, always
 * resuming from the member's latest checkpoint in the shared output folder (a retried attempt continues where the
 * failed one stopped; a finished member is only loaded).
 *
 * @param model the base model every task loads once per executor JVM
 * @param members M
 * @param baseSeed member m's seed is {@code baseSeed + m}
 * @param lora the adapter layout
 * @param trainingJson the training configuration ({@link ConfigJson})
 * @param train the training rows
 * @param validation the validation rows, or null
 * @param outputDir the ensemble folder every executor writes to
 * @param listener the caller's listener, or null
 */
public record MemberTask(SparkModel model, int members, long baseSeed, LoraSpec lora, String trainingJson,
                         Broadcast<TrainingRows> train, Broadcast<TrainingRows> validation, String outputDir,
                         SparkTrainingListener listener) implements Function<Integer, SparkMemberResult> {
    private static final long serialVersionUID = 1L;
    private static final Logger LOG = LoggerFactory.getLogger(MemberTask.class);

    /**
     * The training configuration in its serialized form.
     *
     * @param config the configuration
     * @return its JSON
     */
    public static String json(TrainingConfig config) {
        return ConfigJson.of(config).toString();
    }

    @Override
    public SparkMemberResult call(Integer boxed) {
        int m = boxed;
        long t0 = System.nanoTime();
        TaskContext task = TaskContext.get();
        int attempt = task == null ? 0 : task.attemptNumber();
        TrainingConfig training;
        try {
            training = ConfigJson.parse(new ObjectMapper().readTree(trainingJson));
        } catch (IOException e) {
            throw new IllegalStateException("training config: " + e.getMessage(), e);
        }
        BayesLora shared = model.shared();
        McqaDataset trainSet = train.value().dataset();
        Optional<McqaDataset> validationSet = validation == null ? Optional.empty()
                : Optional.of(validation.value().dataset());
        Path out = Path.of(outputDir);
        EnsembleTrainer trainer = new EnsembleTrainer(lora.config(), training, members, baseSeed)
                .withListeners(i -> i == m ? epochLog(m, attempt, training.epochs()) : null);
        int resumedFrom = ai.bayeslora.lora.train.internal.Checkpoints.latestEpoch(EnsembleTrainer.memberDir(out, m));
        LOG.info("member {} of {} (seed {}), attempt {} on {}: {}", m, members, trainer.seed(m), attempt,
                shared.device().name(), resumedFrom == 0 ? "starts" : "resumes after epoch " + resumedFrom);
        if (listener != null) {
            listener.memberStarted(m, attempt, resumedFrom);
        }
        EnsembleTrainer.MemberRun run = trainer.trainMember(m, shared.model(), shared.batcher(), trainSet,
                validationSet, out, true);
        try {
            TrainingResult r = run.result();
            String checkpoint = r.finalCheckpoint().map(Path::toString).orElseThrow(() ->
                    new IllegalStateException("member " + m + ": no final checkpoint in " + out));
            SparkEnv env = SparkEnv.get();
            return new SparkMemberResult(m, trainer.seed(m), attempt, run.resumedFromEpoch(), run.alreadyFinished(),
                    r.epochs().stream().map(EpochSummary::trainLoss).toList(), r.globalSteps(), r.stoppedEarly(),
                    checkpoint, env == null ? "?" : env.executorId(), (System.nanoTime() - t0) / 1e9);
        } finally {
            run.adapter().close();
        }
    }

    /** The per-epoch log line of member m, then the caller's listener. */
    private TrainingListener epochLog(int m, int attempt, int epochs) {
        return new TrainingListener() {
            @Override
            public void onEpochEnd(EpochSummary s) {
                LOG.info(String.format(Locale.ROOT, "member %d epoch %d/%d (attempt %d): train loss %.4f acc %.4f%s",
                        m, s.epoch(), epochs, attempt, s.trainLoss(), s.trainAccuracy(),
                        s.checkpoint().map(p -> " -> " + p).orElse("")));
                if (listener != null) {
                    listener.epochEnded(m, attempt, s);
                }
            }
        };
    }
}
