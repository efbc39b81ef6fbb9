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
         * Runs the fit: one pass over the data, then tuning if requested.
         *
         * @return the posterior; close it
         */
        public LaplacePosterior run() {
            LaplaceConfig c = config.build();
            if (!scorer.singleToken() && c.positions() == KfacPositions.LAST_TOKEN
                    && (c.structure() == Structure.KFAC || c.structure() == Structure.KFAC_LOWRANK)) {
                throw new LaplaceException("K-FAC last-token positions need single-token labels: with multi-token "
                        + "labels " + scorer.answers().labels() + " the classes are read at several positions; use "
                        + "expand or reduce positions");
            }
            Fitter.Result r;
            try (ProgressTask task = Progress.start(progress, "laplace fit (" + c.structure().cliName() + ")",
                    progressTotal)) {
                r = Fitter.fit(scorer, adapter, data, c, task);
            }
            List<String> modules = r.selected().stream().map(ai.bayeslora.lora.LoraLayer::moduleName).toList();
            double[] lambdas = new double[r.model().layout().blocks().size()];
            java.util.Arrays.fill(lambdas, c.priorPrecision());
            LaplacePosterior p = new LaplacePosterior(c, r.model(), r.theta(), r.examples(), r.logLikelihood(),
                    modules, scorer.answers().labels(), adapter, false,
                    new LaplacePosterior.Provenance(modelPath, adapterPath, PosteriorFiles.fingerprint(r.theta())),
                    lambdas);
            p.fitTimings(new LaplacePosterior.FitTimings(r.passSeconds(), r.batches(), r.finishSeconds()));
            if (c.tuning() != null) {
                p.tunePriorPrecision(c.tuning());
            }
            return p;
        }
    }
}
