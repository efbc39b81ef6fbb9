package ai.bayeslora.laplace;

import ai.bayeslora.core.NativeScope;
import ai.bayeslora.core.Tensors;
import ai.bayeslora.core.mcqa.AnswerScorer;
import ai.bayeslora.core.model.CausalLM;
import ai.bayeslora.laplace.internal.BlockLayout;
import ai.bayeslora.laplace.internal.Evidence;
import ai.bayeslora.laplace.internal.PrecisionModel;
import ai.bayeslora.lora.LoraAdapter;
import ai.bayeslora.lora.LoraLayer;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Objects;
import org.bytedeco.pytorch.Tensor;

/**
 * A fitted Laplace approximation N(θ*, Λ⁻¹), Λ = G + λI, over the LoRA parameters of the selected modules
 * (docs/METHODS.md §6): the curvature G in its {@link Structure}, the MAP θ* (the adapter's values at fit time), the
 * data log-likelihood, and the prior precision λ — which may be changed or tuned at no refitting cost.
 *
 * <p>Predict with {@link #linearized(AnswerScorer)} (GLM predictive) or {@link #sampled} (weight-space samples); both
 * are {@code PosteriorPredictive}s. Persist with {@link #save(Path)}, restore with {@link #load(Path, CausalLM)}.
 *
 * <p>Holds native tensors: {@link #close()} it. Predictions never change the model or the adapter: the linearised
 * and sampled predictives may run from several threads at once. Changing λ ({@link #setPriorPrecision}, tuning) while
 * other threads predict is not safe.
 */
public final class LaplacePosterior implements AutoCloseable {
    private final LaplaceConfig config;
    private final PrecisionModel model;
    private final Tensor theta;
    private final long examples;
    private final double logLikelihood;
    private final List<String> modules;
    private final List<String> classLabels;
    private final LoraAdapter adapter;
    private final boolean ownsAdapter;
    private final Provenance provenance;
    private double[] lambdas;
    private PriorTuning.Result tuning;
    private boolean closed;
    private FitTimings fitTimings;

    /**
     * Where a fit's time went (docs/LAPLACE.md, "Costs"), for benchmarks and progress reports.
     *
     * @param passSeconds the forward and backward passes and factor updates over all batches
     * @param batches the number of batches
     * @param finishSeconds the one-off factorisation (eigenvalues; K-FAC's eigenvectors are deferred to the first
     *     predictive or {@link #prepareForPrediction()})
     */
    public record FitTimings(double passSeconds, int batches, double finishSeconds) {
    }

    /**
     * Where a posterior came from, for the manifest and checks at load time.
     *
     * @param modelPath the base model folder, or empty if unknown
     * @param adapterPath the adapter folder at fit time, or empty
     * @param adapterFingerprint SHA-256 of θ* as float64 bytes (always set)
     */
    public record Provenance(String modelPath, String adapterPath, String adapterFingerprint) {
    }

    /** Internal: use {@link LaplaceLoRA#fit} or {@link #load}. */
    LaplacePosterior(LaplaceConfig config, PrecisionModel model, Tensor theta, long examples,
                            double logLikelihood, List<String> modules, List<String> classLabels, LoraAdapter adapter,
                            boolean ownsAdapter, Provenance provenance, double[] lambdas) {
        this.config = Objects.requireNonNull(config);
        this.model = Objects.requireNonNull(model);
        this.theta = Objects.requireNonNull(theta);
        this.examples = examples;
        this.logLikelihood = logLikelihood;
        this.modules = List.copyOf(modules);
        this.classLabels = List.copyOf(classLabels);
        this.adapter = Objects.requireNonNull(adapter);
        this.ownsAdapter = ownsAdapter;
        this.provenance = Objects.requireNonNull(provenance);
        setPriorPrecisions(lambdas);
    }

    /** {@return the configuration of the fit} */
    public LaplaceConfig config() {
        return config;
    }

    /** {@return the curvature structure} */
    public Structure structure() {
        return model.structure();
    }

    /** {@return the parameter blocks of θ, in order} */
    public List<ParameterBlock> blocks() {
        return model.layout().blocks();
    }

    /**
     * P, the number of parameters with a posterior.
     *
     * @return the parameter count
     */
    public long parameterCount() {
        return model.layout().size();
    }

    /**
     * N, the number of training examples the curvature summed.
     *
     * @return the example count
     */
    public long examples() {
        return examples;
    }

    /**
     * log p(D|θ*) = Σ_n log softmax(f(x_n))_{y_n}.
     *
     * @return the log-likelihood in nats
     */
    public double logLikelihood() {
        return logLikelihood;
    }

    /** {@return the module names whose LoRA matrices have a posterior} */
    public List<String> modules() {
        return modules;
    }

    /** {@return the class labels the curvature was fitted on (e.g. A–D)} */
    public List<String> classLabels() {
        return classLabels;
    }

    /** {@return the adapter whose values are θ* (borrowed, not owned)} */
    public LoraAdapter adapter() {
        return adapter;
    }

    /** {@return where the model and adapter came from, and θ*'s fingerprint} */
    public Provenance provenance() {
        return provenance;
    }

    /** {@return the scalar prior precision λ} */
    public double priorPrecision() {
        for (double l : lambdas) {
            if (l != lambdas[0]) {
                throw new IllegalStateException("the prior precision is per block; use priorPrecisions()");
            }
        }
        return lambdas[0];
    }

    /**
     * λ per parameter block, a copy.
     *
     * @return one λ per parameter block
     */
    public double[] priorPrecisions() {
        return lambdas.clone();
    }

    /**
     * Sets a scalar λ.
     *
     * @param lambda λ &gt; 0
     * @return this posterior
     */
    public LaplacePosterior setPriorPrecision(double lambda) {
        double[] l = new double[blocks().size()];
        Arrays.fill(l, lambda);
        return setPriorPrecisions(l);
    }

    /**
     * Sets λ per parameter block (FULL needs them equal).
     *
     * @param perBlock one λ &gt; 0 per block of {@link #blocks()}
     * @return this posterior
     */
    public LaplacePosterior setPriorPrecisions(double[] perBlock) {
        if (perBlock.length != blocks().size()) {
            throw new IllegalArgumentException(perBlock.length + " prior precisions for " + blocks().size() + " blocks");
        }
        for (double l : perBlock) {
            if (!(l > 0) || Double.isInfinite(l)) {
                throw new IllegalArgumentException("prior precision λ must be positive and finite, got " + l);
            }
        }
        if (model.structure() == Structure.FULL) {
            PrecisionModel.scalar(perBlock, Structure.FULL);
        }
        this.lambdas = perBlock.clone();
        return this;
    }

    /** ‖θ*_b‖² per block. */
    private double[] thetaSquares() {
        double[] t = Tensors.toDoubles(theta);
        double[] out = new double[blocks().size()];
        for (int b = 0; b < out.length; b++) {
            ParameterBlock pb = blocks().get(b);
            for (long i = pb.offset(); i < pb.offset() + pb.size(); i++) {
                out[b] += t[(int) i] * t[(int) i];
            }
        }
        return out;
    }

    private Evidence evidence() {
        return new Evidence(logLikelihood, model.spectra(), thetaSquares());
    }

    /** {@return how long the fit's passes and factorisation took; empty for a posterior loaded from disk} */
    public java.util.Optional<FitTimings> fitTimings() {
        return java.util.Optional.ofNullable(fitTimings);
    }

    void fitTimings(FitTimings t) {
        this.fitTimings = t;
    }

    /**
     * Computes now what the first predictive would otherwise compute (K-FAC's eigenvectors, which the fit defers
     * because the evidence and λ tuning need only eigenvalues). Thread-safe and idempotent.
     */
    public void prepareForPrediction() {
        if (closed) {
            throw new IllegalStateException("the Laplace posterior is closed");
        }
        model.prepare();
    }

    /**
     * log p(D) ≈ log p(D|θ*) − (λ/2)‖θ*‖² + (P/2) log λ − ½ log det(G + λI) at the current λ (per block: summed per
     * block).
     *
     * @return the log evidence in nats
     */
    public double logMarginalLikelihood() {
        return evidence().at(lambdas);
    }

    /**
     * {@return the log marginal likelihood at a scalar λ (the posterior's λ is unchanged)}
     *
     * @param lambda λ &gt; 0
     */
    public double logMarginalLikelihood(double lambda) {
        return evidence().at(lambda);
    }

    /**
     * Maximises the log marginal likelihood over λ with the default options, sets λ, and returns the result.
     *
     * @return the tuning result: the chosen λ and the evidence curve
     */
    public PriorTuning.Result tunePriorPrecision() {
        return tunePriorPrecision(PriorTuning.Options.defaults());
    }

    /**
     * Maximises the log marginal likelihood over λ (scalar or per block), sets λ, and returns the result.
     *
     * @param options method, scalar or per-block λ, grid
     * @return the tuning result
     */
    public PriorTuning.Result tunePriorPrecision(PriorTuning.Options options) {
        if (options.perBlock() && model.structure() == Structure.FULL) {
            throw new IllegalArgumentException("per-block prior precision is not supported with structure FULL");
        }
        PriorTuning.Result r = evidence().tune(options);
        setPriorPrecisions(r.lambdas());
        this.tuning = r;
        return r;
    }

    /**
     * Chooses λ on a grid by the validation NLL of the linearised predictive; sets it.
     *
     * @param scorer scores the classes of the validation prompts
     * @param validation labelled validation batches
     * @param options the linearised predictive's options
     * @param grid the candidate λ values, each &gt; 0
     * @return the tuning result: the chosen λ and the NLL per candidate
     */
    public PriorTuning.Result tuneByValidationNll(AnswerScorer scorer,
                                                   Iterable<ai.bayeslora.core.data.EncodedBatch> validation,
                                                   LinearizedPredictive.Options options, double[] grid) {
        PriorTuning.Result r = LinearizedPredictive.tuneByNll(this, scorer, validation, options, grid);
        setPriorPrecision(r.lambda());
        this.tuning = r;
        return r;
    }

    /** {@return the last tuning result, or null} */
    public PriorTuning.Result lastTuning() {
        return tuning;
    }

    /**
     * {@return the linearised (GLM) predictive with default options (probit, automatic chunks)}
     *
     * @param scorer scores the classes (its class set and reduction)
     */
    public LinearizedPredictive linearized(AnswerScorer scorer) {
        return new LinearizedPredictive(this, scorer, LinearizedPredictive.Options.defaults());
    }

    /**
     * {@return the linearised (GLM) predictive with the given options}
     *
     * @param scorer scores the classes (its class set and reduction)
     * @param options link, samples, seed, memory budget, chunk size
     */
    public LinearizedPredictive linearized(AnswerScorer scorer, LinearizedPredictive.Options options) {
        return new LinearizedPredictive(this, scorer, options);
    }

    /**
     * {@return the weight-space sampling predictive: S draws θ ~ N(θ*, Λ⁻¹), fixed at creation} Close it after use.
     *
     * @param scorer scores the classes (its class set and reduction)
     * @param samples S, at least 1
     * @param seed seeds the draws
     */
    public SampledPredictive sampled(AnswerScorer scorer, int samples, long seed) {
        return new SampledPredictive(this, scorer, samples, seed);
    }

    /**
     * Writes the posterior folder atomically: {@code manifest.json} (structure, λ, N, P, log_evidence, provenance,
     * class labels, …), {@code posterior.safetensors} (θ* and the curvature's factors / eigendecompositions) and a copy
     * of the adapter ({@code adapter/}, peft format) so that predictions need only the base model. An existing folder
     * is replaced only if this library wrote it (or it is empty).
     *
     * @param dir a folder written by {@link #save}
     * @throws ai.bayeslora.core.io.OutputConflictException if {@code dir} is a file or a folder of other files (an
     *     adapter folder written by peft, for example)
     */
    public void save(Path dir) {
        save(dir, ai.bayeslora.core.io.AtomicOutput.Replace.OWN);
    }

    /**
     * As {@link #save(Path)}, with {@code replace} saying which existing folder may be replaced.
     *
     * @param dir the posterior folder
     * @param replace which existing folder may be replaced
     */
    public void save(Path dir, ai.bayeslora.core.io.AtomicOutput.Replace replace) {
        PosteriorFiles.save(this, dir, replace);
    }

    /**
     * Loads a posterior folder for {@code model}: its adapter copy is loaded for the model and owned by the result.
     *
     * @param dir a folder written by {@link #save}
     * @param model the base model the posterior was fitted on (or the same checkpoint in another dtype)
     * @return the posterior; close it
     * @throws PosteriorFormatException naming the file and field that is missing or malformed
     */
    public static LaplacePosterior load(Path dir, CausalLM model) {
        return PosteriorFiles.load(dir, model);
    }

    /**
     * Reads only the manifest of a posterior folder, e.g. to find the base model before loading it.
     *
     * @param dir a folder written by {@link #save}
     * @return the manifest's fields
     * @throws PosteriorFormatException if the manifest is missing, unreadable or of another format
     */
    public static PosteriorManifest readManifest(Path dir) {
        return PosteriorManifest.of(dir, PosteriorFiles.readManifest(dir));
    }

    /** The curvature in its structure (package access for the predictives, persistence and tests). */
    PrecisionModel precisionModel() {
        return model;
    }

    /** θ* [P], float64; shared, do not close. */
    Tensor theta() {
        return theta;
    }

    /** The adapter's layers of the selected modules, in θ order. */
    List<LoraLayer> selectedLayers() {
        List<LoraLayer> out = new ArrayList<>();
        for (String m : modules) {
            LoraLayer l = adapter.layers().get(m);
            if (l == null) {
                throw new LaplaceException("the adapter has no LoRA module " + m);
            }
            out.add(l);
        }
        return out;
    }

    @Override
    public synchronized void close() {
        if (closed) {
            return;
        }
        closed = true;
        model.close();
        NativeScope.release(theta);
        if (ownsAdapter) {
            adapter.close();
        }
    }
}
