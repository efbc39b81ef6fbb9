package ai.bayeslora.uncertainty;

import ai.bayeslora.core.data.EncodedBatch;
import ai.bayeslora.core.mcqa.ClassMask;
import ai.bayeslora.core.data.McqaBatcher;
import ai.bayeslora.core.data.McqaDataset;
import ai.bayeslora.core.data.McqaExample;
import ai.bayeslora.core.mcqa.ClassReduction;
import ai.bayeslora.core.text.AnswerTokens;
import ai.bayeslora.uncertainty.metrics.ExpectedCalibrationError;
import ai.bayeslora.uncertainty.metrics.Metrics;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import ai.bayeslora.core.progress.Progress;
import ai.bayeslora.core.progress.ProgressListener;
import ai.bayeslora.core.progress.ProgressTask;

/**
 * The entry point for trusting a fine-tuned model: wraps any {@link PosteriorPredictive} (deep ensemble, SWAG, MC
 * dropout, Laplace) and computes predictions with decomposed uncertainty, every calibration metric, OOD detection
 * and side-by-side comparisons.
 *
 * <pre>{@code
 * EvaluationReport r = UncertaintyEstimator.of(ensemble).batcher(batcher).evaluate(testSet);
 * OodReport ood = UncertaintyEstimator.of(ensemble).batcher(batcher).detectOod(testSet, mmluStem);
 * }</pre>
 *
 * Immutable: every option returns a new estimator.
 */
public final class UncertaintyEstimator {
    /** Default ECE bins: 15, as torchmetrics, BLoB and Laplace-LoRA (METHODS.md §7). */
    public static final int DEFAULT_ECE_BINS = ExpectedCalibrationError.DEFAULT_BINS;
    /** Default prompts per forward pass. */
    public static final int DEFAULT_BATCH_SIZE = 8;

    private final PosteriorPredictive posterior;
    private final McqaBatcher batcher;
    private final ClassReduction reduction;
    private final int eceBins;
    private final int batchSize;
    /** Where dataset passes report progress; null for {@link Progress#defaultListener()} (docs/GUIDE.md). */
    private final ProgressListener progress;
    /** How samples are combined into the predictive; default {@link MemberAveraging#PROBABILITIES}. */
    private final MemberAveraging averaging;

    private UncertaintyEstimator(PosteriorPredictive posterior, McqaBatcher batcher, ClassReduction reduction,
                                 int eceBins, int batchSize, ProgressListener progress, MemberAveraging averaging) {
        this.posterior = Objects.requireNonNull(posterior, "posterior");
        this.batcher = batcher;
        this.reduction = reduction;
        this.eceBins = eceBins;
        this.batchSize = batchSize;
        this.progress = progress;
        this.averaging = Objects.requireNonNull(averaging, "averaging");
    }

    /**
     * {@return an estimator over {@code posterior} with default options (15 ECE bins, batch 8, progress to
     * {@link Progress#defaultListener()})}
     *
     * @param posterior the posterior predictive to evaluate
     */
    public static UncertaintyEstimator of(PosteriorPredictive posterior) {
        return new UncertaintyEstimator(posterior, null, null, DEFAULT_ECE_BINS, DEFAULT_BATCH_SIZE, null,
                MemberAveraging.PROBABILITIES);
    }

    /**
     * {@return a copy that tokenises and batches datasets with {@code newBatcher}} The dataset methods need one.
     *
     * @param newBatcher the batcher
     */
    public UncertaintyEstimator batcher(McqaBatcher newBatcher) {
        return new UncertaintyEstimator(posterior, Objects.requireNonNull(newBatcher), reduction, eceBins, batchSize,
                progress, averaging);
    }

    /**
     * {@return a copy with another class-probability reduction: (a) answer tokens or (b) full vocabulary plus
     * "other" (METHODS.md §1)}
     * Default: whatever the posterior was built with.
     *
     * @param newReduction the reduction
     */
    public UncertaintyEstimator reduction(ClassReduction newReduction) {
        return new UncertaintyEstimator(posterior, batcher, Objects.requireNonNull(newReduction), eceBins, batchSize,
                progress, averaging);
    }

    /**
     * {@return a copy with another number of equal-width ECE bins (default 15); printed with every ECE}
     *
     * @param bins the number of bins, at least 1
     */
    public UncertaintyEstimator eceBins(int bins) {
        if (bins < 1) {
            throw new IllegalArgumentException("ECE bins must be >= 1, got " + bins);
        }
        return new UncertaintyEstimator(posterior, batcher, reduction, bins, batchSize, progress, averaging);
    }

    /**
     * Prompts per forward pass (default 8).
     *
     * @param size the number of prompts, at least 1
     * @return a copy with that batch size
     */
    public UncertaintyEstimator batchSize(int size) {
        if (size < 1) {
            throw new IllegalArgumentException("batch size must be >= 1, got " + size);
        }
        return new UncertaintyEstimator(posterior, batcher, reduction, eceBins, size, progress, averaging);
    }

    /**
     * Report dataset passes (default on): on to {@link Progress#defaultListener()} (bars on a terminal, SLF4J lines
     * otherwise), off to nothing.
     *
     * @param on whether to report them
     * @return a copy with that setting
     */
    public UncertaintyEstimator progress(boolean on) {
        return progress(on ? null : Progress.none());
    }

    /**
     * Report dataset passes to {@code listener}, one task per pass counting examples.
     *
     * @param listener the listener, or null for {@link Progress#defaultListener()}
     * @return a new estimator
     */
    public UncertaintyEstimator progress(ProgressListener listener) {
        return new UncertaintyEstimator(posterior, batcher, reduction, eceBins, batchSize, listener, averaging);
    }

    /**
     * {@return a copy that combines the posterior's members or samples into the predictive by
     * {@code newAveraging}: the mean of their probabilities (default, as Laplace-LoRA and SWAG-LoRA) or the softmax
     * of their mean logits (as BLoB's ensembles); see docs/METHODS.md §4, "Averaging members"}
     * The per-sample probabilities stay in {@link Prediction#samples()}.
     *
     * @param newAveraging the averaging
     */
    public UncertaintyEstimator averaging(MemberAveraging newAveraging) {
        return new UncertaintyEstimator(posterior, batcher, reduction, eceBins, batchSize, progress,
                Objects.requireNonNull(newAveraging, "averaging"));
    }

    /** {@return the averaging of {@link #averaging(MemberAveraging)}} */
    public MemberAveraging averaging() {
        return averaging;
    }

    /** {@return the posterior predictive being evaluated} */
    public PosteriorPredictive posterior() {
        return posterior;
    }

    /** {@return the number of ECE bins} */
    public int eceBins() {
        return eceBins;
    }

    /**
     * Prediction with uncertainty for one encoded batch (the posterior's own class set).
     *
     * @param batch an encoded batch
     * @return the prediction, its samples, mean and decomposition
     */
    public Prediction predict(EncodedBatch batch) {
        PosteriorPredictive p = reduction == null ? posterior : scoredFor(null);
        return Prediction.of(batch.exampleIds(), masked(p.predict(batch), batch), averaging);
    }

    /**
     * Rows with fewer choices than the class set scored over their own choices ({@link ClassMask}): the same
     * probabilities as the softmax over those choices' logits, for every sample of any posterior.
     */
    static ProbabilitySamples masked(ProbabilitySamples s, EncodedBatch batch) {
        boolean other = s.classLabels().get(s.numClasses() - 1).equals(ClassReduction.OTHER);
        if (!ClassMask.needed(batch.classCounts(), other ? s.numClasses() - 1 : s.numClasses())) {
            return s;
        }
        double[] p = s.toArray();
        ClassMask.probabilities(p, s.samples(), s.numClasses(), batch.classCounts(), other);
        return new ProbabilitySamples(p, s.samples(), s.batchSize(), s.numClasses(), s.classLabels());
    }

    /**
     * Predictions for a whole dataset, scored over the dataset's class set.
     *
     * @param dataset the examples to predict
     * @return the prediction, in dataset order
     */
    public Prediction predict(McqaDataset dataset) {
        requireBatcher("predict(dataset)");
        if (dataset.size() == 0) {
            throw new IllegalArgumentException("dataset " + dataset.source() + " is empty");
        }
        PosteriorPredictive p = scoredFor(dataset);
        List<ProbabilitySamples> parts = new ArrayList<>();
        List<String> ids = new ArrayList<>();
        try (ProgressTask task = Progress.start(progress, p.name() + " " + shortName(dataset), dataset.size())) {
            for (EncodedBatch b : batcher.batches(dataset, batchSize)) {
                parts.add(masked(p.predict(b), b));
                ids.addAll(b.exampleIds());
                task.advance(b.batchSize());
            }
        }
        return Prediction.of(ids, ProbabilitySamples.concat(parts), averaging);
    }

    /**
     * {@return every metric on a labelled dataset}
     *
     * @param dataset labelled examples
     */
    public EvaluationReport evaluate(McqaDataset dataset) {
        int[] labels = new int[dataset.size()];
        int i = 0;
        for (McqaExample e : dataset.examples()) {
            if (!e.hasAnswer()) {
                throw new IllegalArgumentException("dataset " + dataset.source() + ": example '" + e.id()
                        + "' has no answer; evaluation needs labelled data");
            }
            labels[i++] = e.answer();
        }
        Prediction pred = predict(dataset);
        return new EvaluationReport(posteriorName(), shortName(dataset), pred, labels,
                Metrics.evaluate(pred.samples(), labels, eceBins, averaging));
    }

    /**
     * OOD detection with in-domain examples as negatives and {@code outOfDomain} as positives.
     *
     * @param inDomain the in-domain data (negatives)
     * @param outOfDomain the out-of-domain data (positives)
     * @return the AUROC and AUPR of each detection score
     */
    public OodReport detectOod(McqaDataset inDomain, McqaDataset outOfDomain) {
        return new OodReport(posteriorName(), predict(inDomain), predict(outOfDomain));
    }

    /**
     * Evaluates several posteriors on the same data, and on OOD data if given (null for none).
     *
     * @param test labelled test data
     * @param ood out-of-domain data, or null
     * @param estimators one estimator per posterior
     * @return the comparison, one entry per estimator
     */
    public static Comparison compare(McqaDataset test, McqaDataset ood, List<UncertaintyEstimator> estimators) {
        if (estimators.isEmpty()) {
            throw new IllegalArgumentException("nothing to compare");
        }
        List<Comparison.Entry> entries = new ArrayList<>();
        for (UncertaintyEstimator e : estimators) {
            EvaluationReport r = e.evaluate(test);
            OodReport o = ood == null ? null : new OodReport(e.posteriorName(), r.prediction(), e.predict(ood));
            entries.add(new Comparison.Entry(r, o));
        }
        return new Comparison(entries);
    }

    private String posteriorName() {
        return posterior.name();
    }

    /** The posterior rescored for the dataset's classes and the chosen reduction, when either differs. */
    private PosteriorPredictive scoredFor(McqaDataset dataset) {
        ClassReduction currentReduction = posterior.reduction();
        ClassReduction want = reduction == null ? currentReduction : reduction;
        List<String> answerLabels = currentReduction.answerLabels(posterior.classLabels());
        List<String> wantLabels = dataset == null ? answerLabels : dataset.classLabels();
        if (want == currentReduction && wantLabels.equals(answerLabels)) {
            return posterior;
        }
        requireBatcher("scoring " + wantLabels + " with " + want);
        // the answer tokens follow the prompt: " A" after "Answer:", a bare letter after the ensemble paper's "A: ("
        return posterior.rescored(AnswerTokens.of(batcher.tokenizer(), wantLabels, batcher.template().answerPrefix()),
                want);
    }

    private void requireBatcher(String what) {
        if (batcher == null) {
            throw new IllegalStateException(what + " needs a batcher: UncertaintyEstimator.of(p).batcher("
                    + "McqaBatcher.forTokenizer(tokenizer))");
        }
    }

    private static String shortName(McqaDataset d) {
        String s = d.source();
        int slash = Math.max(s.lastIndexOf('/'), s.lastIndexOf('\\'));
        return slash >= 0 ? s.substring(slash + 1) : s;
    }
}
