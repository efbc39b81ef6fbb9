package ai.bayeslora.laplace;

import ai.bayeslora.core.data.EncodedBatch;
import ai.bayeslora.core.mcqa.AnswerScorer;
import ai.bayeslora.core.progress.Progress;
import ai.bayeslora.core.progress.ProgressListener;
import ai.bayeslora.core.progress.ProgressTask;
import ai.bayeslora.laplace.internal.Fitter;
import ai.bayeslora.lora.LoraAdapter;
import java.util.List;
import java.util.Objects;

/**
 * Entry point of Laplace-LoRA (METHODS.md §6): a post-hoc Gaussian posterior over a trained LoRA adapter's parameters.
 *
 * <pre>{@code
 * AnswerScorer scorer = new AnswerScorer(model, AnswerTokens.of(tokenizer, data.classLabels()), ClassReduction.ANSWER_TOKENS);
 * try (LaplacePosterior la = LaplaceLoRA.fit(scorer, adapter, batcher.batches(data, 8))
 *         .structure(Structure.KFAC_LOWRANK).rank(10)
 *         .tunePriorPrecision()
 *         .run()) {
 *     System.out.println("log evidence " + la.logMarginalLikelihood());
 *     PosteriorPredictive p = la.linearized(scorer);   // or la.sampled(scorer, 15, seed)
 * }
 * }</pre>
 * The adapter's current values are θ*; the class logits are the answer-token logits of {@code scorer} with softmax
 * over the C answer tokens (reduction (a)).
 */
public final class LaplaceLoRA {
    private LaplaceLoRA() {
    }

    /**
     * Starts a fit of {@code adapter} (attached to {@code scorer}'s model) on labelled {@code data}.
     *
     * @param scorer scores the classes of each prompt (its model is the adapter's)
     * @param adapter the trained adapter; its current values are θ*
     * @param data labelled batches, iterated once by {@link Fit#run}
     * @return the fit, configured with the defaults
     */
    public static Fit fit(AnswerScorer scorer, LoraAdapter adapter, Iterable<EncodedBatch> data) {
        return new Fit(scorer, adapter, data);
    }

    /** A configured, not yet run, fit. Each setter replaces one field of its {@link LaplaceConfig}. */
    public static final class Fit {
        private final AnswerScorer scorer;
        private final LoraAdapter adapter;
        private final Iterable<EncodedBatch> data;
        private LaplaceConfig.Builder config = LaplaceConfig.builder();
        private String modelPath = "";
        private String adapterPath = "";
        /** Where the pass over the data reports progress; null for {@link Progress#defaultListener()}. */
        private ProgressListener progress;
        /** Examples in the data, the progress total; 0 when unknown. */
        private long progressTotal;

        private Fit(AnswerScorer scorer, LoraAdapter adapter, Iterable<EncodedBatch> data) {
            this.scorer = Objects.requireNonNull(scorer, "scorer");
            this.adapter = Objects.requireNonNull(adapter, "adapter");
            this.data = Objects.requireNonNull(data, "data");
            if (adapter.model() != scorer.model()) {
                throw new IllegalArgumentException("the adapter belongs to another model than the scorer's");
            }
        }

        /**
         * Replaces the whole configuration.
         *
         * @param c the configuration
         * @return this fit
         */
        public Fit config(LaplaceConfig c) {
            this.config = c.toBuilder();
            return this;
        }

        /**
         * Sets {@link LaplaceConfig#structure() structure}.
         *
         * @param s the curvature structure
         * @return this fit
         */
        public Fit structure(Structure s) {
            config.structure(s);
            return this;
        }

        /**
         * Sets {@link LaplaceConfig#fisher() fisher}.
         *
         * @param f which labels weight the curvature
         * @return this fit
         */
        public Fit fisher(FisherEstimate f) {
            config.fisher(f);
            return this;
        }

        /**
         * Sets {@link LaplaceConfig#positions() positions}.
         *
         * @param p which token positions feed K-FAC factors
         * @return this fit
         */
        public Fit positions(KfacPositions p) {
            config.positions(p);
            return this;
        }

        /**
         * Low-rank k of {@link Structure#KFAC_LOWRANK} factors.
         *
         * @param k the rank, at least 1
         * @return this fit
         */
        public Fit rank(int k) {
            config.rank(k);
            return this;
        }

        /**
         * Sets {@link LaplaceConfig#lowRankThreshold() lowRankThreshold}.
         *
         * @param t factor sides of at least this length are low-rank
         * @return this fit
         */
        public Fit lowRankThreshold(int t) {
            config.lowRankThreshold(t);
            return this;
        }

        /**
         * Sets {@link LaplaceConfig#mcSamples() mcSamples}.
         *
         * @param s labels sampled per example (MC_SAMPLED)
         * @return this fit
         */
        public Fit mcSamples(int s) {
            config.mcSamples(s);
            return this;
        }

        /**
         * Sets {@link LaplaceConfig#seed() seed}.
         *
         * @param s the seed of label sampling
         * @return this fit
         */
        public Fit seed(long s) {
            config.seed(s);
            return this;
        }

        /**
         * Only these module-name suffixes get a posterior, e.g. {@code "lm_head"} for last-layer Laplace.
         *
         * @param suffixes module-name suffixes
         * @return this fit
         */
        public Fit modules(String... suffixes) {
            config.modules(suffixes);
            return this;
        }

        /**
         * Sets the prior precision λ used unless tuned.
         *
         * @param lambda λ &gt; 0 of the prior θ ~ N(0, λ⁻¹ I)
         * @return this fit
         */
        public Fit priorPrecision(double lambda) {
            config.priorPrecision(lambda);
            return this;
        }

        /**
         * Tune λ by the log marginal likelihood (default options: exact line search, scalar λ).
         *
         * @return this fit
         */
        public Fit tunePriorPrecision() {
            config.tuning(PriorTuning.Options.defaults());
            return this;
        }

        /**
         * Tune λ by the log marginal likelihood with the given options.
         *
         * @param options method, scalar or per-block λ, grid
         * @return this fit
         */
        public Fit tunePriorPrecision(PriorTuning.Options options) {
            config.tuning(options);
            return this;
        }

        /**
         * Provenance recorded in a saved posterior's manifest.
         *
         * @param modelDir the base model folder, or empty
         * @param adapterDir the adapter folder, or empty
         * @return this fit
         */
        public Fit provenance(String modelDir, String adapterDir) {
            this.modelPath = modelDir == null ? "" : modelDir;
            this.adapterPath = adapterDir == null ? "" : adapterDir;
            return this;
        }

        /**
         * Reports the pass over the data to {@code listener}, one task counting examples (docs/GUIDE.md, "Progress
         * and logging"). Default: {@link Progress#defaultListener()} with an unknown total.
         *
         * @param listener the listener, or null for the default
         * @param examples the number of examples in the data (the task's total), or 0 when unknown
         * @return this fit
         */
        public Fit progress(ProgressListener listener, long examples) {
            this.progress = listener;
            this.progressTotal = Math.max(0, examples);
            return this;
        }

        /**
         * Runs the fit: one pass over the data ({@link #statistics()}), then the factorisation and tuning if requested
         * ({@link LaplaceLoRA#fromStatistics}).
         *
         * @return the posterior; close it
         */
        public LaplacePosterior run() {
            return fromStatistics(adapter, statistics(), config.build(), modelPath, adapterPath);
        }

        /**
         * The pass over the data alone: the sums a fit over this data needs ({@link CurvatureSums}), to be added to
         * the sums of other parts of the training data and finished by {@link LaplaceLoRA#fromStatistics}. Empty data
         * gives zero sums. λ and tuning play no part here.
         *
         * @return the sums of this data
         */
        public CurvatureSums statistics() {
            LaplaceConfig c = config.build();
            if (!scorer.singleToken() && c.positions() == KfacPositions.LAST_TOKEN
                    && (c.structure() == Structure.KFAC || c.structure() == Structure.KFAC_LOWRANK)) {
                throw new LaplaceException("K-FAC last-token positions need single-token labels: with multi-token "
                        + "labels " + scorer.answers().labels() + " the classes are read at several positions; use "
                        + "expand or reduce positions");
            }
            Fitter.Pass pass;
            try (ProgressTask task = Progress.start(progress, "laplace fit (" + c.structure().cliName() + ")",
                    progressTotal)) {
                pass = Fitter.accumulate(scorer, adapter, data, c, task);
            }
            return new CurvatureSums(c.structure(), c.fisher(), c.positions(), c.mcSamples(), c.modules(),
                    blockNames(adapter, c), fingerprint(adapter, c), scorer.answers().labels(), pass.examples(),
                    pass.logLikelihood(), pass.batches(), pass.passSeconds(), pass.terms());
        }
    }

    /**
     * Finishes a fit from the sums of the whole training data (one {@link Fit#statistics()}, or the {@link
     * CurvatureSums#plus sum} of the parts' statistics): the factorisation, then λ tuning by the log marginal
     * likelihood if {@code config} asks for it. The same code as {@link Fit#run()}: the result is that fit's.
     *
     * @param adapter the adapter the sums were taken at (its current values are θ*), on the model the posterior is to
     *     live on
     * @param sums the statistics of the whole training data
     * @param config the fit's configuration; structure, Fisher, positions, MC samples and modules must be those of
     *     the sums, and λ, low-rank k and threshold and tuning apply here
     * @return the posterior; close it
     * @throws LaplaceException if the sums are of another configuration or adapter, or of no examples
     */
    public static LaplacePosterior fromStatistics(LoraAdapter adapter, CurvatureSums sums, LaplaceConfig config) {
        return fromStatistics(adapter, sums, config, "", "");
    }

    /**
     * As {@link #fromStatistics(LoraAdapter, CurvatureSums, LaplaceConfig)}, recording provenance in the manifest.
     *
     * @param adapter the adapter the sums were taken at
     * @param sums the statistics of the whole training data
     * @param config the fit's configuration
     * @param modelDir the base model folder, or empty
     * @param adapterDir the adapter folder, or empty
     * @return the posterior; close it
     */
    public static LaplacePosterior fromStatistics(LoraAdapter adapter, CurvatureSums sums, LaplaceConfig config,
                                                  String modelDir, String adapterDir) {
        Objects.requireNonNull(adapter, "adapter");
        Objects.requireNonNull(sums, "sums");
        Objects.requireNonNull(config, "config");
        requireSame("structure", config.structure(), sums.structure());
        requireSame("fisher", config.fisher(), sums.fisher());
        requireSame("positions", config.positions(), sums.positions());
        requireSame("modules", config.modules(), sums.modules());
        requireSame("parameter blocks", blockNames(adapter, config), sums.blocks());
        if (!fingerprint(adapter, config).equals(sums.adapterFingerprint())) {
            throw new LaplaceException("the Laplace statistics were taken at other adapter values than this adapter's "
                    + "(θ* fingerprint " + sums.adapterFingerprint().substring(0, 12) + "…): sum and finish with the "
                    + "same adapter");
        }
        if (sums.examples() == 0) {
            throw new LaplaceException("no training batches: the Laplace fit needs data");
        }
        Fitter.Result r = Fitter.finish(adapter, config, sums.terms());
        List<String> modules = r.selected().stream().map(ai.bayeslora.lora.LoraLayer::moduleName).toList();
        double[] lambdas = new double[r.model().layout().blocks().size()];
        java.util.Arrays.fill(lambdas, config.priorPrecision());
        LaplacePosterior p = new LaplacePosterior(config, r.model(), r.theta(), sums.examples(), sums.logLikelihood(),
                modules, sums.classLabels(), adapter, false,
                new LaplacePosterior.Provenance(modelDir == null ? "" : modelDir, adapterDir == null ? "" : adapterDir,
                        PosteriorFiles.fingerprint(r.theta())),
                lambdas);
        p.fitTimings(new LaplacePosterior.FitTimings(sums.passSeconds(), sums.batches(), r.finishSeconds()));
        if (config.tuning() != null) {
            p.tunePriorPrecision(config.tuning());
        }
        return p;
    }

    private static void requireSame(String field, Object want, Object got) {
        if (!want.equals(got)) {
            throw new LaplaceException("the Laplace statistics were taken with " + field + " " + got + ", the "
                    + "configuration has " + want);
        }
    }

    /** The selected blocks as {@code key rows×cols}, θ order. */
    private static List<String> blockNames(LoraAdapter adapter, LaplaceConfig c) {
        return ai.bayeslora.laplace.internal.BlockLayout.of(Fitter.select(adapter, c.modules())).blocks().stream()
                .map(b -> b.key() + " " + b.rows() + "×" + b.cols()).toList();
    }

    /** SHA-256 of the selected θ*. */
    private static String fingerprint(LoraAdapter adapter, LaplaceConfig c) {
        try (ai.bayeslora.core.NativeScope s = ai.bayeslora.core.NativeScope.open()) {
            return PosteriorFiles.fingerprint(ai.bayeslora.laplace.internal.BlockLayout.flatten(
                    Fitter.select(adapter, c.modules())));
        }
    }
}
