package ai.bayeslora.examples.cli;

import ai.bayeslora.core.data.McqaBatcher;
import ai.bayeslora.core.data.McqaDataset;
import ai.bayeslora.core.mcqa.AnswerScorer;
import ai.bayeslora.core.mcqa.ClassReduction;
import ai.bayeslora.core.model.CausalLM;
import ai.bayeslora.core.text.AnswerTokens;
import ai.bayeslora.laplace.LaplacePosterior;
import ai.bayeslora.laplace.LinearizedPredictive;
import ai.bayeslora.laplace.Structure;
import ai.bayeslora.lora.LoraAdapter;
import ai.bayeslora.uncertainty.PosteriorPredictive;
import java.nio.file.Path;
import java.util.Locale;
import picocli.CommandLine.Option;

/**
 * {@code --laplace-per-epoch} of {@code train-ensemble} and {@code swag}: a Laplace-LoRA posterior fitted on each
 * epoch's checkpoint exactly as {@code laplace fit} fits it ({@link LaplaceRecipe}: exact Fisher, expand positions,
 * λ tuned by the log marginal likelihood, on the training set), saved to {@code OUT/laplace/epoch-NNN} (readable by
 * {@code evaluate --laplace}) and evaluated next to the run's other posteriors (docs/GUIDE.md).
 */
final class LaplacePerEpochOptions {
    /** Whether to fit one posterior per epoch; default off. */
    @Option(names = "--laplace-per-epoch", description = {"Also fit Laplace-LoRA (as laplace fit: lambda tuned by the "
        + "marginal likelihood on the training set) on each epoch's checkpoint, save it to OUT/laplace/epoch-NNN and "
        + "evaluate it with the other posteriors."})
    boolean enabled;

    /** The curvature structure; default {@code kfac}. */
    @Option(names = "--laplace-structure", defaultValue = "kfac", paramLabel = "full|diag|kfac|kfac-lowrank",
            converter = CliEnums.Structures.class,
            description = "Laplace structure for --laplace-per-epoch (default: ${DEFAULT-VALUE}).")
    Structure structure = Structure.KFAC;

    /** The linearised predictive's link; default {@code mc}, as {@code evaluate --laplace}. */
    @Option(names = "--laplace-link", defaultValue = "mc", paramLabel = "mc|probit", converter = CliEnums.Link.class,
            description = {"Laplace predictive for --laplace-per-epoch: mc (Monte Carlo logit samples, with MI) or "
                + "probit (default: ${DEFAULT-VALUE})."})
    LinearizedPredictive.Link link = LinearizedPredictive.Link.MONTE_CARLO;

    /** Monte Carlo logit samples of the mc link; default 100, as {@code evaluate --laplace}. */
    @Option(names = "--laplace-samples", defaultValue = "100", paramLabel = "S",
            description = "Logit samples of --laplace-link mc (default: ${DEFAULT-VALUE}).")
    int samples = LaplaceRecipe.DEFAULT_MC_SAMPLES;

    /** Prompts per pass of the fit; {@code laplace fit}'s default --eval-batch-size. */
    static final int FIT_BATCH_SIZE = 8;

    /** Checks the values before any work; errors name the option. */
    void validate() {
        if (!enabled) {
            return;
        }
        recipe();
        link();
        if (samples < 1) {
            throw new IllegalArgumentException("--laplace-samples must be positive, got " + samples);
        }
    }

    /** {@code laplace fit}'s settings with {@code --laplace-structure}. */
    LaplaceRecipe recipe() {
        return LaplaceRecipe.defaults(structure);
    }

    /** The parsed {@code --laplace-link}. */
    LinearizedPredictive.Link link() {
        return link;
    }

    /** The folder of epoch {@code epoch}'s posterior under the run folder: {@code OUT/laplace/epoch-NNN}. */
    static Path folder(Path runDir, int epoch) {
        return runDir.resolve("laplace").resolve(String.format(Locale.ROOT, "epoch-%03d", epoch));
    }

    /**
     * Fits the posterior of {@code adapter} (loaded from {@code adapterDir}) on {@code train} as {@code laplace fit
     * --batch-size 8} does (answer-token reduction, the batcher's prompt format), saves it to
     * {@link #folder(Path, int)} and returns it (the caller closes it).
     */
    LaplacePosterior fitAndSave(CausalLM model, AnswerTokens answers, McqaBatcher batcher, McqaDataset train,
                                LoraAdapter adapter, Path modelDir, Path adapterDir, Path runDir, int epoch) {
        AnswerScorer scorer = new AnswerScorer(model, answers, ClassReduction.ANSWER_TOKENS);
        LaplacePosterior la = recipe().fit(scorer, adapter, batcher.batches(train, FIT_BATCH_SIZE),
                modelDir.toAbsolutePath().toString(), adapterDir.toAbsolutePath().toString())
                .progress(null, train.size()).run();
        try {
            Path dir = folder(runDir, epoch);
            la.save(dir);
            System.err.printf(Locale.ROOT, "epoch %d: Laplace %s on %s, lambda = %.6g (tuned), log evidence %.6g -> %s%n",
                    epoch, la.structure().cliName(), adapterDir, la.priorPrecision(), la.logMarginalLikelihood(), dir);
            return la;
        } catch (RuntimeException e) {
            la.close();
            throw e;
        }
    }

    /** The linearised predictive of {@code la} with {@code --laplace-link}, scored with {@code reduction}. */
    PosteriorPredictive predictive(LaplacePosterior la, CausalLM model, AnswerTokens answers,
                                   ClassReduction reduction, long seed) {
        return LaplaceRecipe.linearized(la, new AnswerScorer(model, answers, reduction), link(), samples, seed);
    }

    /** The row name of epoch {@code epoch}'s posterior, e.g. {@code Laplace kfac mc (member 0, epoch 2)}. */
    String name(String onWhat, int epoch) {
        return "Laplace " + recipe().structure().cliName() + " " + LaplaceRecipe.linkName(link()) + " (" + onWhat
                + ", epoch " + epoch + ")";
    }
}
