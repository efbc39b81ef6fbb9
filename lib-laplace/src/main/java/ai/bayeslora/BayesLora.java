package ai.bayeslora;

import ai.bayeslora.core.ComputeDevice;
import ai.bayeslora.core.DeviceSelector;
import ai.bayeslora.core.data.EncodedBatch;
import ai.bayeslora.core.data.McqaBatcher;
import ai.bayeslora.core.data.McqaDataset;
import ai.bayeslora.core.data.PromptFormat;
import ai.bayeslora.core.data.PromptTemplate;
import ai.bayeslora.core.mcqa.AnswerScorer;
import ai.bayeslora.core.mcqa.ClassReduction;
import ai.bayeslora.core.model.CausalLM;
import ai.bayeslora.core.text.AnswerTokens;
import ai.bayeslora.core.text.HfTokenizer;
import ai.bayeslora.laplace.LaplaceLoRA;
import ai.bayeslora.laplace.LaplacePosterior;
import ai.bayeslora.laplace.LinearizedPredictive;
import ai.bayeslora.lora.LoraAdapter;
import ai.bayeslora.lora.ensemble.EnsembleOptions;
import ai.bayeslora.lora.ensemble.EnsembleTrainingRun;
import ai.bayeslora.lora.ensemble.LoraEnsemble;
import ai.bayeslora.lora.mcdropout.McDropoutPredictive;
import ai.bayeslora.lora.swag.SwagPosterior;
import ai.bayeslora.lora.swag.SwagPredictive;
import ai.bayeslora.uncertainty.PosteriorPredictive;
import ai.bayeslora.uncertainty.UncertaintyEstimator;
import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.List;
import java.util.Objects;

/**
 * The one object a library user starts from: the base model, tokenizer, prompt format and batcher of one HF model
 * folder, and the posteriors, estimators, training runs and Laplace fits built on them (docs/API.md, "The entry
 * object").
 *
 * <pre>{@code
 * try (BayesLora bayes = BayesLora.open(modelDir, "auto")) {
 *     EnsembleTrainer.Result run = bayes.trainEnsemble().members(5).epochs(3).checkpoints(runDir).run(train);
 *     EvaluationReport report = bayes.estimator(run.ensemble()).evaluate(test);
 * }
 * }</pre>
 *
 * <p><b>Ownership.</b> This object owns the model and the tokenizer. Everything it loads from a folder (adapters,
 * ensembles, SWAG and Laplace posteriors) is registered here and closed by {@link #close()}, after the objects
 * loaded later and before the model; closing one of them earlier is allowed (every {@code close} is idempotent). So
 * a notebook can close only this object, and a long-running service that loads many posteriors should close each one
 * when it is done with it. Objects built from arguments the caller passes in (an adapter, a posterior) stay the
 * caller's.
 *
 * <p>Everything here is a shortcut for the fine-grained API ({@link CausalLM}, {@link HfTokenizer},
 * {@link McqaBatcher}, {@link AnswerScorer}, {@link LoraEnsemble}, {@link SwagPosterior}, {@link LaplacePosterior},
 * {@link UncertaintyEstimator}, {@link EnsembleTrainingRun}), which stays available for other wiring; the results are
 * the same, bit for bit, as the same calls made by hand.
 *
 * <p>Thread safety: the model is shared safely between threads (adapters are bound per call); the registration of
 * loaded objects is synchronized.
 */
public final class BayesLora implements AutoCloseable {
    private final Path modelDir;
    private final CausalLM model;
    private final HfTokenizer tokenizer;
    private final PromptFormat format;
    private final McqaBatcher batcher;
    private final Deque<AutoCloseable> loaded = new ArrayDeque<>();
    private boolean closed;

    private BayesLora(Path modelDir, CausalLM model, HfTokenizer tokenizer, PromptFormat format) {
        this.modelDir = modelDir;
        this.model = model;
        this.tokenizer = tokenizer;
        this.format = format;
        this.batcher = new McqaBatcher(tokenizer, format, McqaBatcher.Config.forTokenizer(tokenizer));
    }

    /**
     * Opens the HF model folder {@code modelDir} (config.json, *.safetensors, tokenizer.json) on {@code device} with
     * the default MMLU-style prompt format ({@link PromptTemplate#defaults()}).
     *
     * @param modelDir the model folder
     * @param device where the model runs (and its compute dtype)
     * @return the entry object; close it
     * @throws ai.bayeslora.core.BayesLoraException (or a subtype naming the file) if the folder cannot be loaded
     */
    public static BayesLora open(Path modelDir, ComputeDevice device) {
        return open(modelDir, device, PromptTemplate.defaults());
    }

    /**
     * As {@link #open(Path, ComputeDevice)}, with the device given by name.
     *
     * @param modelDir the model folder
     * @param device {@code auto} (CUDA if usable, else the CPU), {@code cpu} or {@code cuda[:N]}, as
     *     {@link DeviceSelector#select(String)}
     * @return the entry object; close it
     */
    public static BayesLora open(Path modelDir, String device) {
        return open(modelDir, DeviceSelector.select(device));
    }

    /**
     * Opens {@code modelDir} on {@code device} with the prompt format {@code format} (for example one of
     * {@link ai.bayeslora.core.data.PaperPrompts}' formats; the datasets must then carry that format's class labels,
     * see {@link ai.bayeslora.core.data.PaperPrompts.Prepared}).
     *
     * @param modelDir the model folder
     * @param device where the model runs
     * @param format how questions become prompts; its {@link PromptFormat#answerPrefix()} is put before each class
     *     label when answer tokens are made
     * @return the entry object; close it
     */
    public static BayesLora open(Path modelDir, ComputeDevice device, PromptFormat format) {
        Objects.requireNonNull(modelDir, "modelDir");
        Objects.requireNonNull(device, "device");
        Objects.requireNonNull(format, "format");
        CausalLM model = CausalLM.load(modelDir, device);
        try {
            HfTokenizer tokenizer = HfTokenizer.load(modelDir);
            try {
                return new BayesLora(modelDir, model, tokenizer, format);
            } catch (RuntimeException e) {
                tokenizer.close();
                throw e;
            }
        } catch (RuntimeException e) {
            model.close();
            throw e;
        }
    }

    /**
     * The folder this object was opened from.
     *
     * @return the model folder as given to {@code open}
     */
    public Path modelDir() {
        return modelDir;
    }

    /**
     * The base model (owned by this object: do not close it).
     *
     * @return the model
     */
    public CausalLM model() {
        return model;
    }

    /**
     * The model's tokenizer (owned by this object: do not close it).
     *
     * @return the tokenizer
     */
    public HfTokenizer tokenizer() {
        return tokenizer;
    }

    /**
     * The prompt format questions are rendered with.
     *
     * @return the format given to {@code open}, by default {@link PromptTemplate#defaults()}
     */
    public PromptFormat promptFormat() {
        return format;
    }

    /**
     * The batcher: this object's prompt format and {@link McqaBatcher.Config#forTokenizer} (the tokenizer's pad and
     * BOS ids, at most {@value McqaBatcher.Config#DEFAULT_MAX_LENGTH} tokens a row).
     *
     * @return the batcher
     */
    public McqaBatcher batcher() {
        return batcher;
    }

    /**
     * The device the model runs on.
     *
     * @return the model's device and compute dtype
     */
    public ComputeDevice device() {
        return model.device();
    }

    /**
     * Encodes {@code dataset} into left-padded batches.
     *
     * @param dataset the questions
     * @param batchSize rows per batch (the last batch may be smaller)
     * @return the batches, encoded lazily
     */
    public Iterable<EncodedBatch> batches(McqaDataset dataset, int batchSize) {
        return batcher.batches(dataset, batchSize);
    }

    /**
     * The answer tokens of a dataset's classes: each label after this object's prompt-format answer prefix
     * (docs/METHODS.md §1).
     *
     * @param classesOf the dataset whose {@link McqaDataset#classLabels()} are the classes
     * @return the answer tokens
     */
    public AnswerTokens answers(McqaDataset classesOf) {
        return answers(classesOf.classLabels());
    }

    /**
     * The answer tokens of {@code labels}, each after this object's prompt-format answer prefix.
     *
     * @param labels class labels in class order, for example {@code A, B, C, D}
     * @return the answer tokens
     */
    public AnswerTokens answers(List<String> labels) {
        return AnswerTokens.of(tokenizer, labels, format.answerPrefix());
    }

    /**
     * A scorer of a dataset's classes with reduction (a), softmax over the answer tokens (docs/METHODS.md §1).
     *
     * @param classesOf the dataset whose classes are scored
     * @return the scorer
     */
    public AnswerScorer scorer(McqaDataset classesOf) {
        return scorer(classesOf, ClassReduction.ANSWER_TOKENS);
    }

    /**
     * A scorer of a dataset's classes with the given reduction.
     *
     * @param classesOf the dataset whose classes are scored
     * @param reduction (a) {@link ClassReduction#ANSWER_TOKENS} or (b) the full vocabulary with an "other" class
     * @return the scorer
     */
    public AnswerScorer scorer(McqaDataset classesOf, ClassReduction reduction) {
        return new AnswerScorer(liveModel(), answers(classesOf), reduction);
    }

    /**
     * An estimator of {@code posterior} that encodes datasets with this object's batcher; further settings (batch
     * size, bins, averaging, progress) go on the returned estimator.
     *
     * @param posterior any posterior predictive
     * @return {@code UncertaintyEstimator.of(posterior).batcher(batcher())}
     */
    public UncertaintyEstimator estimator(PosteriorPredictive posterior) {
        liveModel();
        return UncertaintyEstimator.of(posterior).batcher(batcher);
    }

    /**
     * Loads a peft adapter folder onto this object's model; it is closed with this object.
     *
     * @param dir the adapter folder (adapter_config.json, adapter_model.safetensors)
     * @return the adapter
     */
    public LoraAdapter adapter(Path dir) {
        return register(LoraAdapter.load(dir, liveModel()));
    }

    /**
     * Loads an ensemble folder (written by {@link LoraEnsemble#save} or a training run) scoring a dataset's classes;
     * it is closed with this object.
     *
     * @param dir the ensemble folder
     * @param classesOf the dataset whose classes the ensemble scores
     * @return the ensemble, with {@link EnsembleOptions#defaults()}
     */
    public LoraEnsemble ensemble(Path dir, McqaDataset classesOf) {
        return ensemble(dir, classesOf, EnsembleOptions.defaults());
    }

    /**
     * As {@link #ensemble(Path, McqaDataset)} with inference options.
     *
     * @param dir the ensemble folder
     * @param classesOf the dataset whose classes the ensemble scores
     * @param options batched or sequential members, prefix sharing, reduction
     * @return the ensemble
     */
    public LoraEnsemble ensemble(Path dir, McqaDataset classesOf, EnsembleOptions options) {
        return register(LoraEnsemble.load(dir, liveModel(), answers(classesOf), options));
    }

    /**
     * One adapter as a posterior (the MAP point estimate, a one-member ensemble): loads the folder; closed with
     * this object.
     *
     * @param adapterDir the adapter folder
     * @param classesOf the dataset whose classes are scored
     * @return the one-member ensemble (it owns the adapter)
     */
    public LoraEnsemble singleAdapter(Path adapterDir, McqaDataset classesOf) {
        LoraAdapter adapter = LoraAdapter.load(adapterDir, liveModel());
        try {
            return register(LoraEnsemble.builder(model, answers(classesOf)).member(adapter).build());
        } catch (RuntimeException e) {
            adapter.close();
            throw e;
        }
    }

    /**
     * Loads a SWAG posterior folder (written by {@link SwagPosterior#save}) onto the CPU; it is closed with this
     * object.
     *
     * @param dir the SWAG folder
     * @return the posterior over the adapter's parameters
     */
    public SwagPosterior swagPosterior(Path dir) {
        liveModel();
        return register(SwagPosterior.load(dir));
    }

    /**
     * The SWAG predictive of a SWAG folder on an adapter folder with the same layout (docs/METHODS.md §5), S from the
     * posterior's config; both folders are loaded and closed with this object.
     *
     * @param swagDir the SWAG folder
     * @param adapterDir an adapter of the collected layout; the predictive writes the samples into it
     * @param classesOf the dataset whose classes are scored
     * @param seed the sampling seed
     * @return the predictive
     */
    public SwagPredictive swag(Path swagDir, Path adapterDir, McqaDataset classesOf, long seed) {
        SwagPosterior posterior = swagPosterior(swagDir);
        return posterior.predictive(adapter(adapterDir), scorer(classesOf), seed);
    }

    /**
     * As {@link #swag(Path, Path, McqaDataset, long)} with S = {@code samples}.
     *
     * @param swagDir the SWAG folder
     * @param adapterDir an adapter of the collected layout
     * @param classesOf the dataset whose classes are scored
     * @param samples S ≥ 1
     * @param seed the sampling seed
     * @return the predictive
     */
    public SwagPredictive swag(Path swagDir, Path adapterDir, McqaDataset classesOf, int samples, long seed) {
        SwagPosterior posterior = swagPosterior(swagDir);
        return posterior.predictive(adapter(adapterDir), scorer(classesOf), samples, seed);
    }

    /**
     * MC dropout on an adapter folder trained with LoRA dropout (docs/METHODS.md §4); the adapter is closed with this
     * object.
     *
     * @param adapterDir an adapter with lora_dropout &gt; 0
     * @param classesOf the dataset whose classes are scored
     * @param passes S ≥ 1 dropout passes
     * @param seed the dropout seed
     * @return the predictive
     * @throws IllegalArgumentException if the adapter has no dropout
     */
    public McDropoutPredictive mcDropout(Path adapterDir, McqaDataset classesOf, int passes, long seed) {
        return new McDropoutPredictive(adapter(adapterDir), scorer(classesOf), passes, seed);
    }

    /**
     * Loads a Laplace posterior folder (written by {@link LaplacePosterior#save}) for this object's model; it is
     * closed with this object.
     *
     * @param dir the posterior folder
     * @return the posterior
     */
    public LaplacePosterior laplace(Path dir) {
        return register(LaplacePosterior.load(dir, liveModel()));
    }

    /**
     * The linearised (GLM) predictive of a Laplace posterior folder with default options (docs/METHODS.md §6); the
     * posterior is closed with this object.
     *
     * @param dir the posterior folder
     * @param classesOf the dataset whose classes are scored
     * @return the predictive
     */
    public LinearizedPredictive laplaceLinearized(Path dir, McqaDataset classesOf) {
        return laplace(dir).linearized(scorer(classesOf));
    }

    /**
     * A Laplace fit of {@code adapter} (the MAP estimate θ*) on labelled {@code train}, in batches of
     * {@value UncertaintyEstimator#DEFAULT_BATCH_SIZE}; configure it (structure, prior, tuning) and call
     * {@link LaplaceLoRA.Fit#run()}.
     *
     * @param adapter an adapter on this object's model (the caller's)
     * @param train the labelled data the curvature is summed over; its classes are the posterior's
     * @return the configured, not yet run, fit
     */
    public LaplaceLoRA.Fit fitLaplace(LoraAdapter adapter, McqaDataset train) {
        return fitLaplace(adapter, train, UncertaintyEstimator.DEFAULT_BATCH_SIZE);
    }

    /**
     * As {@link #fitLaplace(LoraAdapter, McqaDataset)} with the batch size given.
     *
     * @param adapter an adapter on this object's model
     * @param train the labelled data
     * @param batchSize rows per batch of the curvature pass
     * @return the configured fit (the manifest's provenance names this object's model folder)
     */
    public LaplaceLoRA.Fit fitLaplace(LoraAdapter adapter, McqaDataset train, int batchSize) {
        if (batchSize < 1) {
            throw new IllegalArgumentException("batchSize must be positive, got " + batchSize);
        }
        return LaplaceLoRA.fit(scorer(train), adapter, batches(train, batchSize))
                .provenance(modelDir.toString(), null);
    }

    /**
     * A deep-ensemble training run on this object's model and batcher, every setting at its default until set
     * (docs/API.md, "Training an ensemble").
     *
     * @return the run description; finish with {@link EnsembleTrainingRun#run(McqaDataset)}
     */
    public EnsembleTrainingRun trainEnsemble() {
        return EnsembleTrainingRun.on(liveModel(), batcher);
    }

    /** The model, or an error when this object is closed (its model's weights are then released). */
    private synchronized CausalLM liveModel() {
        if (closed) {
            throw new IllegalStateException("this BayesLora (" + modelDir + ") is closed");
        }
        return model;
    }

    private synchronized <T extends AutoCloseable> T register(T resource) {
        if (closed) {
            try {
                resource.close();
            } catch (Exception e) {
                // the IllegalStateException below is the error to report
            }
            throw new IllegalStateException("this BayesLora (" + modelDir + ") is closed");
        }
        loaded.push(resource);
        return resource;
    }

    /**
     * Closes everything loaded through this object (the latest first), then the tokenizer and the model. Idempotent.
     */
    @Override
    public void close() {
        List<AutoCloseable> toClose;
        synchronized (this) {
            if (closed) {
                return;
            }
            closed = true;
            toClose = List.copyOf(loaded);
            loaded.clear();
        }
        RuntimeException failure = null;
        for (AutoCloseable c : toClose) {
            try {
                c.close();
            } catch (Exception e) {
                RuntimeException r = e instanceof RuntimeException re ? re : new IllegalStateException(e);
                if (failure == null) {
                    failure = r;
                } else {
                    failure.addSuppressed(r);
                }
            }
        }
        tokenizer.close();
        model.close();
        if (failure != null) {
            throw failure;
        }
    }
}
