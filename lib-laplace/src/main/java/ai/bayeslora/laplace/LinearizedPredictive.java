package ai.bayeslora.laplace;

import ai.bayeslora.core.data.EncodedBatch;
import ai.bayeslora.core.mcqa.AnswerScorer;
import ai.bayeslora.core.mcqa.ClassReduction;
import ai.bayeslora.core.text.AnswerTokens;
import ai.bayeslora.core.model.ModelConfig;
import ai.bayeslora.laplace.internal.GradientEngine;
import ai.bayeslora.laplace.internal.JacobianRunner;
import ai.bayeslora.uncertainty.PosteriorPredictive;
import ai.bayeslora.uncertainty.ProbabilitySamples;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Objects;

/**
 * The linearised (GLM) predictive of a {@link LaplacePosterior}: f(x*) ~ N(f_θ*(x*), J* Λ⁻¹ J*ᵀ) over the class
 * logits (METHODS.md §6). {@link #gaussian} gives the mean and covariance per prompt; {@link #probabilities} maps them
 * by the probit approximation or Monte Carlo; {@link #predict} returns S softmaxed logit samples, so this is a
 * {@link PosteriorPredictive} for the metrics and the uncertainty decomposition.
 *
 * <p>Cost: one forward and C backward passes per chunk of prompts. The chunk size comes from
 * {@link Options#memoryBudgetBytes()} (an estimate of the activation memory of a forward with graph) unless fixed;
 * any batch size, including 1, works.
 */
public final class LinearizedPredictive implements PosteriorPredictive {
    private final LaplacePosterior posterior;
    private final AnswerScorer scorer;
    private final Options options;
    /** Chunk sizes that fitted: after an out-of-memory error the next batches start at the size that worked. */
    private final ai.bayeslora.core.MemoryRetry.Ceiling chunkCeiling = new ai.bayeslora.core.MemoryRetry.Ceiling();

    /** From logits to probabilities. */
    public enum Link {
        /** softmax(μ / √(1 + π/8 · diag Σ)). Deterministic. */
        PROBIT,
        /** The average softmax over S seeded logit samples. */
        MONTE_CARLO
    }

    /**
     * Options; {@link #defaults()}: probit, 100 samples for {@link #predict} and MC, seed 0, 1 GiB budget, automatic
     * chunks.
     *
     * @param link probability map of {@link #probabilities}
     * @param samples S for Monte Carlo and for {@link #predict}
     * @param seed sampling seed
     * @param memoryBudgetBytes target peak memory of one chunk's forward/backward; on CUDA the default (1 GiB) means
     *     "70 % of the device's free memory"
     * @param chunkSize prompts per chunk, or 0 for automatic: at most half the batch, and at most what the budget
     *     allows by {@link #bytesPerPrompt}
     */
    public record Options(Link link, int samples, long seed, long memoryBudgetBytes, int chunkSize) {
        /**
         * Checks that samples and the budget are positive and the chunk size not negative.
         *
         * @param link probability map of {@link #probabilities}
         * @param samples S for Monte Carlo and for {@link #predict}
         * @param seed sampling seed
         * @param memoryBudgetBytes target peak memory of one chunk's forward/backward; on CUDA the default (1 GiB)
         *     means "70 % of the device's free memory"
         * @param chunkSize prompts per chunk, or 0 for automatic: at most half the batch, and at most what the budget
         *     allows by {@link #bytesPerPrompt}
         */
        public Options {
            Objects.requireNonNull(link, "link");
            if (samples < 1 || memoryBudgetBytes < 1 || chunkSize < 0) {
                throw new IllegalArgumentException("invalid linearised predictive options " + this);
            }
        }

        /** {@return the default options: probit, 100 samples, seed 0, 1 GiB, automatic chunks} */
        public static Options defaults() {
            return new Options(Link.PROBIT, 100, 0, 1L << 30, 0);
        }

        /**
         * {@return a copy with another link}
         *
         * @param l the link
         */
        public Options withLink(Link l) {
            return new Options(l, samples, seed, memoryBudgetBytes, chunkSize);
        }

        /**
         * {@return a copy with another sample count}
         *
         * @param s S, at least 1
         */
        public Options withSamples(int s) {
            return new Options(link, s, seed, memoryBudgetBytes, chunkSize);
        }

        /**
         * {@return a copy with another seed of the Monte Carlo link's logit samples and of {@code predict}'s}
         *
         * @param s the seed
         */
        public Options withSeed(long s) {
            return new Options(link, samples, s, memoryBudgetBytes, chunkSize);
        }

        /**
         * {@return a copy with a fixed chunk size}
         *
         * @param c prompts per chunk, or 0 for automatic
         */
        public Options withChunkSize(int c) {
            return new Options(link, samples, seed, memoryBudgetBytes, c);
        }

        /**
         * {@return a copy with another memory budget}
         *
         * @param bytes target peak bytes of one chunk's forward/backward
         */
        public Options withMemoryBudget(long bytes) {
            return new Options(link, samples, seed, bytes, chunkSize);
        }
    }

    LinearizedPredictive(LaplacePosterior posterior, AnswerScorer scorer, Options options) {
        this.posterior = Objects.requireNonNull(posterior);
        this.scorer = Objects.requireNonNull(scorer);
        this.options = Objects.requireNonNull(options);
    }

    /** {@return the options} */
    public Options options() {
        return options;
    }

    /** {@return the scorer whose class logits this predictive linearises (its class set and reduction)} */
    public AnswerScorer scorer() {
        return scorer;
    }

    /**
     * {@return the mean and covariance of the class logits of every prompt of {@code batch}}
     *
     * @param batch an encoded batch
     */
    public LogitGaussian gaussian(EncodedBatch batch) {
        JacobianRunner.Result r = run(batch, List.of(posterior.priorPrecisions()));
        return new LogitGaussian(r.mean(), r.covariances().get(0));
    }

    /**
     * Class probabilities [B][C] by the configured {@link Link}.
     *
     * @param batch an encoded batch
     * @return p [B][C]
     */
    public double[][] probabilities(EncodedBatch batch) {
        LogitGaussian g = gaussian(batch);
        return options.link() == Link.PROBIT ? g.probit() : g.monteCarlo(options.samples(), options.seed());
    }

    /**
     * The probit-approximated predictive as a posterior predictive with one "sample" per prompt: the class
     * probabilities of {@link LogitGaussian#probit()} (the Laplace-LoRA paper's link). A single sample carries no
     * spread, so its mutual information is 0; use {@link #predict} (Monte Carlo samples) for the decomposition.
     *
     * @return a view of this predictive (same posterior, scorer and options)
     */
    public PosteriorPredictive probit() {
        LinearizedPredictive outer = this;
        return new PosteriorPredictive() {
            @Override
            public ProbabilitySamples predict(EncodedBatch batch) {
                double[][] p = outer.gaussian(batch).probit();
                int b = p.length;
                int c = outer.scorer.numClasses();
                double[] flat = new double[b * c];
                for (int i = 0; i < b; i++) {
                    System.arraycopy(p[i], 0, flat, i * c, c);
                }
                return new ProbabilitySamples(flat, 1, b, c, outer.classLabels());
            }

            @Override
            public List<String> classLabels() {
                return outer.classLabels();
            }

            @Override
            public ClassReduction reduction() {
                return outer.reduction();
            }

            @Override
            public String name() {
                return "laplace " + outer.posterior.structure().cliName() + " linearised (probit)";
            }

            @Override
            public PosteriorPredictive rescored(AnswerTokens answers, ClassReduction reduction) {
                return outer.rescored(answers, reduction).probit();
            }
        };
    }

    /** S = {@code options.samples()} logit samples per prompt, softmaxed: [S, B, C]. */
    @Override
    public ProbabilitySamples predict(EncodedBatch batch) {
        LogitGaussian g = gaussian(batch);
        double[][][] z = g.samples(options.samples(), options.seed());
        int s = z.length;
        int b = g.batchSize();
        int c = g.numClasses();
        double[] flat = new double[s * b * c];
        for (int i = 0; i < s; i++) {
            for (int j = 0; j < b; j++) {
                System.arraycopy(LogitGaussian.softmax(z[i][j]), 0, flat, (i * b + j) * c, c);
            }
        }
        return new ProbabilitySamples(flat, s, b, c, classLabels());
    }

    @Override
    public List<String> classLabels() {
        return scorer.classLabels();
    }

    @Override
    public ClassReduction reduction() {
        return scorer.reduction();
    }

    /**
     * The same posterior linearised at another class set or reduction: the Gaussian over θ does not depend on the
     * classes, so the predictive only needs the Jacobian of the new scorer's class logits (docs/LAPLACE.md,
     * "Rescoring"). Fitted on 4-choice questions, it scores 3- or 5-choice ones, or the full-vocabulary reduction.
     *
     * @param answers the new class set's answer tokens
     * @param reduction the new reduction
     * @return the rescored predictive (same posterior and options)
     */
    @Override
    public LinearizedPredictive rescored(AnswerTokens answers, ClassReduction reduction) {
        return new LinearizedPredictive(posterior, scorer.rescored(answers, reduction), options);
    }

    @Override
    public String name() {
        return "laplace " + posterior.structure().cliName() + " linearised (S=" + options.samples() + ")";
    }

    /**
     * {@return the chunk size used for {@code batch}}
     *
     * @param batch an encoded batch
     */
    public int chunkSize(EncodedBatch batch) {
        if (options.chunkSize() > 0) {
            return Math.min(options.chunkSize(), batch.batchSize());
        }
        long per = bytesPerPrompt(scorer.model().config(), batch.length(), scorer.numClasses(),
                posterior.parameterCount(), scorer.model().device().dtype().byteSize());
        // Half the batch at most: the graph is kept through all C backward passes, which measured 1.4–1.7× the peak
        // of a training step at the same number of prompts (docs/LAPLACE.md); halving keeps it below one step.
        int half = Math.max(1, (batch.batchSize() + 1) / 2);
        long budget = options.memoryBudgetBytes();
        ai.bayeslora.core.ComputeDevice dev = scorer.model().device();
        if (dev.isCuda() && budget == Options.defaults().memoryBudgetBytes()) {
            // on CUDA the default budget is what the allocator can give now (70 % of it: fragmentation, the
            // caller's own tensors); an out-of-memory error halves the chunk anyway (MemoryRetry)
            budget = (long) (0.7 * ai.bayeslora.core.CudaMemory.freeBytes(dev.index()));
        }
        return (int) Math.max(1, Math.min(half, budget / per));
    }

    /**
     * Estimated bytes one prompt of {@code length} tokens costs in a forward that keeps its graph plus C backward
     * passes: per layer and token ~24 hidden-sized and ~8 MLP-sized saved tensors, attention probabilities
     * (heads × L per token, with their gradient), and the C×P float64 Jacobian with its projection.
     */
    static long bytesPerPrompt(ModelConfig c, int length, int classes, long parameters, int dtypeBytes) {
        return ai.bayeslora.core.model.ActivationMemory.graphBytesPerRow(c, length, dtypeBytes)
                + 16L * classes * parameters + 1;
    }

    JacobianRunner.Result run(EncodedBatch batch, List<double[]> lambdaSets) {
        // an out-of-memory error halves the chunk and tries again (the chunk size is an estimate)
        return ai.bayeslora.core.MemoryRetry.halving(chunkSize(batch), "linearised predictive: prompts per chunk",
                chunkCeiling, chunk -> {
                    try (GradientEngine engine = new GradientEngine(scorer, posterior.adapter(),
                            posterior.selectedLayers())) {
                        return JacobianRunner.gaussian(engine, posterior.precisionModel(), lambdaSets, batch, chunk);
                    }
                });
    }

    static PriorTuning.Result tuneByNll(LaplacePosterior posterior, AnswerScorer scorer, Iterable<EncodedBatch> data,
                                        Options options, double[] grid) {
        if (grid.length == 0) {
            throw new IllegalArgumentException("empty λ grid");
        }
        LinearizedPredictive pred = new LinearizedPredictive(posterior, scorer, options);
        List<double[]> sets = new ArrayList<>();
        for (double l : grid) {
            double[] v = new double[posterior.blocks().size()];
            java.util.Arrays.fill(v, l);
            sets.add(v);
        }
        double[] nll = new double[grid.length];
        long n = 0;
        for (EncodedBatch batch : data) {
            JacobianRunner.Result r = pred.run(batch, sets);
            for (int g = 0; g < grid.length; g++) {
                LogitGaussian lg = new LogitGaussian(r.mean(), r.covariances().get(g));
                double[][] p = options.link() == Link.PROBIT ? lg.probit()
                        : lg.monteCarlo(options.samples(), options.seed());
                for (int b = 0; b < p.length; b++) {
                    int y = batch.labels()[b];
                    if (y < 0) {
                        throw new LaplaceException("validation example " + batch.exampleIds().get(b)
                                + " has no answer label");
                    }
                    nll[g] -= Math.log(Math.max(p[b][y], 1e-300));
                }
            }
            n += batch.batchSize();
        }
        int best = 0;
        List<double[]> curve = new ArrayList<>();
        for (int g = 0; g < grid.length; g++) {
            nll[g] /= Math.max(n, 1);
            curve.add(new double[] {grid[g], -nll[g]});
            if (nll[g] < nll[best]) {
                best = g;
            }
        }
        double[] lambdas = new double[posterior.blocks().size()];
        java.util.Arrays.fill(lambdas, grid[best]);
        return new PriorTuning.Result("validation-nll (" + options.link().name().toLowerCase(Locale.ROOT) + ")",
                lambdas, posterior.logMarginalLikelihood(grid[best]), curve);
    }
}
