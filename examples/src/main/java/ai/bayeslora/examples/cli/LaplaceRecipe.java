package ai.bayeslora.examples.cli;

import ai.bayeslora.core.data.EncodedBatch;
import ai.bayeslora.core.mcqa.AnswerScorer;
import ai.bayeslora.laplace.FisherEstimate;
import ai.bayeslora.laplace.KfacPositions;
import ai.bayeslora.laplace.LaplaceLoRA;
import ai.bayeslora.laplace.LaplacePosterior;
import ai.bayeslora.laplace.LinearizedPredictive;
import ai.bayeslora.laplace.Structure;
import ai.bayeslora.lora.LoraAdapter;
import ai.bayeslora.uncertainty.PosteriorPredictive;
import java.util.List;
import java.util.Locale;
import java.util.Objects;

/**
 * How the command line fits a Laplace-LoRA posterior and builds its predictive: one place for {@code laplace fit},
 * {@code evaluate --laplace} and the {@code --laplace-per-epoch} fits of {@code train-ensemble} and {@code swag}, so
 * a per-epoch posterior is the one {@code laplace fit} writes for that checkpoint with the same settings
 * (docs/METHODS.md §6, docs/LAPLACE.md).
 *
 * @param structure curvature structure; {@code laplace fit}'s default {@link Structure#KFAC}
 * @param fisher curvature estimate; default {@link FisherEstimate}'s exact expectation over the classes
 * @param positions which K-FAC positions feed the factors; default {@code expand}
 * @param rank low-rank k of {@code kfac-lowrank}; default 10
 * @param lowRankThreshold factor sides from which {@code kfac-lowrank} is low rank; default 100
 * @param modules module suffixes with a posterior, empty for all (the default)
 * @param seed seed of MC-sampled labels; default 0
 * @param priorPrecision a fixed λ, or null to tune λ by the log marginal likelihood (the default)
 */
record LaplaceRecipe(Structure structure, FisherEstimate fisher, KfacPositions positions, int rank,
                     int lowRankThreshold, List<String> modules, long seed, Double priorPrecision) {
    /** Linearised-predictive Monte Carlo samples of {@code evaluate --laplace --link mc} (default 100). */
    static final int DEFAULT_MC_SAMPLES = 100;

    LaplaceRecipe {
        Objects.requireNonNull(structure, "structure");
        Objects.requireNonNull(fisher, "fisher");
        Objects.requireNonNull(positions, "positions");
        modules = List.copyOf(modules);
    }

    /** {@code laplace fit}'s defaults with another structure: exact Fisher, expand, k = 10, threshold 100, tuned λ. */
    static LaplaceRecipe defaults(Structure structure) {
        return new LaplaceRecipe(structure, FisherEstimate.parse("exact"), KfacPositions.parse("expand"), 10, 100,
                List.of(), 0, null);
    }

    /** The configured fit of {@code adapter} on {@code batches}, recording the two folders as provenance. */
    LaplaceLoRA.Fit fit(AnswerScorer scorer, LoraAdapter adapter, Iterable<EncodedBatch> batches, String modelDir,
                        String adapterDir) {
        return LaplaceLoRA.fit(scorer, adapter, batches).config(config()).provenance(modelDir, adapterDir);
    }

    /** The library configuration of this recipe (also what {@code spark laplace-fit} fits with). */
    ai.bayeslora.laplace.LaplaceConfig config() {
        ai.bayeslora.laplace.LaplaceConfig.Builder b = ai.bayeslora.laplace.LaplaceConfig.builder()
                .structure(structure).fisher(fisher).positions(positions).rank(rank)
                .lowRankThreshold(lowRankThreshold).modules(modules).seed(seed);
        return priorPrecision == null ? b.tuning(ai.bayeslora.laplace.PriorTuning.Options.defaults()).build()
                : b.priorPrecision(priorPrecision).build();
    }

    /** Whether λ is tuned by the marginal likelihood. */
    boolean tuned() {
        return priorPrecision == null;
    }

    /** {@code mc} or {@code probit} (also {@code monte-carlo}); an unknown value names {@code option}. */
    static LinearizedPredictive.Link parseLink(String text, String option) {
        return switch (text.toLowerCase(Locale.ROOT)) {
            case "probit" -> LinearizedPredictive.Link.PROBIT;
            case "mc", "monte-carlo" -> LinearizedPredictive.Link.MONTE_CARLO;
            default -> throw new IllegalArgumentException(option + " must be probit or mc, got " + text);
        };
    }

    /** The link's command-line name. */
    static String linkName(LinearizedPredictive.Link link) {
        return link == LinearizedPredictive.Link.PROBIT ? "probit" : "mc";
    }

    /**
     * The linearised predictive of {@code evaluate --laplace}: Monte Carlo over {@code samples} logit samples (with
     * the MI decomposition), or the probit approximation (one point per prompt).
     */
    static PosteriorPredictive linearized(LaplacePosterior la, AnswerScorer scorer, LinearizedPredictive.Link link,
                                          int samples, long seed) {
        LinearizedPredictive lin = la.linearized(scorer, LinearizedPredictive.Options.defaults().withLink(link)
                .withSeed(seed).withSamples(samples));
        return link == LinearizedPredictive.Link.PROBIT ? lin.probit() : lin;
    }
}
