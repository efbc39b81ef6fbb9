package ai.bayeslora.lora.train;

import ai.bayeslora.core.data.McqaBatcher;
import ai.bayeslora.core.data.McqaDataset;
import ai.bayeslora.lora.LoraAdapter;
import ai.bayeslora.lora.train.internal.TrainingLog;
import ai.bayeslora.lora.train.internal.TrainingRun;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * Fine-tunes a {@link LoraAdapter} on multiple-choice QA (docs/METHODS.md §1–§3): cross-entropy on the class
 * log-probabilities of an {@link ai.bayeslora.core.mcqa.AnswerScorer} plus the configured {@link Prior}, optimised
 * with AdamW or SGD, one shuffled pass over the data per epoch, validation NLL and accuracy and a checkpoint after each
 * epoch. It is the one-member case of the training loop that ensembles use for interleaved training
 * ({@link ai.bayeslora.lora.ensemble.EnsembleTrainer}).
 *
 * <pre>{@code
 * LoraTrainer trainer = new LoraTrainer(TrainingConfig.balabanov2024()).withListener(mySwagCollector);
 * TrainingResult r = trainer.train(adapter, batcher, train, Optional.of(validation), Path.of("runs/m1"));
 * // after a crash:
 * trainer.resume(Path.of("runs/m1/epoch-003"), adapter, batcher, train, Optional.of(validation), Path.of("runs/m1"));
 * }</pre>
 *
 * <p><b>Checkpoints</b> ({@code outputDir/epoch-NNN}, written atomically) hold the peft adapter
 * ({@code adapter_config.json}, {@code adapter_model.safetensors}, loadable by peft and {@link LoraAdapter#load}) and
 * the trainer state (optimizer moments and step, counters, data-order seed, LoRA dropout generator state, metric
 * history). {@code outputDir/training_metrics.json} holds the per-epoch metrics.
 *
 * <p><b>Determinism.</b> The data order of epoch e is a function of (seed, e); LoRA dropout draws from a private CPU
 * generator seeded by the seed (masks are drawn on the CPU, so they are the same on every device). The same inputs
 * give the same adapter bytes, and {@link #resume} continues a run so that it ends with the same bytes as an
 * uninterrupted one.
 *
 * <p><b>Failure.</b> A NaN or infinite loss or gradient norm stops training with a {@link TrainingDivergedException}
 * before the step is applied; checkpoints already written stay intact.
 *
 * <p>The trainer changes only the adapter's parameters, never the model; other threads may use the model (with other
 * adapters) meanwhile. The trainer is immutable; one trainer may run several trainings, also concurrently on
 * different adapters.
 */
public final class LoraTrainer {
    /** File with the per-epoch metrics of the run, next to the checkpoints. */
    public static final String METRICS_FILE = TrainingLog.METRICS_FILE;

    private final TrainingConfig config;
    private final List<TrainingListener> listeners;

    /**
     * @param config the training configuration
     */
    public LoraTrainer(TrainingConfig config) {
        this(config, List.of());
    }

    private LoraTrainer(TrainingConfig config, List<TrainingListener> listeners) {
        this.config = Objects.requireNonNull(config, "config");
        this.listeners = List.copyOf(listeners);
    }

    /**
     * A trainer that also notifies {@code listener}, after the ones already registered.
     *
     * @param listener notified after every step and epoch
     * @return the new trainer
     */
    public LoraTrainer withListener(TrainingListener listener) {
        List<TrainingListener> all = new ArrayList<>(listeners);
        all.add(Objects.requireNonNull(listener, "listener"));
        return new LoraTrainer(config, all);
    }

    /** {@return the training configuration} */
    public TrainingConfig config() {
        return config;
    }

    /**
     * Trains {@code adapter} from its current parameters.
     *
     * @param adapter the adapter to train
     * @param batcher tokenizer, prompt template and batching settings; {@link TrainingConfig#maxLength()} overrides its
     *     max length when set
     * @param train labelled training examples; the answer tokens of its class labels are the classes
     * @param validation labelled examples for the per-epoch validation NLL and accuracy, if any
     * @param outputDir folder for checkpoints and metrics, or null for none
     * @return the per-epoch summaries and checkpoints
     * @throws TrainingDataException if an example has no answer, or early stopping is set without validation data
     * @throws TrainingDivergedException if the loss or gradient becomes NaN or infinite
     */
    public TrainingResult train(LoraAdapter adapter, McqaBatcher batcher, McqaDataset train,
                                Optional<McqaDataset> validation, Path outputDir) {
        try (TrainingRun run = run(adapter, batcher, train, validation, outputDir)) {
            run.start();
            return run.loop().get(0);
        }
    }

    /**
     * Continues the run that wrote {@code checkpointDir}: restores the parameters (in their training dtype), optimizer
     * state, step counters, metric history and dropout generator state, then trains the remaining epochs. The
     * arguments must describe the same run: the same training data (checked by a fingerprint of ids and answers) and
     * config (all fields but {@code evalBatchSize}, {@code earlyStoppingPatience}, {@code checkpointEveryEpoch} and
     * {@code progressBar}); the adapter must have the same parameter names and shapes, e.g.
     * {@code LoraAdapter.load(checkpointDir, model)}.
     *
     * @param checkpointDir an {@code epoch-NNN} folder written by this trainer
     * @param adapter the adapter to restore and train
     * @param batcher as for {@link #train}
     * @param train the same training data
     * @param validation validation data, if any
     * @param outputDir where the following checkpoints go (usually the parent of {@code checkpointDir}), or null
     * @return the result of the whole run, history included
     * @throws TrainerStateException naming the file and field if the checkpoint does not fit
     */
    public TrainingResult resume(Path checkpointDir, LoraAdapter adapter, McqaBatcher batcher, McqaDataset train,
                                 Optional<McqaDataset> validation, Path outputDir) {
        Objects.requireNonNull(checkpointDir, "checkpointDir");
        try (TrainingRun run = run(adapter, batcher, train, validation, outputDir)) {
            run.restore(List.of(checkpointDir));
            return run.loop().get(0);
        }
    }

    private TrainingRun run(LoraAdapter adapter, McqaBatcher batcher, McqaDataset train,
                            Optional<McqaDataset> validation, Path outputDir) {
        return new TrainingRun(List.of(new TrainingRun.MemberSpec(adapter, config.seed(), outputDir, listeners, "")),
                config, batcher, train, validation);
    }
}
