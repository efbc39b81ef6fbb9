package ai.bayeslora.lora.ensemble;

import ai.bayeslora.core.model.BaseModelFingerprint;
import ai.bayeslora.core.ComputeDevice;
import ai.bayeslora.core.CudaMemory;
import ai.bayeslora.core.MemoryRetry;
import ai.bayeslora.core.model.ActivationMemory;
import ai.bayeslora.core.NativeScope;
import ai.bayeslora.core.data.EncodedBatch;
import ai.bayeslora.core.mcqa.AnswerScorer;
import ai.bayeslora.core.mcqa.ClassReduction;
import ai.bayeslora.core.model.CausalLM;
import ai.bayeslora.core.model.ModelInput;
import ai.bayeslora.core.text.AnswerTokens;
import ai.bayeslora.lora.LoraAdapter;
import ai.bayeslora.lora.ensemble.internal.BatchedForward;
import ai.bayeslora.lora.ensemble.internal.EnsembleFolder;
import ai.bayeslora.lora.ensemble.internal.SequentialForward;
import ai.bayeslora.uncertainty.PosteriorPredictive;
import ai.bayeslora.uncertainty.ProbabilitySamples;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Objects;
import java.util.OptionalLong;
import java.util.Set;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A deep ensemble of M LoRA adapters on one frozen base model (docs/METHODS.md §4). The base weights are held once: every
 * member is a {@link LoraAdapter} of the same {@link CausalLM} object. {@link #predict} returns the members' class
 * probabilities [M, B, C]; their mean is the ensemble predictive and the spread its epistemic uncertainty.
 *
 * <p>Members are evaluated {@linkplain EnsembleInference#BATCHED batched} (one forward over M·B rows, shared base
 * GEMMs, stacked LoRA matmuls, optionally a shared unadapted prefix) or {@linkplain EnsembleInference#SEQUENTIAL one
 * after another}, always in evaluation mode (no LoRA dropout). The model is never changed: each forward takes the
 * members' adapters as a binding, so predictions from several threads, and other posteriors on the same model, run
 * side by side.
 *
 * <p>The ensemble owns its members: {@link #close()} closes them (not the model).
 */
public final class LoraEnsemble implements PosteriorPredictive, AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(LoraEnsemble.class);

    private final CausalLM model;
    private final List<LoraAdapter> members;
    private final List<OptionalLong> seeds;
    private final AnswerTokens answers;
    private final EnsembleOptions options;
    /** Examples per pass that fitted: after an out-of-memory error later batches start where it worked. */
    private final MemoryRetry.Ceiling passCeiling = new MemoryRetry.Ceiling();
    private boolean closed;

    private LoraEnsemble(CausalLM model, List<LoraAdapter> members, List<OptionalLong> seeds, AnswerTokens answers,
                         EnsembleOptions options) {
        this.model = model;
        this.members = List.copyOf(members);
        this.seeds = List.copyOf(seeds);
        this.answers = answers;
        this.options = options;
    }

    /**
     * A builder for an ensemble on {@code model} scoring the classes of {@code answers}.
     *
     * @param model the shared base model
     * @param answers the class set
     * @return the builder
     */
    public static Builder builder(CausalLM model, AnswerTokens answers) {
        return new Builder(model, answers);
    }

    /**
     * Loads an ensemble folder written by {@link #save}, with default options and the manifest's class reduction.
     *
     * @param model the shared base model
     * @param answers the class set
     * @param dir an ensemble folder
     * @return the ensemble; close it to free the members' adapters
     * @throws EnsembleFormatException if {@code ensemble.json} is missing or malformed, or a member folder is missing
     * @throws BaseModelMismatchException if the ensemble was saved for another base model
     */
    public static LoraEnsemble load(Path dir, CausalLM model, AnswerTokens answers) {
        return load(dir, model, answers, null);
    }

    /**
     * Loads an ensemble folder with the given options (their reduction wins over the manifest's); null options mean
     * the defaults with the manifest's reduction.
     *
     * @param model the shared base model
     * @param answers the class set
     * @param dir an ensemble folder
     * @param options inference options, or null
     * @return the ensemble; close it to free the members' adapters
     */
    public static LoraEnsemble load(Path dir, CausalLM model, AnswerTokens answers, EnsembleOptions options) {
        EnsembleFolder.Loaded loaded = EnsembleFolder.load(dir, model);
        EnsembleOptions opts = options != null ? options
                : EnsembleOptions.builder().reduction(loaded.manifest().reduction()).build();
        List<OptionalLong> seeds = loaded.manifest().members().stream().map(EnsembleManifest.Member::seed).toList();
        LoraEnsemble e = new LoraEnsemble(model, loaded.members(), seeds, Objects.requireNonNull(answers, "answers"),
                opts);
        if (!e.classLabels().equals(loaded.manifest().classLabels())) {
            LOG.info("{}: ensemble saved with classes {}, now scoring {}", dir, loaded.manifest().classLabels(),
                    e.classLabels());
        }
        return e;
    }

    /**
     * Writes the ensemble as {@code dir/member-00/}, {@code member-01/}, … (peft adapter folders) plus
     * {@code ensemble.json}, atomically: a crash leaves the previous folder (if any) intact.
     *
     * @param dir the ensemble folder
     */
    public void save(Path dir) {
        save(dir, ai.bayeslora.core.io.AtomicOutput.Replace.OWN);
    }

    /**
     * As {@link #save(Path)}, with {@code replace} saying which existing folder may be replaced (by default only an
     * empty one or one this library wrote).
     *
     * @param dir the ensemble folder
     * @param replace which existing folder may be replaced
     */
    public void save(Path dir, ai.bayeslora.core.io.AtomicOutput.Replace replace) {
        checkOpen();
        List<EnsembleManifest.Member> entries = new ArrayList<>();
        for (int m = 0; m < members.size(); m++) {
            entries.add(new EnsembleManifest.Member(EnsembleManifest.folderName(m), seeds.get(m)));
        }
        EnsembleFolder.save(dir, members, new EnsembleManifest(EnsembleManifest.FORMAT_VERSION, entries,
                BaseModelFingerprint.of(model), options.reduction(), classLabels()), replace);
    }

    /** Member class probabilities [M, B, C] with this ensemble's options. */
    @Override
    public ProbabilitySamples predict(EncodedBatch batch) {
        return predict(batch, options);
    }

    /**
     * Member class probabilities [M, B, C] with other options (e.g. to compare inference modes on the same members).
     * The class labels follow {@code opts.reduction()}.
     *
     * @param batch an encoded batch
     * @param opts the options of this call only
     * @return the members' class probabilities [M, B, C]
     */
    public ProbabilitySamples predict(EncodedBatch batch, EnsembleOptions opts) {
        return predict(batch, answers, opts);
    }

    private ProbabilitySamples predict(EncodedBatch batch, AnswerTokens scored, EnsembleOptions opts) {
        checkOpen();
        AnswerScorer scorer = new AnswerScorer(model, scored, opts.reduction());
        int first = examplesPerPass(batch, opts);
        // an out-of-memory error halves the examples per pass and tries again; later batches start where it fitted
        return MemoryRetry.halving(first, name() + ": examples per forward pass", passCeiling, perPass -> {
            if (perPass >= batch.batchSize()) {
                return predictRows(batch, scorer, opts);
            }
            List<ProbabilitySamples> parts = new ArrayList<>();
            for (int from = 0; from < batch.batchSize(); from += perPass) {
                parts.add(predictRows(rows(batch, from, Math.min(batch.batchSize(), from + perPass)), scorer, opts));
            }
            return ProbabilitySamples.concat(parts);
        });
    }

    /**
     * Examples per forward pass: the whole batch sequentially; in batched mode (M rows per example) what
     * {@link EnsembleOptions#maxRowsPerPass} allows, or with no limit set, on CUDA what 70 % of the device's free
     * memory holds by {@link ActivationMemory#inferenceBytesPerRow} (the whole batch on the CPU).
     */
    private int examplesPerPass(EncodedBatch batch, EnsembleOptions opts) {
        int b = batch.batchSize();
        int m = members.size();
        if (opts.inference() == EnsembleInference.SEQUENTIAL) {
            return b;
        }
        if (opts.maxRowsPerPass() > 0) {
            return Math.min(b, Math.max(1, opts.maxRowsPerPass() / m));
        }
        ComputeDevice device = model.device();
        if (!device.isCuda()) {
            return b;
        }
        long perRow = ActivationMemory.inferenceBytesPerRow(model.config(), batch.length(),
                device.dtype().byteSize());
        return rowsWithin((long) (0.7 * CudaMemory.freeBytes(device.index())), perRow, m, b);
    }

    /** Examples (M rows each) whose activations fit {@code budget}: between 1 and the batch. */
    static int rowsWithin(long budget, long bytesPerRow, int members, int batch) {
        long examples = budget / Math.max(1, bytesPerRow * members);
        return (int) Math.max(1, Math.min(batch, examples));
    }

    /** One pass (batched) or M passes (sequential) over the batch, without gradients, in its own scope. */
    private ProbabilitySamples predictRows(EncodedBatch batch, AnswerScorer scorer, EnsembleOptions opts) {
        double[] logProbs = NativeScope.noGrad(() -> {
            ModelInput input = new ModelInput(batch.inputIdsTensor(), batch.attentionMaskTensor(),
                    batch.positionIdsTensor());
            return opts.inference() == EnsembleInference.SEQUENTIAL
                    ? new SequentialForward(model, scorer, members).logProbs(input)
                    : new BatchedForward(model, scorer, members, opts.prefixSharing()).logProbs(input);
        });
        return samples(logProbs, batch.batchSize(), scorer.numClasses(), scorer.classLabels());
    }

    private ProbabilitySamples samples(double[] logProbs, int b, int c, List<String> labels) {
        double[] p = new double[logProbs.length];
        for (int i = 0; i < p.length; i++) {
            p[i] = Math.exp(logProbs[i]);
        }
        return new ProbabilitySamples(p, members.size(), b, c, labels);
    }

    /** Rows [from, to) of a batch (same length L; left padding stays valid). */
    private static EncodedBatch rows(EncodedBatch b, int from, int to) {
        int l = b.length();
        return new EncodedBatch(b.exampleIds().subList(from, to), Arrays.copyOfRange(b.inputIds(), from * l, to * l),
                Arrays.copyOfRange(b.attentionMask(), from * l, to * l),
                Arrays.copyOfRange(b.positionIds(), from * l, to * l), Arrays.copyOfRange(b.labels(), from, to),
                to - from, l, 0, b.classCounts() == null ? null : Arrays.copyOfRange(b.classCounts(), from, to));
    }

    /** The predictive's class labels: the answer letters, plus "other" under the full-vocabulary reduction. */
    @Override
    public List<String> classLabels() {
        return options.reduction().classLabels(answers.labels());
    }

    @Override
    public ClassReduction reduction() {
        return options.reduction();
    }

    /**
     * A view of this ensemble scoring another answer set or reduction (same members; closing the ensemble ends it).
     */
    @Override
    public PosteriorPredictive rescored(AnswerTokens otherAnswers, ClassReduction reduction) {
        EnsembleOptions opts = options.toBuilder().reduction(reduction).build();
        LoraEnsemble outer = this;
        return new PosteriorPredictive() {
            @Override
            public ProbabilitySamples predict(EncodedBatch batch) {
                return outer.predict(batch, otherAnswers, opts);
            }

            @Override
            public List<String> classLabels() {
                return reduction.classLabels(otherAnswers.labels());
            }

            @Override
            public ClassReduction reduction() {
                return reduction;
            }

            @Override
            public String name() {
                return outer.name();
            }

            @Override
            public PosteriorPredictive rescored(AnswerTokens a, ClassReduction r) {
                return outer.rescored(a, r);
            }
        };
    }

    @Override
    public String name() {
        return "ensemble (M=" + members.size() + ")";
    }

    /** {@return the number of members M} */
    public int size() {
        return members.size();
    }

    /** {@return the members in order; owned by this ensemble} */
    public List<LoraAdapter> members() {
        return members;
    }

    /** {@return each member's seed, where known} */
    public List<OptionalLong> seeds() {
        return seeds;
    }

    /** {@return the shared base model} */
    public CausalLM model() {
        return model;
    }

    /** {@return the inference options} */
    public EnsembleOptions options() {
        return options;
    }

    /**
     * Decoder layers that batched inference with prefix sharing runs once per batch instead of once per member: the
     * layers below the lowest one any member adapts (N when only lm_head is adapted).
     *
     * @return the number of shared decoder layers, in [0, N]
     */
    public int sharedPrefixLayers() {
        return ai.bayeslora.lora.internal.StackedForward.sharedPrefixLayers(model.numLayers(), members);
    }

    private void checkOpen() {
        if (closed) {
            throw new IllegalStateException("ensemble is closed");
        }
    }

    /** Closes the members (not the base model). */
    @Override
    public synchronized void close() {
        if (closed) {
            return;
        }
        closed = true;
        members.forEach(LoraAdapter::close);
    }

    /** Collects members; the built ensemble owns them. */
    public static final class Builder {
        private final CausalLM model;
        private final AnswerTokens answers;
        private final List<LoraAdapter> members = new ArrayList<>();
        private final List<OptionalLong> seeds = new ArrayList<>();
        private EnsembleOptions options = EnsembleOptions.defaults();

        private Builder(CausalLM model, AnswerTokens answers) {
            this.model = Objects.requireNonNull(model, "model");
            this.answers = Objects.requireNonNull(answers, "answers");
        }

        /**
         * Adds a member whose seed is unknown.
         *
         * @param adapter a trained adapter on the ensemble's base model
         * @return this builder
         */
        public Builder member(LoraAdapter adapter) {
            return add(adapter, OptionalLong.empty());
        }

        /**
         * Adds a member trained from {@code seed} (recorded in the manifest).
         *
         * @param adapter a trained adapter on the ensemble's base model
         * @param seed the seed it was trained from
         * @return this builder
         */
        public Builder member(LoraAdapter adapter, long seed) {
            return add(adapter, OptionalLong.of(seed));
        }

        private Builder add(LoraAdapter adapter, OptionalLong seed) {
            Objects.requireNonNull(adapter, "adapter");
            if (adapter.model() != model) {
                throw new IllegalArgumentException("member " + members.size() + " is an adapter of another CausalLM "
                        + "instance; all members must share the ensemble's model object (its weights are held once)");
            }
            members.add(adapter);
            seeds.add(seed);
            return this;
        }

        /**
         * Sets the inference options (default {@link EnsembleOptions#defaults()}).
         *
         * @param opts the options
         * @return this builder
         */
        public Builder options(EnsembleOptions opts) {
            this.options = Objects.requireNonNull(opts, "options");
            return this;
        }

        /**
         * {@return the ensemble of the added members, in the order added}
         *
         * @throws IllegalArgumentException if there are no members or one adapter is added twice
         */
        public LoraEnsemble build() {
            if (members.isEmpty()) {
                throw new IllegalArgumentException("an ensemble needs at least one member");
            }
            Set<LoraAdapter> distinct = Collections.newSetFromMap(new IdentityHashMap<>());
            for (int i = 0; i < members.size(); i++) {
                if (!distinct.add(members.get(i))) {
                    throw new IllegalArgumentException("member " + i + " is the same adapter object as an earlier "
                            + "member");
                }
            }
            return new LoraEnsemble(model, members, seeds, answers, options);
        }
    }
}
