package ai.bayeslora.lora.ensemble.internal;

import ai.bayeslora.core.data.EmptyDatasetException;
import ai.bayeslora.core.data.EncodedBatch;
import ai.bayeslora.core.data.McqaBatcher;
import ai.bayeslora.core.data.McqaDataset;
import ai.bayeslora.core.data.McqaExample;
import ai.bayeslora.core.mcqa.AnswerScorer;
import ai.bayeslora.core.model.CausalLM;
import ai.bayeslora.core.model.ModelInput;
import ai.bayeslora.core.text.AnswerTokens;
import ai.bayeslora.lora.LoraAdapter;
import ai.bayeslora.lora.LoraLayer;
import ai.bayeslora.lora.train.EpochSummary;
import ai.bayeslora.lora.train.LoraTrainer;
import ai.bayeslora.lora.train.TrainingConfig;
import ai.bayeslora.lora.train.TrainingDivergedException;
import ai.bayeslora.lora.train.TrainingListener;
import ai.bayeslora.lora.train.TrainingObjective;
import ai.bayeslora.lora.train.TrainingResult;
import ai.bayeslora.lora.train.TrainingStep;
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
import org.bytedeco.pytorch.global.torch.ScalarType;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Interleaved ensemble training (issue 3 §4): M members train together on one shared data order. Each optimizer step
 * runs one forward over the step's examples repeated M times member-major ([M·B, L]) with a
 * {@link StackedTrainingLayer} per adapted module, takes one backward through Σ_m loss_m (loss_m = member m's
 * {@code (1/|B|) Σ NLL + prior penalty}, as {@link TrainingObjective}), then clips each member's gradient to the
 * global-norm limit on its own and applies each member's own optimizer, all with the run's learning-rate schedule.
 * Per member: A initialisation (done by the caller), LoRA dropout stream, optimizer state, validation, checkpoints
 * ({@code member-MM/epoch-NNN}, the same files as {@link LoraTrainer} writes) and listener events.
 *
 * <p>The config's seed is the shared data-order seed. A member's checkpoint is a valid {@link LoraTrainer}
 * checkpoint of a run with that seed, and stores the member's own dropout stream.
 */
public final class InterleavedRun implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(InterleavedRun.class);

    private final CausalLM model;
    private final TrainingConfig config;
    private final McqaBatcher batcher;
    private final McqaDataset train;
    private final Optional<McqaDataset> validation;
    private final List<Member> members = new ArrayList<>();
    private final AnswerScorer trainScorer;
    private final AnswerScorer validationScorer;
    private final int prefix;
    private final long stepsPerEpoch;
    private final long totalSteps;
    private final boolean usesDropout;
    private final boolean cuda;
    private int completedEpochs;
    private long globalStep;

    /**
     * @param adapters the members' adapters (one LoRA config, freshly initialised or to be restored)
     * @param dropoutSeeds per member, the seed of its LoRA dropout stream
     * @param config the training config; its seed is the shared data-order seed
     * @param outputDirs per member its output folder, or null for no checkpoints
     * @param listeners per member its listener or null
     */
    public InterleavedRun(CausalLM model, List<LoraAdapter> adapters, List<Long> dropoutSeeds, TrainingConfig config,
                          McqaBatcher batcher, McqaDataset train, Optional<McqaDataset> validation,
                          List<Path> outputDirs, List<TrainingListener> listeners) {
        this.model = Objects.requireNonNull(model, "model");
        this.config = Objects.requireNonNull(config, "config");
        this.train = Objects.requireNonNull(train, "train");
        this.validation = Objects.requireNonNull(validation, "validation");
        Objects.requireNonNull(batcher, "batcher");
        if (adapters.isEmpty()) {
            throw new IllegalArgumentException("no members");
        }
        if (train.size() == 0) {
            throw new EmptyDatasetException(train.source(), "no training examples");
        }
        if (config.earlyStoppingPatience().isPresent()) {
            throw new IllegalArgumentException("early stopping (patience " + config.earlyStoppingPatience().getAsInt()
                    + ") is not supported in INTERLEAVED ensemble training, where all members share every step;"
                    + " train without it and pick an epoch checkpoint per member, or use SEQUENTIAL mode");
        }
        TrainingData.requireLabels(train, "training");
        validation.ifPresent(v -> TrainingData.requireLabels(v, "validation"));
        this.batcher = config.maxLength().isPresent() ? new McqaBatcher(batcher.tokenizer(), batcher.template(),
                batcher.config().withMaxLength(config.maxLength().getAsInt())) : batcher;
        this.trainScorer = new AnswerScorer(model, AnswerTokens.of(batcher.tokenizer(), train.classLabels()),
                config.reduction());
        this.validationScorer = validation.map(v -> v.classLabels().equals(train.classLabels()) ? trainScorer
                : new AnswerScorer(model, AnswerTokens.of(batcher.tokenizer(), v.classLabels()), config.reduction()))
                .orElse(null);
        this.stepsPerEpoch = config.stepsPerEpoch(train.size());
        this.totalSteps = config.totalSteps(train.size());
        this.usesDropout = adapters.get(0).config().dropout() > 0;
        this.cuda = model.device().isCuda();
        this.prefix = BatchedForward.sharedPrefixLayers(model.numLayers(), adapters);
        for (int m = 0; m < adapters.size(); m++) {
            LoraAdapter a = adapters.get(m);
            if (a.model() != model) {
                throw new IllegalArgumentException("member " + m + "'s adapter belongs to another model");
            }
            if (!a.layers().keySet().equals(adapters.get(0).layers().keySet())
                    || a.config().dropout() != adapters.get(0).config().dropout()) {
                throw new IllegalArgumentException("member " + m + " adapts other modules than member 0; interleaved"
                        + " training needs members made from one LoraConfig");
            }
            members.add(new Member(m, a, dropoutSeeds.get(m), outputDirs == null ? null : outputDirs.get(m),
                    listeners == null ? null : listeners.get(m)));
        }
    }

    /** Fresh start: seeds the dropout streams. */
    public void start() {
        if (usesDropout && !cuda) {
            for (Member mb : members) {
                mb.dropout = DropoutRng.seeded(mb.dropoutSeed);
            }
        }
        startCommon();
    }

    /**
     * Restores every member from {@code member-MM/epoch-NNN} (parameters, optimizer, dropout stream, history).
     *
     * @param checkpoints per member its checkpoint folder of the same epoch
     * @throws ai.bayeslora.lora.train.TrainerStateException if a checkpoint does not fit this run
     * @throws IllegalStateException if the members' checkpoints are of different epochs or steps
     */
    public void restore(List<Path> checkpoints) {
        boolean restoreDropout = usesDropout && !cuda;
        for (Member mb : members) {
            Path ck = checkpoints.get(mb.index);
            TrainerCheckpoint.Restored r = TrainerCheckpoint.restore(ck, config, train, mb.adapter, mb.optimizer,
                    restoreDropout);
            mb.dropout = r.dropout().orElse(null);
            TrainerState.Meta meta = r.meta();
            if (mb.index == 0) {
                completedEpochs = meta.epoch();
                globalStep = meta.globalStep();
            } else if (meta.epoch() != completedEpochs || meta.globalStep() != globalStep) {
                throw new IllegalStateException(ck + ": member " + mb.index + " is at epoch " + meta.epoch()
                        + ", step " + meta.globalStep() + " but member 0 is at epoch " + completedEpochs + ", step "
                        + globalStep + "; resume needs all members' checkpoints of one interleaved epoch");
            }
            mb.history.addAll(meta.history());
            mb.bestEpoch = meta.bestEpoch();
            mb.bestNll = meta.bestValidationNll();
            mb.epochsWithoutImprovement = meta.epochsWithoutImprovement();
            mb.lastCheckpoint = Optional.of(ck.toAbsolutePath());
        }
        LOG.info("Resuming interleaved ensemble training after epoch {} (step {})", completedEpochs, globalStep);
        startCommon();
    }

    private void startCommon() {
        if (usesDropout && cuda) {
            torch.manual_seed(config.seed());
            LOG.warn("LoRA dropout on CUDA draws from the CUDA generator: all members share one seeded stream, which"
                    + " checkpoints do not save");
        }
        LOG.info("Interleaved training of {} members x {} LoRA parameters on {} examples ({} steps/epoch, {} steps):"
                        + " {}, lr {} ({}), prior {}, batch {}x{} (x{} members per pass), shared prefix {} layers",
                members.size(), String.format("%,d", members.get(0).adapter.parameterCount()), train.size(),
                stepsPerEpoch, totalSteps, config.optimizer().describe(), config.learningRate(),
                config.schedule().describe(), config.prior().describe(), config.batchSize(),
                config.gradientAccumulationSteps(), members.size(), prefix);
    }

    /** Trains the remaining epochs; per member the result. The members' adapters end in evaluation mode. */
    public List<TrainingResult> loop() {
        try (ProgressReporter progress = new ProgressReporter(config.progressBar())) {
            while (completedEpochs < config.epochs() && globalStep < totalSteps) {
                runEpoch(completedEpochs + 1, progress);
            }
        }
        return members.stream().map(Member::result).toList();
    }

    private void runEpoch(int epoch, ProgressReporter progress) {
        int[] order = DataOrder.permutation(config.seed(), epoch, train.size());
        long stepsThisEpoch = Math.min(stepsPerEpoch, totalSteps - globalStep);
        progress.startEpoch(epoch, config.epochs(), stepsThisEpoch);
        int batch = config.effectiveBatchSize();
        for (Member mb : members) {
            mb.weightedLoss = 0;
            mb.correct = 0;
        }
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
            seen += examples.size();
            tokens += out.tokens * members.size(); // member-tokens: comparable with M sequential runs
            double loss = 0;
            long correct = 0;
            for (Member mb : members) {
                mb.weightedLoss += out.loss[mb.index] * examples.size();
                mb.correct += out.correct[mb.index];
                loss += mb.weightedLoss;
                correct += mb.correct;
            }
            double seconds = (System.nanoTime() - t0) / 1e9;
            progress.step(loss / (seen * members.size()), (double) correct / (seen * members.size()),
                    tokens / Math.max(seconds, 1e-9), lr);
            for (Member mb : members) {
                if (mb.listener != null) {
                    mb.listener.onStepEnd(new TrainingStep(epoch, globalStep, out.loss[mb.index], lr, mb.adapter));
                }
            }
        }
        completedEpochs = epoch;
        boolean last = epoch >= config.epochs() || globalStep >= totalSteps;
        StringBuilder line = new StringBuilder();
        for (Member mb : members) {
            mb.endEpoch(epoch, mb.weightedLoss / seen, (double) mb.correct / seen, last);
            line.append(String.format(Locale.ROOT, "%n  member %02d: train loss %.4f acc %.4f", mb.index,
                    mb.weightedLoss / seen, (double) mb.correct / seen));
            mb.history.get(mb.history.size() - 1).validationNll().ifPresent(v -> line.append(String.format(
                    Locale.ROOT, ", validation NLL %.4f acc %.4f", v,
                    mb.history.get(mb.history.size() - 1).validationAccuracy().getAsDouble())));
        }
        progress.epochEnd(line.toString());
        for (Member mb : members) {
            if (mb.listener != null) {
                mb.listener.onEpochEnd(mb.summary(mb.history.get(mb.history.size() - 1)));
            }
        }
    }

    /** One optimizer step of every member over {@code examples}, or an exception before any member's step. */
    @SuppressWarnings("try")
    private StepOutcome step(int epoch, List<McqaExample> examples, double lr) {
        int n = examples.size();
        int micro = config.batchSize();
        int microBatches = (n + micro - 1) / micro;
        int count = members.size();
        double[] loss = new double[count];
        long[] correct = new long[count];
        long tokens = 0;
        try {
            for (int k = 0; k < microBatches; k++) {
                EncodedBatch eb = batcher.encode(examples.subList(k * micro, Math.min((k + 1) * micro, n)));
                for (long v : eb.attentionMask()) {
                    tokens += v;
                }
                try (PointerScope s = new PointerScope()) {
                    Tensor logProbs = stackedLogProbs(eb); // [M·b, C]
                    long b = eb.batchSize();
                    Tensor labels = eb.labelsTensor().to(logProbs.device(), ScalarType.Long);
                    Tensor total = null;
                    double[] values = new double[count];
                    for (Member mb : members) {
                        TrainingObjective.DataTerm d = TrainingObjective.dataTerm(
                                logProbs.narrow(0, mb.index * b, b), labels, n);
                        // the penalty belongs to the step once: added to its first micro-batch
                        Tensor l = k == 0 ? d.loss().add(config.prior().stepPenalty(mb.adapter, train.size()))
                                : d.loss();
                        values[mb.index] = l.item_double();
                        if (!Double.isFinite(values[mb.index])) {
                            throw diverged(epoch, mb, "loss = " + values[mb.index] + " (micro-batch " + (k + 1)
                                    + " of " + microBatches + ")");
                        }
                        correct[mb.index] += d.correct();
                        total = total == null ? l : total.add(l);
                    }
                    total.backward();
                    for (int m = 0; m < count; m++) {
                        loss[m] += values[m];
                    }
                }
            }
            try (PointerScope s = new PointerScope()) {
                List<List<Tensor>> grads = new ArrayList<>(count);
                for (Member mb : members) {
                    List<Tensor> g = new ArrayList<>(mb.params.size());
                    for (Tensor p : mb.params) {
                        Tensor pg = p.grad();
                        g.add(pg.defined() ? pg : torch.zeros_like(p.detach())); // not in the graph: gradient 0
                    }
                    double norm = GradientClipping.clip(g, config.maxGradNorm()); // this member's norm only
                    if (!Double.isFinite(norm)) {
                        throw diverged(epoch, mb, "gradient norm = " + norm);
                    }
                    grads.add(g);
                }
                for (Member mb : members) {
                    mb.optimizer.step(mb.params, grads.get(mb.index), lr);
                }
            }
        } finally {
            clearGradients();
        }
        return new StepOutcome(loss, correct, tokens);
    }

    /** Class log-probabilities [M·b, C] of the micro-batch repeated M times, each member's LoRA on its rows. */
    @SuppressWarnings("try")
    private Tensor stackedLogProbs(EncodedBatch eb) {
        List<DropoutRng> streams = null;
        if (usesDropout && !cuda) {
            streams = members.stream().map(mb -> mb.dropout).toList();
        }
        double p = members.get(0).adapter.config().dropout();
        try (AdapterSwap swap = AdapterSwap.clearAll(model)) {
            for (String name : members.get(0).adapter.layers().keySet()) {
                List<LoraLayer> perMember = new ArrayList<>(members.size());
                for (Member mb : members) {
                    perMember.add(mb.adapter.layers().get(name));
                }
                model.linear(name).setAdapter(StackedTrainingLayer.stack(name, perMember, p, streams));
            }
            ModelInput input = new ModelInput(eb.inputIdsTensor(), eb.attentionMaskTensor(), eb.positionIdsTensor());
            return trainScorer.logProbsFromHidden(BatchedForward.lastHidden(model, input, members.size(), prefix));
        }
    }

    private TrainingDivergedException diverged(int epoch, Member mb, String what) {
        return new TrainingDivergedException(epoch, globalStep + 1, "ensemble member " + mb.index + " (seed "
                + mb.dropoutSeed + "): " + what, mb.lastCheckpoint);
    }

    @SuppressWarnings("try")
    private void clearGradients() {
        try (PointerScope s = new PointerScope()) {
            for (Member mb : members) {
                for (Tensor p : mb.params) {
                    p.mutable_grad().put(new Tensor());
                }
            }
        }
    }

    @Override
    public void close() {
        for (Member mb : members) {
            mb.optimizer.close();
            if (mb.dropout != null) {
                mb.dropout.close();
                mb.dropout = null;
            }
        }
    }

    /** One member's training state. */
    private final class Member {
        final int index;
        final LoraAdapter adapter;
        final long dropoutSeed;
        final Optional<Path> outputDir;
        final TrainingListener listener;
        final List<Tensor> params;
        final List<String> names;
        final ParameterOptimizer optimizer;
        DropoutRng dropout;
        final List<TrainerState.EpochRecord> history = new ArrayList<>();
        int bestEpoch;
        double bestNll = Double.NaN;
        int epochsWithoutImprovement;
        Optional<Path> lastCheckpoint = Optional.empty();
        double weightedLoss;
        long correct;

        Member(int index, LoraAdapter adapter, long dropoutSeed, Path outputDir, TrainingListener listener) {
            this.index = index;
            this.adapter = adapter;
            this.dropoutSeed = dropoutSeed;
            this.outputDir = Optional.ofNullable(outputDir);
            this.listener = listener;
            this.params = adapter.parameters();
            this.names = adapter.parameterNames();
            this.optimizer = ParameterOptimizer.create(config.optimizer());
        }

        @SuppressWarnings("try")
        void endEpoch(int epoch, double trainLoss, double trainAccuracy, boolean last) {
            OptionalDouble valNll = OptionalDouble.empty();
            OptionalDouble valAcc = OptionalDouble.empty();
            if (validation.isPresent()) {
                Evaluator.Evaluation ev;
                try (AdapterSwap swap = AdapterSwap.clearAll(model)) {
                    adapter.train(false);
                    adapter.attach();
                    ev = Evaluator.evaluate(validationScorer, batcher, validation.get(), config.evalBatchSize());
                }
                valNll = OptionalDouble.of(ev.nll());
                valAcc = OptionalDouble.of(ev.accuracy());
                if (Double.isNaN(bestNll) || ev.nll() < bestNll) {
                    bestNll = ev.nll();
                    bestEpoch = epoch;
                    epochsWithoutImprovement = 0;
                } else {
                    epochsWithoutImprovement++;
                }
            }
            boolean write = outputDir.isPresent() && (config.checkpointEveryEpoch() || last);
            Optional<Path> dir = write ? Optional.of(outputDir.get().toAbsolutePath()
                    .resolve(Checkpoints.folderName(epoch))) : Optional.empty();
            history.add(new TrainerState.EpochRecord(epoch, globalStep, trainLoss, trainAccuracy, valNll, valAcc,
                    dir));
            if (write) {
                try (PointerScope s = new PointerScope(); NoGradGuard g = new NoGradGuard()) {
                    lastCheckpoint = Optional.of(Checkpoints.write(outputDir.get(), epoch, adapter, meta(),
                            TrainerCheckpoint.stateTensors(adapter, optimizer, Optional.ofNullable(dropout))));
                }
            }
            outputDir.ifPresent(d -> Checkpoints.writeAtomically(d.resolve(LoraTrainer.METRICS_FILE),
                    TrainingLog.json(history, bestEpoch)));
        }

        private TrainerState.Meta meta() {
            return new TrainerState.Meta(completedEpochs, globalStep, totalSteps, stepsPerEpoch, train.size(),
                    TrainingLog.fingerprint(train), ConfigJson.of(config), optimizer.type(), optimizer.steps(),
                    dropout != null, config.seed(), names, history, bestEpoch, bestNll, epochsWithoutImprovement,
                    false);
        }

        EpochSummary summary(TrainerState.EpochRecord r) {
            return new EpochSummary(r.epoch(), r.globalStep(), r.trainLoss(), r.trainAccuracy(), r.validationNll(),
                    r.validationAccuracy(), r.checkpoint(), adapter);
        }

        TrainingResult result() {
            List<EpochSummary> epochs = history.stream().map(this::summary).toList();
            int best = bestEpoch > 0 ? bestEpoch : history.isEmpty() ? 0 : history.get(history.size() - 1).epoch();
            Optional<Path> bestCheckpoint = history.stream().filter(r -> r.epoch() == best).findFirst()
                    .flatMap(TrainerState.EpochRecord::checkpoint);
            Optional<Path> finalCheckpoint = history.isEmpty() ? Optional.empty()
                    : history.get(history.size() - 1).checkpoint();
            return new TrainingResult(epochs, best, bestCheckpoint, finalCheckpoint, globalStep, false);
        }
    }

    /** What one step produced, per member. */
    private record StepOutcome(double[] loss, long[] correct, long tokens) {
    }
}
