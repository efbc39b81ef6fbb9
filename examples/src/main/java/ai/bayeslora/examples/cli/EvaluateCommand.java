package ai.bayeslora.examples.cli;

import ai.bayeslora.laplace.LaplacePosterior;
import ai.bayeslora.uncertainty.TemperatureScaled;
import ai.bayeslora.laplace.LinearizedPredictive;
import ai.bayeslora.laplace.SampledPredictive;
import ai.bayeslora.core.BayesLoraException;
import ai.bayeslora.core.data.McqaBatcher;
import ai.bayeslora.core.data.McqaDataset;
import ai.bayeslora.core.mcqa.AnswerScorer;
import ai.bayeslora.core.mcqa.ClassReduction;
import ai.bayeslora.core.model.CausalLM;
import ai.bayeslora.core.text.AnswerTokens;
import ai.bayeslora.core.text.HfTokenizer;
import ai.bayeslora.lora.LoraAdapter;
import ai.bayeslora.lora.ensemble.EnsembleManifest;
import ai.bayeslora.lora.ensemble.EnsembleOptions;
import ai.bayeslora.lora.ensemble.LoraEnsemble;
import ai.bayeslora.lora.mcdropout.McDropoutPredictive;
import ai.bayeslora.lora.swag.SwagPosterior;
import ai.bayeslora.uncertainty.Comparison;
import ai.bayeslora.uncertainty.PosteriorPredictive;
import ai.bayeslora.uncertainty.UncertaintyEstimator;
import ai.bayeslora.uncertainty.report.UncertaintyReport;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** {@code bayeslora evaluate}: one posterior on a labelled set (and OOD set), summary on stdout, report folder. */
@Command(name = "evaluate", mixinStandardHelpOptions = true, usageHelpAutoWidth = true,
        header = "Evaluates one posterior on a labelled set (and an OOD set) and writes a report.", sortOptions = false,
        description = {"Evaluates one posterior on a labelled --data set: accuracy, NLL, ECE, Brier, entropies, MI, "
            + "AURC, plus OOD detection (AUROC/AUPR) against --ood. Prints the table and writes OUT/report.json, a CSV "
            + "per evaluation, figures and report.html. The posterior is one of:",
            "  --ensemble DIR              a saved LoRA ensemble (or a train-ensemble --out)",
            "  --adapter DIR               a single peft adapter (MAP, one sample)",
            "  --swag DIR [--adapter DIR]  a SWAG posterior (a swag --out folder works)",
            "  --mc-dropout --adapter DIR  MC dropout with the adapter's LoRA dropout",
            "  --laplace DIR               a Laplace-LoRA posterior (laplace fit --out):",
            "                              the linearised predictive (--link), or the",
            "                              weight-space one with --sampled S",
            "Data sets (--data, --ood, --temperature-from) are " + DataSpec.SYNTAX + ", for example "
                + "mmlu/data/test#stem.",
            ""})
final class EvaluateCommand implements Callable<Integer> {
    @Mixin ModelOptions modelOptions;
    @Mixin PromptOption promptOption = new PromptOption();
    @Mixin AveragingOption averagingOption = new AveragingOption();

    @Option(names = "--ensemble", paramLabel = "DIR", description = "Saved LoRA ensemble folder.") Path ensemble;

    @Option(names = "--swag", paramLabel = "DIR", description = "SWAG posterior folder (or a swag --out folder).")
    Path swag;

    @Option(names = "--mc-dropout", description = "MC dropout on --adapter.") boolean mcDropout;

    @Option(names = "--laplace", paramLabel = "DIR", description = "Laplace posterior folder (laplace fit --out).")
    Path laplace;

    @Option(names = "--link", defaultValue = "mc", converter = CliEnums.Link.class, paramLabel = "mc|probit",
            description = {"Laplace linearised predictive: mc (--samples logit "
        + "samples, default 100: with the MI decomposition) or probit (the paper's link; one point per prompt, MI 0)."})
    LinearizedPredictive.Link link;

    @Option(names = "--sampled", paramLabel = "S",
            description = "Laplace: the weight-space predictive with S samples instead of the linearised one.")
    Integer sampled;

    @Option(names = "--samples", paramLabel = "S",
            description = "SWAG samples (default: the posterior's S) or MC-dropout passes (default: 10).")
    Integer samples;

    @Mixin DataOptions dataOptions = new DataOptions();

    @Option(names = "--ood", paramLabel = "SET", converter = DataSpec.Converter.class,
            description = "Out-of-domain set for OOD detection (labels unused), as --data.")
    DataSpec ood;

    @Option(names = "--temperature-from", paramLabel = "SET", converter = DataSpec.Converter.class, description = {"Also evaluate the posterior with "
        + "temperature scaling, T fitted by NLL on this held-out labelled set (not --data): a second row."})
    DataSpec temperatureFrom;


    @Option(names = "--ece-bins", defaultValue = "15", paramLabel = "BINS", description = "ECE bins (default: ${DEFAULT-VALUE}).")
    int eceBins;

    @Option(names = "--reduction", paramLabel = "answer-tokens|full-vocab", converter = CliEnums.Reduction.class,
            description = "Class probabilities (default: the ensemble's saved reduction, else answer-tokens).")
    ClassReduction reduction;

    @Mixin BatchSizeOptions batchSizeOptions = new BatchSizeOptions();

    @Option(names = "--seed", defaultValue = "0", paramLabel = "SEED", description = "Sampling seed (default: ${DEFAULT-VALUE}).")
    long seed;

    @Option(names = "--out", defaultValue = "runs/evaluate", paramLabel = "DIR", description = "Report folder (default: ${DEFAULT-VALUE}).")
    Path out;

    @Mixin OverwriteOption overwrite = new OverwriteOption();

    @Mixin SvgOption svgOption = new SvgOption();

    @picocli.CommandLine.Spec picocli.CommandLine.Model.CommandSpec spec;

    @Override
    public Integer call() {
        int kinds = (ensemble != null ? 1 : 0) + (swag != null ? 1 : 0) + (mcDropout ? 1 : 0) + (laplace != null ? 1 : 0);
        if (kinds > 1) {
            throw new IllegalArgumentException("choose one posterior: --ensemble, --swag, --mc-dropout or --laplace");
        }
        if (kinds == 0 && modelOptions.adapter == null) {
            throw new IllegalArgumentException("no posterior: pass --ensemble DIR, --adapter DIR, --swag DIR, "
                    + "--mc-dropout --adapter DIR or --laplace DIR");
        }
        if (laplace != null && modelOptions.adapter != null) {
            throw new IllegalArgumentException("--adapter does not combine with --laplace: the posterior folder holds "
                    + "the adapter it was fitted on");
        }
        if (sampled != null && (laplace == null || sampled < 1)) {
            throw new IllegalArgumentException("--sampled S needs --laplace DIR and S >= 1");
        }
        LinearizedPredictive.Link laplaceLink = link;
        if (ensemble != null && modelOptions.adapter != null) {
            throw new IllegalArgumentException("--adapter does not combine with --ensemble");
        }
        if (mcDropout && modelOptions.adapter == null) {
            throw new IllegalArgumentException("--mc-dropout needs --adapter DIR (an adapter trained with LoRA dropout)");
        }
        int batchSize = batchSizeOptions.evalBatchSize();
        if (eceBins < 1 || (samples != null && samples < 1)) {
            throw new IllegalArgumentException("--ece-bins and --samples must be positive");
        }
        Path ensembleDir = ensemble == null ? null : ensembleFolder(ensemble);
        Path swagDir = null;
        Path adapterDir = modelOptions.adapter;
        if (swag != null) {
            if (Files.isRegularFile(swag.resolve("swag.json"))) {
                swagDir = swag;
            } else if (Files.isRegularFile(swag.resolve("posterior/swag.json"))) {
                swagDir = swag.resolve("posterior");
                if (adapterDir == null) {
                    adapterDir = swag.resolve("adapter");
                }
            } else {
                throw new BayesLoraException("--swag " + swag + ": neither " + swag.resolve("swag.json") + " nor "
                        + swag.resolve("posterior/swag.json") + " exists");
            }
            if (adapterDir == null) {
                throw new IllegalArgumentException("--swag " + swag + " needs --adapter DIR (the adapter the posterior "
                        + "was collected on)");
            }
        }
        if (adapterDir != null && !Files.isRegularFile(adapterDir.resolve("adapter_config.json"))) {
            throw new BayesLoraException("adapter folder " + adapterDir + ": no adapter_config.json");
        }
        ClassReduction red = reduction;
        ai.bayeslora.uncertainty.MemberAveraging averaging = averagingOption.averaging();
        OutputGuard guard = new OutputGuard("evaluate", overwrite.overwrite)
                .inputs(modelOptions.model, adapterDir, ensemble, swag, laplace, dataOptions.required().path(),
                        temperatureFrom == null ? null : temperatureFrom.path(), ood == null ? null : ood.path());
        guard.checkFolder("--out", out);
        modelOptions.checkModelDir();
        String promptName = promptOption.name("mmlu");
        ai.bayeslora.core.data.PaperPrompts.Prepared prepared = PromptOption.prepare(promptName,
                dataOptions.loadLabelled("evaluation"));
        McqaDataset test = prepared.dataset();
        McqaDataset oodSet = ood == null ? null : PromptOption.prepare(promptName,
                dataOptions.load.load("--ood", ood)).dataset();
        McqaDataset calibration = temperatureFrom == null ? null : PromptOption.prepare(promptName,
                dataOptions.load.loadLabelled("--temperature-from", temperatureFrom, "temperature scaling")).dataset();
        if (calibration != null && temperatureFrom.path().toAbsolutePath().normalize()
                .equals(dataOptions.path().toAbsolutePath().normalize())) {
            throw new IllegalArgumentException("--temperature-from must be a held-out set, not the --data set itself");
        }

        Path modelDir = modelOptions.modelDir();
        try (CausalLM model = CausalLM.load(modelDir, modelOptions.computeDevice());
             HfTokenizer tokenizer = HfTokenizer.load(modelDir);
             Closer open = new Closer()) { // closed first: adapters and posteriors before the model
            McqaBatcher batcher = new McqaBatcher(tokenizer, prepared.format(),
                    McqaBatcher.Config.forTokenizer(tokenizer));
            AnswerTokens answers = AnswerTokens.of(tokenizer, test.classLabels(), prepared.format().answerPrefix());
            ClassReduction scoring = red == null ? ClassReduction.ANSWER_TOKENS : red;
            PosteriorPredictive posterior;
            String what;
            if (laplace != null) {
                LaplacePosterior la = LaplacePosterior.load(laplace, model);
                open.add(la);
                AnswerScorer scorer = new AnswerScorer(model, answers, scoring);
                if (sampled != null) {
                    SampledPredictive sp = la.sampled(scorer, sampled, seed);
                    open.add(sp);
                    posterior = sp;
                    what = "Laplace " + la.structure().cliName() + " " + laplace + ", weight-space predictive, S = "
                            + sampled;
                } else {
                    posterior = LaplaceRecipe.linearized(la, scorer, laplaceLink,
                            samples == null ? LaplaceRecipe.DEFAULT_MC_SAMPLES : samples, seed);
                    what = "Laplace " + la.structure().cliName() + " " + laplace + ", linearised predictive ("
                            + CliEnums.name(link) + ")";
                }
            } else if (ensembleDir != null) {
                LoraEnsemble e = LoraEnsemble.load(ensembleDir, model, answers,
                        red == null ? null : EnsembleOptions.builder().reduction(red).build());
                open.add(e);
                posterior = e;
                what = "ensemble " + ensembleDir;
            } else {
                LoraAdapter adapter = LoraAdapter.load(adapterDir, model);
                open.add(adapter);
                if (swagDir != null) {
                    SwagPosterior p = SwagPosterior.load(swagDir);
                    open.add(p);
                    AnswerScorer scorer = new AnswerScorer(model, answers, scoring);
                    posterior = samples == null ? p.predictive(adapter, scorer, seed)
                            : p.predictive(adapter, scorer, samples, seed);
                    what = "SWAG " + swagDir + " on adapter " + adapterDir;
                } else if (mcDropout) {
                    if (!(adapter.config().dropout() > 0)) {
                        throw new BayesLoraException("--mc-dropout: adapter " + adapterDir + " has lora_dropout 0; MC "
                                + "dropout needs an adapter with dropout > 0");
                    }
                    AnswerScorer scorer = new AnswerScorer(model, answers, scoring);
                    posterior = new McDropoutPredictive(adapter, scorer,
                            samples == null ? McDropoutPredictive.DEFAULT_PASSES : samples, seed);
                    what = "MC dropout on adapter " + adapterDir;
                } else {
                    open.remove(adapter);
                    LoraEnsemble single = LoraEnsemble.builder(model, answers)
                            .options(EnsembleOptions.builder().reduction(scoring).build()).member(adapter).build();
                    open.add(single);
                    posterior = new Named(single, "adapter (MAP)");
                    what = "adapter " + adapterDir;
                }
            }
            UncertaintyEstimator est = UncertaintyEstimator.of(posterior).batcher(batcher).batchSize(batchSize)
                    .eceBins(eceBins).averaging(averaging);
            if (red != null) {
                est = est.reduction(red);
            }
            System.err.println("evaluate: " + what + " on " + test.source() + " (" + test.size() + " questions)"
                    + (oodSet == null ? "" : ", OOD " + oodSet.source() + " (" + oodSet.size() + ")"));
            List<UncertaintyEstimator> estimators = new java.util.ArrayList<>(List.of(est));
            if (calibration != null) {
                if (!calibration.classLabels().equals(test.classLabels())) {
                    throw new BayesLoraException("--temperature-from " + temperatureFrom.text() + " has classes "
                            + calibration.classLabels() + " but --data has " + test.classLabels());
                }
                TemperatureScaled ts = TemperatureScaled.fit(posterior, batcher.batches(calibration, batchSize),
                        averaging);
                System.err.printf(java.util.Locale.ROOT, "temperature scaling: T = %.4g fitted on %s (%d questions)%n",
                        ts.temperature(), calibration.source(), calibration.size());
                UncertaintyEstimator scaled = UncertaintyEstimator.of(ts).batcher(batcher).batchSize(batchSize)
                        .eceBins(eceBins).averaging(averaging); // one sample: recorded, not applied again
                estimators.add(red != null ? scaled.reduction(red) : scaled);
            }
            Comparison c = UncertaintyEstimator.compare(test, oodSet, estimators);
            UncertaintyReport.Builder report = UncertaintyReport.builder("Evaluation: " + posterior.name() + " on "
                    + test.source()).note("Posterior: " + what + "; model " + modelDir + "; samples averaged by "
                    + averaging.cliName() + ".").comparison(c);
            if (oodSet != null) {
                report.note("OOD detection: " + test.source() + " in-domain (negative), " + oodSet.source()
                        + " out-of-domain (positive).");
            }
            if (modelOptions.model == null) {
                report.note("The bundled model is a tiny random Llama: the numbers show the pipeline, not an LLM.");
            }
            // run metadata (docs/GUIDE.md, "Reports and figures"): what a reader needs to rerun this evaluation
            var meta = ReportMetadata.of(spec, model, modelDir, modelOptions.model == null)
                    .seed("sampling", seed).setting("posterior", what).setting("data", test.source())
                    .setting("prompt", promptName).setting("ECE bins", eceBins).setting("batch size", batchSize)
                    .setting("reduction", reduction == null ? "default" : reduction.cliName())
                    .setting("samples", samples == null ? "default" : samples)
                    .setting("member averaging", averaging.cliName());
            if (ReportMetadata.adapterOf(open) != null) {
                meta.adapter(ReportMetadata.adapterOf(open));
            }
            report.metadata(meta.build());
            Path html = report.svg(svgOption.svg).build().writeTo(out, guard.replace());
            System.out.print(c.table());
            System.out.println(c.entries().get(0).evaluation().summary());
            if (oodSet != null) {
                System.out.println(c.entries().get(0).ood().summary());
            }
            System.out.println("report: " + html);
        }
        return 0;
    }

    /** The ensemble folder: DIR itself, or DIR/ensemble-final for a train-ensemble --out folder. */
    private static Path ensembleFolder(Path dir) {
        if (Files.isRegularFile(dir.resolve(EnsembleManifest.FILE))) {
            return dir;
        }
        if (Files.isRegularFile(dir.resolve("ensemble-final").resolve(EnsembleManifest.FILE))) {
            return dir.resolve("ensemble-final");
        }
        throw new BayesLoraException("--ensemble " + dir + ": no " + EnsembleManifest.FILE + " (nor "
                + dir.resolve("ensemble-final").resolve(EnsembleManifest.FILE) + ")"
                + (Files.isDirectory(dir) ? "" : "; the folder does not exist"));
    }

    /** Closes what it holds in reverse order. */
    private static final class Closer extends ArrayList<AutoCloseable> implements AutoCloseable {
        @Override
        public void close() {
            for (int i = size() - 1; i >= 0; i--) {
                try {
                    get(i).close();
                } catch (Exception e) {
                    throw new IllegalStateException(e);
                }
            }
        }
    }
}
