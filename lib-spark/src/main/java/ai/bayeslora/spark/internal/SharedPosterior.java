package ai.bayeslora.spark.internal;

import ai.bayeslora.BayesLora;
import ai.bayeslora.core.ComputeDevice;
import ai.bayeslora.core.mcqa.AnswerScorer;
import ai.bayeslora.core.mcqa.ClassReduction;
import ai.bayeslora.core.model.CausalLM;
import ai.bayeslora.core.text.AnswerTokens;
import ai.bayeslora.laplace.LaplacePosterior;
import ai.bayeslora.laplace.LinearizedPredictive;
import ai.bayeslora.laplace.SampledPredictive;
import ai.bayeslora.lora.LoraAdapter;
import ai.bayeslora.lora.ensemble.EnsembleOptions;
import ai.bayeslora.lora.ensemble.LoraEnsemble;
import ai.bayeslora.lora.swag.SwagPosterior;
import ai.bayeslora.uncertainty.PosteriorPredictive;
import ai.bayeslora.uncertainty.UncertaintyEstimator;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * A posterior predictive loaded once per executor JVM (under {@link ScoringSpec#posteriorKey}) and shared by its
 * task threads; built exactly as {@code bayeslora evaluate} builds it (EvaluateCommand), so a row's numbers are
 * evaluate's. Closed at JVM exit by {@link ExecutorModels}, with what it loaded, before the model.
 */
public final class SharedPosterior implements AutoCloseable {
    /** evaluate's linearised Monte Carlo samples when none are given (LaplaceRecipe.DEFAULT_MC_SAMPLES). */
    static final int DEFAULT_MC_SAMPLES = 100;

    private final PosteriorPredictive predictive;
    private final List<AutoCloseable> owned;

    private SharedPosterior(PosteriorPredictive predictive, List<AutoCloseable> owned) {
        this.predictive = predictive;
        this.owned = owned;
    }

    /**
     * The calling JVM's shared posterior of {@code spec}, loaded on first use.
     *
     * @param spec the scoring settings
     * @return the shared posterior (never close it)
     */
    public static SharedPosterior of(ScoringSpec spec) {
        ComputeDevice device = spec.model().computeDevice();
        return ExecutorModels.shared(spec.posteriorKey(device), k -> load(spec));
    }

    /** {@return the posterior predictive} */
    public PosteriorPredictive predictive() {
        return predictive;
    }

    /**
     * {@return evaluate's estimator of this posterior: the model's batcher, batch size, averaging, and the reduction
     * when one was asked for}
     *
     * @param bayes the shared model
     * @param spec the settings
     */
    public UncertaintyEstimator estimator(BayesLora bayes, ScoringSpec spec) {
        UncertaintyEstimator est = UncertaintyEstimator.of(predictive).batcher(bayes.batcher())
                .batchSize(spec.batchSize()).averaging(spec.averaging()).progress(false);
        return spec.reduction() == null ? est : est.reduction(spec.reduction());
    }

    private static SharedPosterior load(ScoringSpec spec) {
        BayesLora bayes = spec.model().shared();
        CausalLM model = bayes.model();
        Path dir = LocalCopies.folder(spec.posteriorPath());
        Path swagAdapter = spec.swagAdapterPath() == null ? null : LocalCopies.folder(spec.swagAdapterPath());
        PosteriorFolders f = PosteriorFolders.resolve(spec.kind(), dir, swagAdapter, spec.posteriorPath());
        AnswerTokens answers = bayes.answers(spec.classLabels());
        ClassReduction red = spec.reduction();
        ClassReduction scoring = red == null ? ClassReduction.ANSWER_TOKENS : red;
        List<AutoCloseable> open = new ArrayList<>();
        try {
            PosteriorPredictive p;
            switch (f.kind()) {
                case LAPLACE: {
                    LaplacePosterior la = LaplacePosterior.load(f.posterior(), model);
                    open.add(la);
                    AnswerScorer scorer = new AnswerScorer(model, answers, scoring);
                    if (spec.sampled() > 0) {
                        SampledPredictive sp = la.sampled(scorer, spec.sampled(), spec.seed());
                        open.add(sp);
                        p = sp;
                    } else {
                        LinearizedPredictive lin = la.linearized(scorer, LinearizedPredictive.Options.defaults()
                                .withLink(spec.link()).withSeed(spec.seed())
                                .withSamples(spec.samples() > 0 ? spec.samples() : DEFAULT_MC_SAMPLES));
                        p = spec.link() == LinearizedPredictive.Link.PROBIT ? lin.probit() : lin;
                    }
                    break;
                }
                case ENSEMBLE: {
                    LoraEnsemble e = LoraEnsemble.load(f.posterior(), model, answers,
                            red == null ? null : EnsembleOptions.builder().reduction(red).build());
                    open.add(e);
                    p = e;
                    break;
                }
                case SWAG: {
                    LoraAdapter adapter = LoraAdapter.load(f.adapter(), model);
                    open.add(adapter);
                    SwagPosterior sw = SwagPosterior.load(f.posterior());
                    open.add(sw);
                    AnswerScorer scorer = new AnswerScorer(model, answers, scoring);
                    p = spec.samples() > 0 ? sw.predictive(adapter, scorer, spec.samples(), spec.seed())
                            : sw.predictive(adapter, scorer, spec.seed());
                    break;
                }
                default: {
                    LoraAdapter adapter = LoraAdapter.load(f.posterior(), model);
                    try {
                        LoraEnsemble single = LoraEnsemble.builder(model, answers)
                                .options(EnsembleOptions.builder().reduction(scoring).build()).member(adapter).build();
                        open.add(single);
                        p = single;
                    } catch (RuntimeException e) {
                        adapter.close();
                        throw e;
                    }
                }
            }
            return new SharedPosterior(p, open);
        } catch (RuntimeException e) {
            closeReversed(open);
            throw e;
        }
    }

    @Override
    public void close() {
        closeReversed(owned);
    }

    private static void closeReversed(List<AutoCloseable> list) {
        for (int i = list.size() - 1; i >= 0; i--) {
            try {
                list.get(i).close();
            } catch (Exception e) {
                throw new IllegalStateException(e);
            }
        }
    }
}
