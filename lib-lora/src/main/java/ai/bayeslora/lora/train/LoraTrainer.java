package ai.bayeslora.lora.train;

import ai.bayeslora.core.data.EmptyDatasetException;
import ai.bayeslora.core.data.EncodedBatch;
import ai.bayeslora.core.data.McqaBatcher;
import ai.bayeslora.core.data.McqaDataset;
import ai.bayeslora.core.data.McqaExample;
import ai.bayeslora.core.mcqa.AnswerScorer;
import ai.bayeslora.core.text.AnswerTokens;
import ai.bayeslora.lora.LoraAdapter;
import ai.bayeslora.lora.train.internal.Checkpoints;
import ai.bayeslora.lora.train.internal.ConfigJson;
import ai.bayeslora.lora.train.internal.DataOrder;
import ai.bayeslora.lora.train.internal.DropoutRng;
import ai.bayeslora.lora.train.internal.Evaluator;
import ai.bayeslora.lora.train.internal.GradientClipping;
import ai.bayeslora.lora.train.internal.ParameterOptimizer;
import ai.bayeslora.lora.train.internal.ProgressReporter;
import ai.bayeslora.lora.train.internal.TrainerCheckpoint;
import ai.bayeslora.lora.train.internal.TrainerState;
import ai.bayeslora.lora.train.internal.TrainingData;
import ai.bayeslora.lora.train.internal.TrainingLog;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.Optional;
import java.util.OptionalDouble;
import org.bytedeco.javacpp.PointerScope;
import org.bytedeco.pytorch.NoGradGuard;
import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.global.torch;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Fine-tunes a {@link LoraAdapter} on multiple-choice QA (METHODS.md §1–§3): cross-entropy on the class
 * log-probabilities of an {@link AnswerScorer} plus the configured {@link Prior}, optimised with AdamW or SGD, one
 * shuffled pass over the data per epoch, validation NLL and accuracy and a checkpoint after each epoch.
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
 * <p><b>Determinism.</b> The data order of epoch e is a function of (seed, e); LoRA dropout draws from a private
 * generator stream seeded by the seed. On CPU the same inputs give the same adapter bytes, and
 * {@link #resume} continues a run so that it ends with the same bytes as an uninterrupted one. On CUDA, dropout uses
 * the CUDA generator, which the trainer seeds but does not save.
 *
 * <p><b>Failure.</b> A NaN or infinite loss or gradient norm stops training with a {@link TrainingDivergedException}
 * before the step is applied; checkpoints already written stay intact.
 *
 * <p>The trainer attaches the adapter to its model and leaves it attached, in evaluation mode (dropout off). It is
 * immutable; one trainer may run several trainings one after another (not concurrently: the dropout stream is swapped
 * through the process-wide CPU generator).
 */
public final class LoraTrainer {
    private static final Logger LOG = LoggerFactory.getLogger(LoraTrainer.class);
    /** File with the per-epoch metrics of the run, next to the checkpoints. */
    public static final String METRICS_FILE = "training_metrics.json";

    private final TrainingConfig config;
    private final List<TrainingListener> listeners;

    public LoraTrainer(TrainingConfig config) {
        this(config, List.of());
    }

    private LoraTrainer(TrainingConfig config, List<TrainingListener> listeners) {
        this.config = Objects.requireNonNull(config, "config");
        this.listeners = List.copyOf(listeners);
    }

    /** A trainer that also notifies {@code listener}, after the ones already registered. */
    public LoraTrainer withListener(TrainingListener listener) {
        List<TrainingListener> all = new ArrayList<>(listeners);
        all.add(Objects.requireNonNull(listener, "listener"));
        return new LoraTrainer(config, all);
    }

    public TrainingConfig config() {
        return config;
    }

    /**
     * Trains {@code adapter} from its current parameters.
     *
     * @param adapter the adapter to train (attached to its model by this call)
     * @param batcher tokenizer, prompt template and batching settings; {@link TrainingConfig#maxLength()} overrides its
     *     max length when set
     * @param train labelled training examples; the answer tokens of its class labels are the classes
     * @param validation labelled examples for the per-epoch validation NLL and accuracy, if any
     * @param outputDir folder for checkpoints and metrics, or null for none
     * @throws TrainingDataException if an example has no answer, or early stopping is set without validation data
     * @throws TrainingDivergedException if the loss or gradient becomes NaN or infinite
     */
    public TrainingResult train(LoraAdapter adapter, McqaBatcher batcher, McqaDataset train,
                                Optional<McqaDataset> validation, Path outputDir) {
        try (Run run = new Run(adapter, batcher, train, validation, outputDir)) {
            run.start(null);
            return run.loop();
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
     * @param outputDir where the following checkpoints go (usually the parent of {@code checkpointDir}), or null
     * @throws TrainerStateException naming the file and field if the checkpoint does not fit
     */
    public TrainingResult resume(Path checkpointDir, LoraAdapter adapter, McqaBatcher batcher, McqaDataset train,
                                 Optional<McqaDataset> validation, Path outputDir) {
        Objects.requireNonNull(checkpointDir, "checkpointDir");
        try (Run run = new Run(adapter, batcher, train, validation, outputDir)) {
            run.start(checkpointDir);
            return run.loop();
        }
    }

    /** The state of one training run. */
    private final class Run implements AutoCloseable {
        private final LoraAdapter adapter;
        private final McqaBatcher batcher;
        private final McqaDataset train;
        private final Optional<McqaDataset> validation;
        private final Optional<Path> outputDir;
        private final List<Tensor> params;
        private final List<String> names;
        private final TrainingObjective objective;
        private final AnswerScorer validationScorer;
        private final ParameterOptimizer optimizer;
        private final long stepsPerEpoch;
        private final long totalSteps;
        private final boolean usesDropout;
        private DropoutRng dropout;
        private int completedEpochs;
        private long globalStep;
        private final List<TrainerState.EpochRecord> history = new ArrayList<>();
        private int bestEpoch;
        private double bestNll = Double.NaN;
        private int epochsWithoutImprovement;
        private boolean stoppedEarly;
        private Optional<Path> lastCheckpoint = Optional.empty();

        Run(LoraAdapter adapter, McqaBatcher batcher, McqaDataset train, Optional<McqaDataset> validation,
            Path outputDir) {
            this.adapter = Objects.requireNonNull(adapter, "adapter");
            Objects.requireNonNull(batcher, "batcher");
            this.train = Objects.requireNonNull(train, "train");
            this.validation = Objects.requireNonNull(validation, "validation");
            this.outputDir = Optional.ofNullable(outputDir);
            if (train.size() == 0) {
                throw new EmptyDatasetException(train.source(), "no training examples");
            }
            TrainingData.requireLabels(train, "training");
            validation.ifPresent(v -> TrainingData.requireLabels(v, "validation"));
            if (config.earlyStoppingPatience().isPresent() && validation.isEmpty()) {
                throw new TrainingDataException("early stopping (patience " + config.earlyStoppingPatience().getAsInt()
                        + ") needs validation data");
            }
            this.batcher = config.maxLength().isPresent() ? new McqaBatcher(batcher.tokenizer(), batcher.template(),
                    batcher.config().withMaxLength(config.maxLength().getAsInt())) : batcher;
            adapter.attach();
            this.params = adapter.parameters();
            this.names = adapter.parameterNames();
            AnswerScorer trainScorer = new AnswerScorer(adapter.model(),
                    AnswerTokens.of(batcher.tokenizer(), train.classLabels()), config.reduction());
            this.objective = new TrainingObjective(trainScorer, config.prior(), train.size());
            this.validationScorer = validation.map(v -> v.classLabels().equals(train.classLabels()) ? trainScorer
                    : new AnswerScorer(adapter.model(), AnswerTokens.of(batcher.tokenizer(), v.classLabels()),
                    config.reduction())).orElse(null);
            this.optimizer = ParameterOptimizer.create(config.optimizer());
            this.stepsPerEpoch = config.stepsPerEpoch(train.size());
            this.totalSteps = config.totalSteps(train.size());
            this.usesDropout = adapter.config().dropout() > 0;
        }

        /** Fresh start ({@code checkpoint == null}) or restore from a checkpoint. */
        void start(Path checkpoint) {
            boolean cuda = adapter.model().device().isCuda();
            if (checkpoint == null) {
                if (usesDropout && !cuda) {
                    dropout = DropoutRng.seeded(config.seed());
                }
            } else {
                restore(checkpoint);
            }
            if (usesDropout && cuda) {
                torch.manual_seed(config.seed());
                LOG.warn("LoRA dropout on CUDA draws from the CUDA generator: seeded, but not saved in checkpoints;"
                        + " a resumed run will not repeat the same dropout masks");
            }
            LOG.info("Training {} LoRA parameters on {} examples ({} steps/epoch, {} steps): {}, lr {} ({}), "
                            + "prior {}, batch {}x{}, reduction {}", String.format("%,d", adapter.parameterCount()),
                    train.size(), stepsPerEpoch, totalSteps, config.optimizer().describe(), config.learningRate(),
                    config.schedule().describe(), config.prior().describe(), config.batchSize(),
                    config.gradientAccumulationSteps(), config.reduction());
        }

        TrainingResult loop() {
            try (ProgressReporter progress = new ProgressReporter(config.progressBar())) {
                while (!stoppedEarly && completedEpochs < config.epochs() && globalStep < totalSteps) {
                    runEpoch(completedEpochs + 1, progress);
                }
            } finally {
                adapter.train(false);
            }
            return result();
        }

        private void runEpoch(int epoch, ProgressReporter progress) {
            adapter.train(true);
            int[] order = DataOrder.permutation(config.seed(), epoch, train.size());
            long stepsThisEpoch = Math.min(stepsPerEpoch, totalSteps - globalStep);
            progress.startEpoch(epoch, config.epochs(), stepsThisEpoch);
            int batch = config.effectiveBatchSize();
            double weightedLoss = 0;
            long correct = 0;
            long seen = 0;
            long tokens = 0;
            long t0 = System.nanoTime();
            for (long s = 0; s < stepsThisEpoch; s++) {
                int from = (int) (s * batch);
                int to = Math.min(from + batch, train.size());
                List<McqaExample> examples = new ArrayList<>(to - from);
                for (int i = from; i < to; i++) {
                    examples.add(train.get(order[i]));
                }
                double lr = config.learningRateAt(globalStep, totalSteps);
                StepOutcome out = step(epoch, examples, lr);
                globalStep++;
                weightedLoss += out.loss * examples.size();
                correct += out.correct;
                seen += examples.size();
                tokens += out.tokens;
                double seconds = (System.nanoTime() - t0) / 1e9;
                progress.step(weightedLoss / seen, (double) correct / seen, tokens / Math.max(seconds, 1e-9), lr);
                TrainingStep ts = new TrainingStep(epoch, globalStep, out.loss, lr, adapter);
                listeners.forEach(l -> l.onStepEnd(ts));
            }
            adapter.train(false);
            endEpoch(epoch, weightedLoss / seen, (double) correct / seen, progress);
        }

        private void endEpoch(int epoch, double trainLoss, double trainAccuracy, ProgressReporter progress) {
            OptionalDouble valNll = OptionalDouble.empty();
            OptionalDouble valAcc = OptionalDouble.empty();
            if (validation.isPresent()) {
                Evaluator.Evaluation ev = Evaluator.evaluate(validationScorer, batcher, validation.get(),
                        config.evalBatchSize());
                valNll = OptionalDouble.of(ev.nll());
                valAcc = OptionalDouble.of(ev.accuracy());
                if (Double.isNaN(bestNll) || ev.nll() < bestNll) {
                    bestNll = ev.nll();
                    bestEpoch = epoch;
                    epochsWithoutImprovement = 0;
                } else {
                    epochsWithoutImprovement++;
                }
                if (config.earlyStoppingPatience().isPresent()
                        && epochsWithoutImprovement >= config.earlyStoppingPatience().getAsInt()) {
                    stoppedEarly = epoch < config.epochs() && globalStep < totalSteps;
                }
            }
            completedEpochs = epoch;
            boolean last = stoppedEarly || epoch >= config.epochs() || globalStep >= totalSteps;
            Optional<Path> checkpoint = Optional.empty();
            TrainerState.EpochRecord record;
            if (outputDir.isPresent() && (config.checkpointEveryEpoch() || last)) {
                Path dir = outputDir.get().toAbsolutePath().resolve(Checkpoints.folderName(epoch));
                record = new TrainerState.EpochRecord(epoch, globalStep, trainLoss, trainAccuracy, valNll, valAcc,
                        Optional.of(dir));
                history.add(record);
                checkpoint = Optional.of(writeCheckpoint(epoch));
                lastCheckpoint = checkpoint;
            } else {
                record = new TrainerState.EpochRecord(epoch, globalStep, trainLoss, trainAccuracy, valNll, valAcc,
                        Optional.empty());
                history.add(record);
            }
            outputDir.ifPresent(d -> Checkpoints.writeAtomically(d.resolve(METRICS_FILE),
                    TrainingLog.json(history, bestEpoch)));
            progress.epochEnd(String.format(Locale.ROOT, "train loss %.4f acc %.4f%s%s", trainLoss, trainAccuracy,
                    valNll.isPresent() ? String.format(Locale.ROOT, ", validation NLL %.4f acc %.4f",
                            valNll.getAsDouble(), valAcc.getAsDouble()) : "",
                    stoppedEarly ? " (early stop: no improvement for " + epochsWithoutImprovement + " epochs)" : ""));
            EpochSummary summary = summary(record);
            listeners.forEach(l -> l.onEpochEnd(summary));
        }

        /** One optimizer step over {@code examples} (all micro-batches), or an exception before it is applied. */
        @SuppressWarnings("try")
        private StepOutcome step(int epoch, List<McqaExample> examples, double lr) {
            int m = examples.size();
            int micro = config.batchSize();
            int microBatches = (m + micro - 1) / micro;
            double loss = 0;
            long correct = 0;
            long tokens = 0;
            try {
                for (int k = 0; k < microBatches; k++) {
                    EncodedBatch eb = batcher.encode(examples.subList(k * micro, Math.min((k + 1) * micro, m)));
                    for (long v : eb.attentionMask()) {
                        tokens += v;
                    }
                    try (PointerScope s = new PointerScope()) {
                        if (dropout != null) {
                            dropout.enter();
                        }
                        try {
                            TrainingObjective.DataTerm d = objective.dataTerm(eb, m);
                            // the penalty belongs to the step once: added to its first micro-batch
                            Tensor l = k == 0 ? d.loss().add(objective.penalty(adapter)) : d.loss();
                            double value = l.item_double();
                            if (!Double.isFinite(value)) {
                                throw diverged(epoch, "loss = " + value + " (micro-batch " + (k + 1) + " of "
                                        + microBatches + ")");
                            }
                            correct += d.correct();
                            l.backward();
                            loss += value;
                        } finally {
                            if (dropout != null) {
                                dropout.exit();
                            }
                        }
                    }
                }
                try (PointerScope s = new PointerScope()) {
                    List<Tensor> grads = new ArrayList<>(params.size());
                    for (Tensor p : params) {
                        Tensor g = p.grad();
                        grads.add(g.defined() ? g : torch.zeros_like(p.detach())); // not in the graph: gradient 0
                    }
                    double norm = GradientClipping.clip(grads, config.maxGradNorm());
                    if (!Double.isFinite(norm)) {
                        throw diverged(epoch, "gradient norm = " + norm);
                    }
                    optimizer.step(params, grads, lr);
                }
            } finally {
                clearGradients();
            }
            return new StepOutcome(loss, correct, tokens);
        }

        private TrainingDivergedException diverged(int epoch, String what) {
            return new TrainingDivergedException(epoch, globalStep + 1, what, lastCheckpoint);
        }

        /** Sets every gradient to undefined (torch's zero_grad(set_to_none=True)). */
        @SuppressWarnings("try")
        private void clearGradients() {
            try (PointerScope s = new PointerScope()) {
                for (Tensor p : params) {
                    p.mutable_grad().put(new Tensor());
                }
            }
        }

        @SuppressWarnings("try")
        private Path writeCheckpoint(int epoch) {
            try (PointerScope s = new PointerScope(); NoGradGuard g = new NoGradGuard()) {
                return Checkpoints.write(outputDir.get(), epoch, adapter, meta(),
                        TrainerCheckpoint.stateTensors(adapter, optimizer, Optional.ofNullable(dropout)));
            }
        }

        private TrainerState.Meta meta() {
            return new TrainerState.Meta(completedEpochs, globalStep, totalSteps, stepsPerEpoch, train.size(),
                    TrainingLog.fingerprint(train), ConfigJson.of(config), optimizer.type(), optimizer.steps(),
                    dropout != null, config.seed(), names, history, bestEpoch, bestNll, epochsWithoutImprovement,
                    stoppedEarly);
        }

        private void restore(Path checkpoint) {
            boolean restoreDropout = usesDropout && !adapter.model().device().isCuda();
            TrainerCheckpoint.Restored r = TrainerCheckpoint.restore(checkpoint, config, train, adapter, optimizer,
                    restoreDropout);
            dropout = r.dropout().orElse(null);
            TrainerState.Meta meta = r.meta();
            completedEpochs = meta.epoch();
            globalStep = meta.globalStep();
            history.addAll(meta.history());
            bestEpoch = meta.bestEpoch();
            bestNll = meta.bestValidationNll();
            epochsWithoutImprovement = meta.epochsWithoutImprovement();
            stoppedEarly = meta.stoppedEarly();
            lastCheckpoint = Optional.of(checkpoint.toAbsolutePath());
            LOG.info("Resuming from {} after epoch {} (step {})", checkpoint, completedEpochs, globalStep);
        }

        private EpochSummary summary(TrainerState.EpochRecord r) {
            return new EpochSummary(r.epoch(), r.globalStep(), r.trainLoss(), r.trainAccuracy(), r.validationNll(),
                    r.validationAccuracy(), r.checkpoint(), adapter);
        }

        private TrainingResult result() {
            List<EpochSummary> epochs = history.stream().map(this::summary).toList();
            int best = bestEpoch > 0 ? bestEpoch : history.isEmpty() ? 0 : history.get(history.size() - 1).epoch();
            Optional<Path> bestCheckpoint = history.stream().filter(r -> r.epoch() == best).findFirst()
                    .flatMap(TrainerState.EpochRecord::checkpoint);
            Optional<Path> finalCheckpoint = history.isEmpty() ? Optional.empty()
                    : history.get(history.size() - 1).checkpoint();
            return new TrainingResult(epochs, best, bestCheckpoint, finalCheckpoint, globalStep, stoppedEarly);
        }

        @Override
        public void close() {
            optimizer.close();
            if (dropout != null) {
                dropout.close();
            }
        }
    }

    /** What one optimizer step produced. */
    private record StepOutcome(double loss, long correct, long tokens) {
    }
}
