package ai.bayeslora.lora.train.internal;

import ai.bayeslora.core.NativeScope;
import ai.bayeslora.core.Tensors;
import ai.bayeslora.core.data.EmptyDatasetException;
import ai.bayeslora.core.data.EncodedBatch;
import ai.bayeslora.core.data.McqaBatcher;
import ai.bayeslora.core.data.McqaDataset;
import ai.bayeslora.core.data.McqaExample;
import ai.bayeslora.core.mcqa.AnswerScorer;
import ai.bayeslora.core.model.AdapterBinding;
import ai.bayeslora.core.model.CausalLM;
import ai.bayeslora.core.model.ModelInput;
import ai.bayeslora.core.text.AnswerTokens;
import ai.bayeslora.lora.LoraAdapter;
import ai.bayeslora.lora.LoraKernel;
import ai.bayeslora.lora.LoraLayer;
import ai.bayeslora.lora.internal.StackedForward;
import ai.bayeslora.lora.train.EpochSummary;
import ai.bayeslora.lora.train.TrainingConfig;
import ai.bayeslora.lora.train.TrainingDataException;
import ai.bayeslora.lora.train.TrainingDivergedException;
import ai.bayeslora.lora.train.TrainingListener;
import ai.bayeslora.lora.train.TrainingObjective;
import ai.bayeslora.lora.train.TrainingResult;
import ai.bayeslora.lora.train.TrainingStep;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.OptionalDouble;
import org.bytedeco.pytorch.Generator;
import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.TensorVector;
import org.bytedeco.pytorch.global.torch;
import org.bytedeco.pytorch.global.torch.ScalarType;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The training loop (docs/METHODS.md §3–§4), for one adapter or M adapters trained together on one shared data
 * order. Each optimizer step runs one forward over the step's examples repeated for the active members
 * (member-major, one stacked {@link LoraKernel} per adapted module; a plain forward when one member is active), one
 * backward through Σ_m loss_m with loss_m = member m's {@code (1/|B|) Σ NLL + prior penalty}
 * ({@link TrainingObjective}), then clips each member's gradient to the global-norm limit on its own and applies each
 * member's own optimizer, with the run's learning-rate schedule. Rows of different members never mix, so member m's
 * gradient is that of loss_m alone: a member trained with others equals the member trained alone with the same seeds
 * and data order, up to rounding.
 *
 * <p>Per member: LoRA dropout stream, optimizer state, validation, early stopping (a member that stops leaves the
 * stacked forward; the others go on), checkpoints ({@code epoch-NNN}) and listener events. The config's seed is the
 * shared data-order seed.
 */
public final class TrainingRun implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(TrainingRun.class);

    private final CausalLM model;
    private final TrainingConfig config;
    private final McqaBatcher batcher;
    private final McqaDataset train;
    private final Optional<McqaDataset> validation;
    private final List<Member> members = new ArrayList<>();
    private final TrainingObjective objective;
    private final AnswerScorer validationScorer;
    private final int prefix;
    private final long stepsPerEpoch;
    private final long totalSteps;
    private final boolean usesDropout;
    private int completedEpochs;
    private long globalStep;

    /**
     * One member of a run.
     *
     * @param adapter its adapter (trained in place)
     * @param dropoutSeed the seed of its LoRA dropout stream
     * @param outputDir its checkpoint folder, or null for none
     * @param listeners notified of its steps and epochs
     * @param label how messages name it, e.g. "" or "ensemble member 2 (seed 9): "
     */
    public record MemberSpec(LoraAdapter adapter, long dropoutSeed, Path outputDir, List<TrainingListener> listeners,
                             String label) {
        /** Validates and copies. */
        public MemberSpec {
            Objects.requireNonNull(adapter, "adapter");
            listeners = List.copyOf(listeners);
            Objects.requireNonNull(label, "label");
        }
    }

    /**
     * @param specs the members (one LoRA layout when there are several)
     * @param config the training config; its seed is the shared data-order seed
     * @throws TrainingDataException if an example has no answer, or early stopping is set without validation data
     */
    public TrainingRun(List<MemberSpec> specs, TrainingConfig config, McqaBatcher batcher, McqaDataset train,
                       Optional<McqaDataset> validation) {
        this.config = Objects.requireNonNull(config, "config");
        this.train = Objects.requireNonNull(train, "train");
        this.validation = Objects.requireNonNull(validation, "validation");
        Objects.requireNonNull(batcher, "batcher");
        if (specs.isEmpty()) {
            throw new IllegalArgumentException("no adapters to train");
        }
        if (train.size() == 0) {
            throw new EmptyDatasetException(train.source(), "no training examples");
        }
        TrainingData.requireLabels(train, "training");
        validation.ifPresent(v -> TrainingData.requireLabels(v, "validation"));
        if (config.earlyStoppingPatience().isPresent() && validation.isEmpty()) {
            throw new TrainingDataException("early stopping (patience " + config.earlyStoppingPatience().getAsInt()
                    + ") needs validation data");
        }
        LoraAdapter first = specs.get(0).adapter();
        this.model = first.model();
        this.batcher = config.maxLength().isPresent() ? new McqaBatcher(batcher.tokenizer(), batcher.template(),
                batcher.config().withMaxLength(config.maxLength().getAsInt())) : batcher;
        AnswerScorer trainScorer = new AnswerScorer(model, AnswerTokens.of(batcher.tokenizer(), train.classLabels(), batcher.template().answerPrefix()),
                config.reduction());
        this.objective = new TrainingObjective(trainScorer, config.prior(), train.size());
        this.validationScorer = validation.map(v -> trainScorer.rescored(
                AnswerTokens.of(batcher.tokenizer(), v.classLabels(), batcher.template().answerPrefix()), config.reduction())).orElse(null);
        this.stepsPerEpoch = config.stepsPerEpoch(train.size());
        this.totalSteps = config.totalSteps(train.size());
        this.usesDropout = first.config().dropout() > 0;
        List<LoraAdapter> adapters = new ArrayList<>();
        for (int m = 0; m < specs.size(); m++) {
            LoraAdapter a = specs.get(m).adapter();
            if (a.model() != model) {
                throw new IllegalArgumentException("member " + m + "'s adapter belongs to another model");
            }
            if (!a.layers().keySet().equals(first.layers().keySet()) || a.config().dropout() != first.config().dropout()) {
                throw new IllegalArgumentException("member " + m + " adapts other modules than member 0; training "
                        + "members together needs members made from one LoraConfig");
            }
            adapters.add(a);
            members.add(new Member(m, specs.get(m)));
        }
        this.prefix = StackedForward.sharedPrefixLayers(model.numLayers(), adapters);
    }

    /** Fresh start: seeds the dropout streams. */
    public void start() {
        if (usesDropout) {
            for (Member mb : members) {
                mb.dropout = DropoutRng.seeded(mb.spec.dropoutSeed(), model.device().torchDevice());
            }
        }
        logStart();
    }

    /**
     * Restores every member from its checkpoint (parameters, optimizer, dropout stream, history, early stopping).
     *
     * @param checkpoints per member its latest {@code epoch-NNN} folder: the same epoch for every member still
     *     training, an earlier one for a member that stopped early
     * @throws ai.bayeslora.lora.train.TrainerStateException if a checkpoint does not fit this run
     * @throws IllegalStateException if the training members' checkpoints are of different epochs or steps
     */
    public void restore(List<Path> checkpoints) {
        if (checkpoints.size() != members.size()) {
            throw new IllegalArgumentException(checkpoints.size() + " checkpoints for " + members.size() + " members");
        }
        Member reference = null;
        for (Member mb : members) {
            Path ck = checkpoints.get(mb.index);
            TrainerCheckpoint.Restored r = TrainerCheckpoint.restore(ck, config, train, mb.adapter, mb.optimizer,
                    usesDropout);
            mb.dropout = r.dropout().orElse(null);
            TrainerState.Meta meta = r.meta();
            if (!meta.stoppedEarly()) {
                if (reference == null) {
                    reference = mb;
                    completedEpochs = meta.epoch();
                    globalStep = meta.globalStep();
                } else if (meta.epoch() != completedEpochs || meta.globalStep() != globalStep) {
                    throw new IllegalStateException(ck + ": member " + mb.index + " is at epoch " + meta.epoch()
                            + ", step " + meta.globalStep() + " but member " + reference.index + " is at epoch "
                            + completedEpochs + ", step " + globalStep
                            + "; resume needs the training members' checkpoints of one epoch");
                }
            } else if (reference == null) {
                completedEpochs = Math.max(completedEpochs, meta.epoch());
                globalStep = Math.max(globalStep, meta.globalStep());
            }
            mb.history.addAll(meta.history());
            mb.bestEpoch = meta.bestEpoch();
            mb.bestNll = meta.bestValidationNll();
            mb.epochsWithoutImprovement = meta.epochsWithoutImprovement();
            mb.stoppedEarly = meta.stoppedEarly();
            mb.completedEpochs = meta.epoch();
            mb.globalStep = meta.globalStep();
            mb.lastCheckpoint = Optional.of(ck.toAbsolutePath());
        }
        LOG.info("Resuming from {} after epoch {} (step {})", members.size() == 1 ? checkpoints.get(0)
                : members.size() + " members' checkpoints", completedEpochs, globalStep);
        logStart();
    }

    private void logStart() {
        Member m0 = members.get(0);
        LOG.info("Training {}{} LoRA parameters on {} examples ({} steps/epoch, {} steps): {}, lr {} ({}), prior {}, "
                        + "batch {}x{}, reduction {}{}", members.size() == 1 ? "" : members.size() + " members x ",
                String.format("%,d", m0.adapter.parameterCount()), train.size(), stepsPerEpoch, totalSteps,
                config.optimizer().describe(), config.learningRate(), config.schedule().describe(),
                config.prior().describe(), config.batchSize(), config.gradientAccumulationSteps(), config.reduction().cliName(),
                members.size() == 1 ? "" : ", shared prefix " + prefix + " layers");
    }

    /**
     * Trains the remaining epochs. Every member ends with its own result.
     *
     * @return per member its result, in member order
     */
    public List<TrainingResult> loop() {
        try (ProgressReporter progress = ProgressReporter.forConfig(config.progressBar())) {
            while (completedEpochs < config.epochs() && globalStep < totalSteps && !active().isEmpty()) {
                runEpoch(completedEpochs + 1, progress);
            }
        }
        return members.stream().map(Member::result).toList();
    }

    private List<Member> active() {
        return members.stream().filter(m -> !m.stoppedEarly).toList();
    }

    private void runEpoch(int epoch, ProgressReporter progress) {
        List<Member> act = active();
        int[] order = DataOrder.permutation(config.seed(), epoch, train.size());
        long stepsThisEpoch = Math.min(stepsPerEpoch, totalSteps - globalStep);
        progress.startEpoch(epoch, config.epochs(), stepsThisEpoch);
        int batch = config.effectiveBatchSize();
        for (Member mb : act) {
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
            StepOutcome out = step(epoch, act, examples, lr);
            globalStep++;
            seen += examples.size();
            tokens += out.tokens * act.size(); // member-tokens: comparable with M runs one after another
            double loss = 0;
            long correct = 0;
            for (int k = 0; k < act.size(); k++) {
                Member mb = act.get(k);
                mb.globalStep = globalStep;
                mb.weightedLoss += out.loss[k] * examples.size();
                mb.correct += out.correct[k];
                loss += mb.weightedLoss;
                correct += mb.correct;
            }
            double seconds = (System.nanoTime() - t0) / 1e9;
            progress.step(loss / ((double) seen * act.size()), (double) correct / ((double) seen * act.size()),
                    tokens / Math.max(seconds, 1e-9), lr);
            for (int k = 0; k < act.size(); k++) {
                Member mb = act.get(k);
                TrainingStep ts = new TrainingStep(epoch, globalStep, out.loss[k], lr, mb.adapter);
                mb.spec.listeners().forEach(l -> l.onStepEnd(ts));
            }
        }
        completedEpochs = epoch;
        StringBuilder line = new StringBuilder();
        for (Member mb : act) {
            mb.endEpoch(epoch, mb.weightedLoss / seen, (double) mb.correct / seen);
            String text = mb.epochLine();
            line.append(act.size() == 1 ? text : String.format(Locale.ROOT, "%n  member %02d: %s", mb.index, text));
        }
        progress.epochEnd(line.toString());
        for (Member mb : act) {
            EpochSummary summary = mb.summary(mb.history.get(mb.history.size() - 1));
            mb.spec.listeners().forEach(l -> l.onEpochEnd(summary));
        }
    }

    /** One optimizer step of the active members over {@code examples}, or an exception before any member's step. */
    @SuppressWarnings("try")
    private StepOutcome step(int epoch, List<Member> act, List<McqaExample> examples, double lr) {
        int n = examples.size();
        int micro = config.batchSize();
        int microBatches = (n + micro - 1) / micro;
        int count = act.size();
        double[] loss = new double[count];
        long[] correct = new long[count];
        long tokens = 0;
        try {
            for (int k = 0; k < microBatches; k++) {
                EncodedBatch eb = batcher.encode(examples.subList(k * micro, Math.min((k + 1) * micro, n)));
                for (long v : eb.attentionMask()) {
                    tokens += v;
                }
                try (NativeScope s = NativeScope.open()) {
                    // [count·b, C]; a row with fewer choices is scored over its own (METHODS §1)
                    Tensor logProbs = ai.bayeslora.core.mcqa.ClassMask.logProbs(logProbs(act, eb), eb.classCounts(),
                            act.size(), objective.scorer().reduction());
                    long b = eb.batchSize();
                    Tensor labels = eb.labelsTensor().to(logProbs.device(), ScalarType.Long);
                    Tensor total = null;
                    Tensor[] stats = new Tensor[2 * count]; // every member's loss and correct count: one host sync
                    for (int j = 0; j < count; j++) {
                        Member mb = act.get(j);
                        TrainingObjective.DataTerm d = TrainingObjective.dataTerm(
                                count == 1 ? logProbs : logProbs.narrow(0, j * b, b), labels, n);
                        // the penalty belongs to the step once: added to its first micro-batch
                        Tensor l = k == 0 ? d.loss().add(objective.penalty(mb.adapter)) : d.loss();
                        stats[j] = l.detach().to(ScalarType.Double);
                        stats[count + j] = d.correctCount().to(ScalarType.Double);
                        total = total == null ? l : total.add(l);
                    }
                    double[] values = Tensors.toDoubles(torch.stack(new TensorVector(stats)));
                    for (int j = 0; j < count; j++) {
                        if (!Double.isFinite(values[j])) {
                            throw diverged(epoch, act.get(j), "loss = " + values[j] + " (micro-batch " + (k + 1)
                                    + " of " + microBatches + ")");
                        }
                    }
                    total.backward();
                    for (int j = 0; j < count; j++) {
                        loss[j] += values[j];
                        correct[j] += (long) values[count + j];
                    }
                }
            }
            NativeScope.run(() -> {
                List<List<Tensor>> grads = new ArrayList<>(count);
                Tensor[] norms = new Tensor[count];
                try (org.bytedeco.pytorch.NoGradGuard g0 = new org.bytedeco.pytorch.NoGradGuard()) {
                    for (int j = 0; j < count; j++) {
                        List<Tensor> g = new ArrayList<>(act.get(j).params.size());
                        for (Tensor p : act.get(j).params) {
                            Tensor pg = p.grad();
                            g.add(pg.defined() ? pg : torch.zeros_like(p.detach())); // not in the graph: gradient 0
                        }
                        grads.add(g);
                        norms[j] = GradientClipping.norm(g).to(ScalarType.Double); // this member's norm only
                    }
                    double[] totals = Tensors.toDoubles(torch.stack(new TensorVector(norms))); // one host sync
                    for (int j = 0; j < count; j++) {
                        if (!Double.isFinite(totals[j])) {
                            throw diverged(epoch, act.get(j), "gradient norm = " + totals[j]);
                        }
                    }
                    for (int j = 0; j < count; j++) {
                        GradientClipping.scale(grads.get(j), totals[j], config.maxGradNorm());
                    }
                }
                for (int j = 0; j < count; j++) {
                    act.get(j).optimizer.step(act.get(j).params, grads.get(j), lr);
                }
            });
        } finally {
            clearGradients(act);
        }
        return new StepOutcome(loss, correct, tokens);
    }

    /** Class log-probabilities [count·b, C]: one member's plain forward, or the members' stacked forward. */
    private Tensor logProbs(List<Member> act, EncodedBatch eb) {
        ModelInput input = new ModelInput(eb.inputIdsTensor(), eb.attentionMaskTensor(), eb.positionIdsTensor());
        AnswerScorer scorer = objective.scorer();
        if (act.size() == 1) {
            Member mb = act.get(0);
            AdapterBinding binding = mb.dropout == null ? mb.adapter.binding()
                    : mb.adapter.dropoutBinding(mb.dropout.generator());
            return scorer.logProbs(input, binding);
        }
        List<Generator> generators = usesDropout ? act.stream().map(mb -> mb.dropout.generator()).toList() : null;
        Map<String, LoraKernel> kernels = new LinkedHashMap<>();
        for (String name : act.get(0).adapter.layers().keySet()) {
            List<LoraLayer> perMember = new ArrayList<>(act.size());
            for (Member mb : act) {
                perMember.add(mb.adapter.layers().get(name));
            }
            kernels.put(name, LoraKernel.stackedForTraining(name, perMember, generators));
        }
        AdapterBinding binding = AdapterBinding.of(kernels);
        return StackedForward.logProbs(model, scorer, input, act.size(), prefix, binding);
    }

    private TrainingDivergedException diverged(int epoch, Member mb, String what) {
        return new TrainingDivergedException(epoch, globalStep + 1, mb.spec.label() + what, mb.lastCheckpoint);
    }

    /** Sets every gradient to undefined (torch's zero_grad(set_to_none=True)). */
    private static void clearGradients(List<Member> act) {
        NativeScope.run(() -> {
            for (Member mb : act) {
                for (Tensor p : mb.params) {
                    p.mutable_grad().put(new Tensor());
                }
            }
        });
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
    private ai.bayeslora.core.model.BaseModelFingerprint baseModel;

    /** The base model's fingerprint, for checkpoints (resume refuses another base model); computed once. */
    private ai.bayeslora.core.model.BaseModelFingerprint baseModel() {
        if (baseModel == null) {
            baseModel = ai.bayeslora.core.model.BaseModelFingerprint.of(members.get(0).adapter.model());
        }
        return baseModel;
    }

    private final class Member {
        final int index;
        final MemberSpec spec;
        final LoraAdapter adapter;
        final Optional<Path> outputDir;
        final List<Tensor> params;
        final List<String> names;
        final ParameterOptimizer optimizer;
        DropoutRng dropout;
        final List<TrainerState.EpochRecord> history = new ArrayList<>();
        int bestEpoch;
        double bestNll = Double.NaN;
        int epochsWithoutImprovement;
        boolean stoppedEarly;
        int completedEpochs;
        long globalStep;
        Optional<Path> lastCheckpoint = Optional.empty();
        double weightedLoss;
        long correct;

        Member(int index, MemberSpec spec) {
            this.index = index;
            this.spec = spec;
            this.adapter = spec.adapter();
            this.outputDir = Optional.ofNullable(spec.outputDir());
            this.params = adapter.parameters();
            this.names = adapter.parameterNames();
            this.optimizer = ParameterOptimizer.create(config.optimizer());
        }

        void endEpoch(int epoch, double trainLoss, double trainAccuracy) {
            OptionalDouble valNll = OptionalDouble.empty();
            OptionalDouble valAcc = OptionalDouble.empty();
            if (validation.isPresent()) {
                Evaluator.Evaluation ev = Evaluator.evaluate(validationScorer, adapter.binding(), batcher,
                        validation.get(), config.evalBatchSize());
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
                    stoppedEarly = epoch < config.epochs() && TrainingRun.this.globalStep < totalSteps;
                }
            }
            completedEpochs = epoch;
            boolean last = stoppedEarly || epoch >= config.epochs() || TrainingRun.this.globalStep >= totalSteps;
            boolean write = outputDir.isPresent() && (config.checkpointEveryEpoch() || last);
            Optional<Path> dir = write ? Optional.of(outputDir.get().toAbsolutePath()
                    .resolve(Checkpoints.folderName(epoch))) : Optional.empty();
            history.add(new TrainerState.EpochRecord(epoch, globalStep, trainLoss, trainAccuracy, valNll, valAcc,
                    dir));
            if (write) {
                lastCheckpoint = NativeScope.noGrad(() -> Optional.of(Checkpoints.write(outputDir.get(), epoch, adapter,
                        meta(), TrainerCheckpoint.stateTensors(adapter, optimizer, Optional.ofNullable(dropout)))));
            }
            outputDir.ifPresent(d -> Checkpoints.writeAtomically(d.resolve(TrainingLog.METRICS_FILE),
                    TrainingLog.json(history, bestEpoch)));
        }

        String epochLine() {
            TrainerState.EpochRecord r = history.get(history.size() - 1);
            return String.format(Locale.ROOT, "train loss %.4f acc %.4f%s%s", r.trainLoss(), r.trainAccuracy(),
                    r.validationNll().isPresent() ? String.format(Locale.ROOT, ", validation NLL %.4f acc %.4f",
                            r.validationNll().getAsDouble(), r.validationAccuracy().getAsDouble()) : "",
                    stoppedEarly ? " (early stop: no improvement for " + epochsWithoutImprovement + " epochs)" : "");
        }

        private TrainerState.Meta meta() {
            return new TrainerState.Meta(completedEpochs, globalStep, totalSteps, stepsPerEpoch, train.size(),
                    TrainingLog.fingerprint(train), ConfigJson.of(config), optimizer.type(), optimizer.steps(),
                    dropout != null, config.seed(), names, history, bestEpoch, bestNll, epochsWithoutImprovement,
                    stoppedEarly, java.util.Optional.of(baseModel()));
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
            return new TrainingResult(epochs, best, bestCheckpoint, finalCheckpoint, globalStep, stoppedEarly);
        }
    }

    /** What one step produced, per active member. */
    private record StepOutcome(double[] loss, long[] correct, long tokens) {
    }
}
