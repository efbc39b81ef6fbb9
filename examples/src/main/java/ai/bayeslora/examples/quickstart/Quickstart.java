package ai.bayeslora.examples.quickstart;

import ai.bayeslora.core.ComputeDevice;
import ai.bayeslora.core.data.McqaBatcher;
import ai.bayeslora.core.data.McqaDataset;
import ai.bayeslora.core.mcqa.AnswerScorer;
import ai.bayeslora.core.mcqa.ClassReduction;
import ai.bayeslora.core.model.CausalLM;
import ai.bayeslora.core.text.AnswerTokens;
import ai.bayeslora.core.text.HfTokenizer;
import ai.bayeslora.laplace.LaplaceLoRA;
import ai.bayeslora.laplace.LaplacePosterior;
import ai.bayeslora.laplace.Structure;
import ai.bayeslora.lora.LoraAdapter;
import ai.bayeslora.lora.LoraConfig;
import ai.bayeslora.lora.ensemble.EnsembleOptions;
import ai.bayeslora.lora.ensemble.EnsembleTrainer;
import ai.bayeslora.lora.ensemble.LoraEnsemble;
import ai.bayeslora.lora.mcdropout.McDropoutPredictive;
import ai.bayeslora.lora.swag.SwagCollector;
import ai.bayeslora.lora.swag.SwagConfig;
import ai.bayeslora.lora.swag.SwagPosterior;
import ai.bayeslora.lora.train.LearningRateSchedule;
import ai.bayeslora.lora.train.LoraTrainer;
import ai.bayeslora.lora.train.TrainingConfig;
import ai.bayeslora.uncertainty.Comparison;
import ai.bayeslora.uncertainty.EvaluationReport;
import ai.bayeslora.uncertainty.PosteriorPredictive;
import ai.bayeslora.uncertainty.MemberAveraging;
import ai.bayeslora.uncertainty.TemperatureScaled;
import ai.bayeslora.uncertainty.UncertaintyEstimator;
import ai.bayeslora.uncertainty.report.RunMetadata;
import ai.bayeslora.uncertainty.report.UncertaintyReport;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The quickstart pipeline on the bundled tiny model and synthetic task: trains a deep ensemble, a SWAG posterior and
 * an MC-dropout model, evaluates them in-domain and on the shifted split, tracks the ensemble per epoch, and writes a
 * report. Every step uses the public API; {@code examples/jshell/quickstart.jsh} walks through the same steps.
 */
public final class Quickstart {
    private static final Logger LOG = LoggerFactory.getLogger(Quickstart.class);

    /**
     * @param members ensemble size M
     * @param epochs training epochs per model
     * @param trainQuestions how many training questions to use (at most the file's size less the held-out ones)
     * @param seed base seed
     * @param progress progress bars
     * @param learningRate AdamW's learning rate
     * @param device where the model runs and its compute dtype (the CPU in float32 by default: the bundled model is
     *     so small that a GPU only adds launch overhead, and the figures below are float32's)
     * @param averaging how the ensemble's members, SWAG's, MC dropout's and Laplace's samples are combined
     *     (docs/METHODS.md §4, "Averaging members"); default {@link MemberAveraging#PROBABILITIES}
     * @param svg also write the report's figures as SVG (default false: PNG only)
     */
    public record Settings(int members, int epochs, int trainQuestions, long seed, boolean progress,
                           double learningRate, ComputeDevice device, MemberAveraging averaging, boolean svg) {
        /**
         * M = 5, 8 epochs, 671 of the 767 training questions (the last 96 are held out for temperature scaling), lr
         * 3e-3, the CPU in float32: the tiny model learns the rule (ensemble accuracy 1.0 on the 64 test questions, OOD
         * AUROC of predictive entropy 0.94) in about 25 s on 2 idle cores (2026-12-01).
         */
        public static Settings defaults() {
            return new Settings(5, 8, 767, 0, true, Double.parseDouble(System.getProperty("bayeslora.quickstart.lr",
                    "3e-3")), ComputeDevice.cpu(), MemberAveraging.PROBABILITIES, false);
        }

        /** A smaller run for tests and notebooks: M = 3, 2 epochs, 256 questions. */
        public static Settings fast() {
            return new Settings(3, 2, 256, 0, false, 3e-3, ComputeDevice.cpu(), MemberAveraging.PROBABILITIES, false);
        }

        /** The same with another size and length. */
        public Settings with(int m, int e) {
            return new Settings(m, e, trainQuestions, seed, progress, learningRate, device, averaging, svg);
        }

        /** The same on another device or dtype. */
        public Settings on(ComputeDevice d) {
            return new Settings(members, epochs, trainQuestions, seed, progress, learningRate, d, averaging, svg);
        }

        /** The same with another member averaging. */
        public Settings averaging(MemberAveraging a) {
            return new Settings(members, epochs, trainQuestions, seed, progress, learningRate, device, a, svg);
        }

        /** The same with SVG figures on or off. */
        public Settings svg(boolean on) {
            return new Settings(members, epochs, trainQuestions, seed, progress, learningRate, device, averaging, on);
        }
    }

    /** What the run produced. */
    public record Outcome(Comparison comparison, Path reportHtml, double seconds) {
    }

    private Quickstart() {
    }

    /** LoRA on the attention projections: r = 8, α = 16 (q and v alone learn the synthetic rule much more slowly). */
    public static LoraConfig lora(double dropout) {
        return LoraConfig.builder().rank(8).alpha(16).dropout(dropout)
                .targetModules("q_proj", "k_proj", "v_proj", "o_proj").build();
    }

    /** AdamW, lr 3e-3 constant, batch 16: fast enough for the tiny model to learn the rule in a few epochs. */
    public static TrainingConfig training(Settings s) {
        return TrainingConfig.builder().learningRate(s.learningRate()).schedule(LearningRateSchedule.constant()).batchSize(16)
                .epochs(s.epochs()).seed(s.seed()).progressBar(s.progress()).build();
    }

    /** Runs everything and writes {@code outDir/report}. */
    public static Outcome run(Path modelDir, McqaDataset trainAll, McqaDataset test, McqaDataset ood, Path outDir,
                              Settings s) {
        return run(modelDir, trainAll, test, ood, outDir, s, RunMetadata.builder().command("quickstart"));
    }

    /**
     * As {@link #run(Path, McqaDataset, McqaDataset, McqaDataset, Path, Settings)}, recording the run in the report's
     * metadata: {@code meta} (e.g. the CLI's command line) gets the model, the LoRA configurations, the seeds and the
     * settings.
     */
    public static Outcome run(Path modelDir, McqaDataset trainAll, McqaDataset test, McqaDataset ood, Path outDir,
                              Settings s, RunMetadata.Builder meta) {
        long t0 = System.nanoTime();
        // the last questions are held out: temperature scaling is fitted on them, never on the test set
        int held = Math.max(16, Math.min(96, trainAll.size() / 8));
        int n = Math.min(s.trainQuestions(), trainAll.size() - held);
        McqaDataset train = McqaDataset.of(trainAll.source(), trainAll.classLabels(),
                trainAll.examples().subList(0, n));
        McqaDataset heldOut = McqaDataset.of(trainAll.source() + " (held out)", trainAll.classLabels(),
                trainAll.examples().subList(n, n + held));
        try (CausalLM model = CausalLM.load(modelDir, s.device());
             HfTokenizer tokenizer = HfTokenizer.load(modelDir)) {
            McqaBatcher batcher = McqaBatcher.forTokenizer(tokenizer);
            AnswerTokens answers = AnswerTokens.of(tokenizer, train.classLabels());
            AnswerScorer scorer = new AnswerScorer(model, answers, ClassReduction.ANSWER_TOKENS);

            LOG.info("1/4 deep ensemble: {} members x {} epochs on {} questions", s.members(), s.epochs(), train.size());
            EnsembleTrainer.Result ens = new EnsembleTrainer(lora(0.0), training(s), s.members(), s.seed())
                    .train(model, batcher, answers, train, Optional.empty(), outDir.resolve("ensemble"),
                            EnsembleOptions.defaults());

            LOG.info("2/4 SWAG + MC dropout: one adapter with LoRA dropout 0.1, SWAG moments every 8 steps from "
                    + "epoch {}", Math.max(1, s.epochs() - 1));
            SwagConfig swagConfig = SwagConfig.builder().startEpoch(Math.max(1, s.epochs() - 1)).everySteps(8).build();
            try (LoraEnsemble ensemble = ens.ensemble();
                 LoraAdapter swagAdapter = LoraAdapter.create(model, lora(0.1), s.seed() + 100);
                 SwagCollector collector = new SwagCollector(swagConfig)) {
                new LoraTrainer(training(s).toBuilder().seed(s.seed() + 100).build()).withListener(collector)
                        .train(swagAdapter, batcher, train, Optional.empty(), outDir.resolve("swag"));
                SwagPosterior swag = collector.posterior();
                swag.save(outDir.resolve("swag/posterior"));
                PosteriorPredictive swagPredictive = swag.predictive(swagAdapter, scorer, s.seed());
                PosteriorPredictive mcDropout = new McDropoutPredictive(swagAdapter, scorer, 10, s.seed());

                LOG.info("3/4 Laplace-LoRA (K-FAC, prior precision by marginal likelihood) on member 0's MAP adapter, "
                        + "temperature scaling of it on {} held-out questions; evaluating in-domain ({}) and shifted "
                        + "({}) questions", heldOut.size(), test.size(), ood.size());
                try (LoraEnsemble single = loadEnsemble(model, answers, ens, outDir, s.epochs(), 1);
                     LaplacePosterior laplace = LaplaceLoRA.fit(scorer, single.members().get(0),
                             batcher.batches(train, 16)).structure(Structure.KFAC).tunePriorPrecision().run()) {
                    PosteriorPredictive laplacePredictive = laplace.linearized(scorer);
                    PosteriorPredictive scaled = TemperatureScaled.fit(single, batcher.batches(heldOut, 16),
                            s.averaging());
                    List<UncertaintyEstimator> estimators = new ArrayList<>();
                    for (PosteriorPredictive p : List.of(single, ensemble, swagPredictive, mcDropout,
                            laplacePredictive, scaled)) {
                        estimators.add(UncertaintyEstimator.of(p).batcher(batcher).progress(false)
                                .averaging(s.averaging()));
                    }
                    Comparison cmp = UncertaintyEstimator.compare(test, ood, estimators);

                    LOG.info("4/4 per-epoch ensemble metrics and the report");
                    UncertaintyReport.Builder report = UncertaintyReport.builder("BayesLoRA4J quickstart")
                            .note("The bundled model is a tiny, randomly initialised Llama (2 layers, hidden 64) "
                                    + "fine-tuned on a synthetic task: the numbers show the pipeline working, not the "
                                    + "behaviour of a real LLM. Run the same workflows on a real checkpoint with "
                                    + "./bayeslora train-ensemble --model DIR ...")
                            .note("Members and samples averaged by " + s.averaging().cliName()
                                    + " (docs/METHODS.md §4).")
                            .comparison(cmp);
                    perEpoch(model, answers, batcher, ens, outDir, s, test, ood, report);
                    report.metadata(meta.model(RunMetadata.Model.of(model, modelDir.toString()))
                            .adapter(adapter("ensemble members (" + s.members() + ")", lora(0.0)))
                            .adapter(adapter("SWAG and MC dropout", lora(0.1)))
                            .seed("ensemble base", s.seed()).seed("SWAG adapter", s.seed() + 100)
                            .setting("members", s.members()).setting("epochs", s.epochs())
                            .setting("training questions", train.size())
                            .setting("temperature-scaling questions", heldOut.size())
                            .setting("learning rate", s.learningRate()).setting("device", s.device())
                            .setting("ECE bins", 15).setting("Laplace", "K-FAC, prior precision by marginal "
                                    + "likelihood, linearised predictive").build());
                    Path html = report.svg(s.svg()).build().writeTo(outDir.resolve("report"));
                    return new Outcome(cmp, html, (System.nanoTime() - t0) / 1e9);
                }
            }
        }
    }

    private static RunMetadata.Adapter adapter(String name, LoraConfig c) {
        return new RunMetadata.Adapter(name, c.rank(), c.alpha(), c.dropout(), c.targetModules());
    }

    /** Ensemble of the first {@code m} members' adapters at {@code epoch} (loaded from their checkpoints). */
    static LoraEnsemble loadEnsemble(CausalLM model, AnswerTokens answers, EnsembleTrainer.Result ens, Path outDir,
                                     int epoch, int m) {
        LoraEnsemble.Builder b = LoraEnsemble.builder(model, answers);
        for (int i = 0; i < m; i++) {
            Path dir = EnsembleTrainer.memberDir(outDir.resolve("ensemble"), i).resolve(String.format("epoch-%03d", epoch));
            b.member(LoraAdapter.load(dir, model), i);
        }
        return b.build();
    }

    /** Accuracy, NLL and ECE per epoch for M = 1 and M = all, and entropy/MI histograms per epoch (paper Figs. 1–4). */
    private static void perEpoch(CausalLM model, AnswerTokens answers, McqaBatcher batcher, EnsembleTrainer.Result ens,
                                 Path outDir, Settings s, McqaDataset test, McqaDataset ood,
                                 UncertaintyReport.Builder report) {
        int[] epochs = new int[s.epochs()];
        Map<String, double[]> acc = new LinkedHashMap<>();
        Map<String, double[]> nll = new LinkedHashMap<>();
        Map<String, double[]> ece = new LinkedHashMap<>();
        List<Integer> epochList = new ArrayList<>();
        List<EvaluationReport> inDomain = new ArrayList<>();
        List<EvaluationReport> shifted = new ArrayList<>();
        for (int size : new int[] {1, s.members()}) {
            String key = "M=" + size;
            acc.put(key, new double[s.epochs()]);
            nll.put(key, new double[s.epochs()]);
            ece.put(key, new double[s.epochs()]);
        }
        for (int e = 1; e <= s.epochs(); e++) {
            epochs[e - 1] = e;
            for (int size : new int[] {1, s.members()}) {
                try (LoraEnsemble at = loadEnsemble(model, answers, ens, outDir, e, size)) {
                    UncertaintyEstimator est = UncertaintyEstimator.of(at).batcher(batcher).progress(false)
                            .averaging(s.averaging());
                    EvaluationReport r = est.evaluate(test);
                    String key = "M=" + size;
                    acc.get(key)[e - 1] = r.metrics().accuracy();
                    nll.get(key)[e - 1] = r.metrics().nll();
                    ece.get(key)[e - 1] = r.metrics().ece();
                    if (size == s.members()) {
                        epochList.add(e);
                        inDomain.add(r);
                        shifted.add(est.evaluate(ood));
                    }
                }
            }
            LOG.info(String.format(Locale.ROOT, "epoch %d: M=1 acc %.3f NLL %.3f | M=%d acc %.3f NLL %.3f", e,
                    acc.get("M=1")[e - 1], nll.get("M=1")[e - 1], s.members(), acc.get("M=" + s.members())[e - 1],
                    nll.get("M=" + s.members())[e - 1]));
        }
        report.epochSeries(new UncertaintyReport.EpochSeries("accuracy", epochs, acc))
                .epochSeries(new UncertaintyReport.EpochSeries("NLL", epochs, nll))
                .epochSeries(new UncertaintyReport.EpochSeries("ECE (15 bins)", epochs, ece))
                .epochHistograms(new UncertaintyReport.EpochHistograms("ensemble in-domain", epochList, inDomain))
                .epochHistograms(new UncertaintyReport.EpochHistograms("ensemble shifted", epochList, shifted));
    }
}
