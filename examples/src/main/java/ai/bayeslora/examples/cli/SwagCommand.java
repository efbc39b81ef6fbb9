package ai.bayeslora.examples.cli;

import ai.bayeslora.core.data.McqaBatcher;
import ai.bayeslora.core.mcqa.AnswerScorer;
import ai.bayeslora.core.mcqa.ClassReduction;
import ai.bayeslora.core.text.AnswerTokens;
import ai.bayeslora.laplace.LaplacePosterior;
import ai.bayeslora.lora.ensemble.EnsembleOptions;
import ai.bayeslora.lora.ensemble.LoraEnsemble;
import ai.bayeslora.uncertainty.Comparison;
import ai.bayeslora.uncertainty.EvaluationReport;
import ai.bayeslora.uncertainty.MemberAveraging;
import ai.bayeslora.uncertainty.PosteriorPredictive;
import ai.bayeslora.uncertainty.UncertaintyEstimator;
import ai.bayeslora.uncertainty.report.UncertaintyReport;
import ai.bayeslora.core.data.McqaDataset;
import ai.bayeslora.core.model.CausalLM;
import ai.bayeslora.core.text.HfTokenizer;
import ai.bayeslora.lora.LoraAdapter;
import ai.bayeslora.lora.LoraConfig;
import ai.bayeslora.lora.swag.SwagCollector;
import ai.bayeslora.lora.swag.SwagConfig;
import ai.bayeslora.lora.swag.SwagPosterior;
import ai.bayeslora.lora.swag.SwagVariant;
import ai.bayeslora.lora.train.LoraTrainer;
import ai.bayeslora.lora.train.TrainingConfig;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** {@code bayeslora swag}: one adapter trained with SWAG moment collection; saves the adapter and the posterior. */
@Command(name = "swag", mixinStandardHelpOptions = true, usageHelpAutoWidth = true,
        header = "Trains one LoRA adapter and collects a SWAG posterior over it.", sortOptions = false,
        description = {"Trains one LoRA adapter and collects SWAG moments (SWA mean, diagonal variance, K deviation "
            + "columns) from --start-epoch on, at each epoch end or every --every optimizer steps. Writes "
            + "OUT/checkpoints/epoch-NNN, OUT/adapter (peft folder, final weights), OUT/posterior (swag.json + "
            + "swag.safetensors) and OUT/run.json. Evaluate with: evaluate --swag OUT --data FILE.",
            "Defaults (SWAG-LoRA, Onal et al. 2024, where it fixes them): LoRA r=8, alpha=16, dropout 0.1 on "
            + "q_proj,v_proj; K=5, scale 1, S=15 samples; AdamW lr 1e-4 with linear decay, clip 1.0, batch 8.",
            "Not reproduced: SWAG-LoRA's lower learning rate in the SWAG phase (the trainer has one schedule).",
            "With --eval sets: the adapter (MAP) of every epoch, --laplace-per-epoch's Laplace posteriors and, at the "
            + "final epoch, the SWAG predictive are evaluated; OUT/report holds the per-epoch curves and the tables.",
            ""})
final class SwagCommand implements Callable<Integer> {
    @picocli.CommandLine.Mixin DataLoadOptions dataLoad = new DataLoadOptions();
    @picocli.CommandLine.Mixin PromptOption promptOption = new PromptOption();
    @Mixin BaseModelOptions modelOptions;

    @Option(names = "--train", required = true, paramLabel = "SET",
            description = "Labelled training data, " + DataSpec.SYNTAX + ".") String train;

    @Option(names = "--epochs", defaultValue = "3", paramLabel = "E",
            description = "Epochs (default: ${DEFAULT-VALUE}).") int epochs;

    @Option(names = "--start-epoch", paramLabel = "S",
            description = "First epoch whose snapshots are collected; earlier epochs are the MAP phase "
                    + "(default: max(1, E-1)).") Integer startEpoch;

    @Option(names = "--every", paramLabel = "K",
            description = "Collect every K optimizer steps (default: at each epoch end).") Integer every;

    @Option(names = "--samples", defaultValue = "15", paramLabel = "S",
            description = "Weight samples S of the predictive, stored in the posterior (default: ${DEFAULT-VALUE}).")
    int samples;

    @Option(names = "--max-rank", defaultValue = "5", paramLabel = "K",
            description = "Deviation columns kept (default: ${DEFAULT-VALUE}).") int maxRank;

    @Option(names = "--scale", defaultValue = "1", paramLabel = "C", description = "Covariance scale (default: ${DEFAULT-VALUE}).")
    double scale;

    @Option(names = "--variant", defaultValue = "paper", paramLabel = "paper|swag-lora-code",
            converter = CliEnums.Variant.class,
            description = "Sampler: Maddox et al.'s (paper) or swag-lora's code (default: ${DEFAULT-VALUE}).")
    SwagVariant variant;

    @Mixin TrainOptions trainOptions;

    @Option(names = "--out", defaultValue = "runs/swag", paramLabel = "DIR", description = "Output folder (default: ${DEFAULT-VALUE}).")
    Path out;

    @Mixin OverwriteOption overwrite = new OverwriteOption();

    @Mixin SvgOption svgOption = new SvgOption();

    @Option(names = "--eval", paramLabel = "SET", description = {"Evaluation set, repeatable: " + DataSpec.SYNTAX
        + ". Evaluates every epoch's adapter (and Laplace posterior), and the SWAG predictive at the end."})
    List<String> evals = new ArrayList<>();

    @Option(names = "--eval-batch-size", paramLabel = "N", description = "Prompts per evaluation pass (default: 8).")
    int evalBatchSize = 8;

    @Option(names = "--ece-bins", defaultValue = "15", paramLabel = "BINS", description = "ECE bins (default: ${DEFAULT-VALUE}).")
    int eceBins;

    @Mixin AveragingOption averagingOption = new AveragingOption();

    @picocli.CommandLine.Spec picocli.CommandLine.Model.CommandSpec spec;

    @Mixin LaplacePerEpochOptions laplaceOptions = new LaplacePerEpochOptions();

    @Override
    public Integer call() {
        long t0 = System.nanoTime();
        SwagVariant v = variant;
        if (epochs < 1) {
            throw new IllegalArgumentException("--epochs must be at least 1, got " + epochs);
        }
        int start = startEpoch == null ? Math.max(1, epochs - 1) : startEpoch;
        if (start < 1 || start > epochs) {
            throw new IllegalArgumentException("--start-epoch must be in [1, --epochs=" + epochs + "], got " + start
                    + ": nothing would be collected");
        }
        SwagConfig.Builder sb = SwagConfig.builder().startEpoch(start).maxRank(maxRank).scale(scale).variant(v)
                .samples(samples);
        if (every != null) {
            sb.everySteps(every);
        }
        SwagConfig swagConfig = sb.build();
        if (evalBatchSize < 1 || eceBins < 1) {
            throw new IllegalArgumentException("--eval-batch-size and --ece-bins must be positive");
        }
        MemberAveraging averaging = averagingOption.averaging();
        laplaceOptions.validate();
        LoraConfig lora = trainOptions.lora(LoraConfig.builder().rank(8).alpha(16).dropout(0.1)
                .targetModules("q_proj", "v_proj"));
        TrainingConfig training = trainOptions.training(TrainingConfig.defaults(), epochs);
        modelOptions.checkModelDir();
        ai.bayeslora.core.data.PaperPrompts.Prepared prepared = PromptOption.prepare(promptOption.name("mmlu"),
                dataLoad.loadLabelled("--train", DataSpec.parse(train), "training"));
        McqaDataset trainSet = prepared.dataset();
        List<McqaDataset> evalSets = new ArrayList<>();
        for (String e : evals) {
            evalSets.add(PromptOption.prepare(promptOption.name("mmlu"), dataLoad.loadLabelled("--eval",
                    DataSpec.parse(e), "evaluation")).dataset());
        }
        Path checkpoints = out.resolve("checkpoints");
        // SWAG runs cannot be resumed (the moments are not checkpointed): an earlier run is kept unless --overwrite
        new OutputGuard("swag", overwrite.overwrite).inputs(modelOptions.model, DataSpec.parse(train).path())
                .inputs(evals.stream().map(x -> DataSpec.parse(x).path()).toList())
                .runFolder("--out", out, false, OutputGuard.Earlier.KEEP);
        writeRunJson(lora, training, swagConfig, trainSet);
        System.err.printf(Locale.ROOT, "swag: %d epochs on %d questions, collecting from epoch %d %s; LoRA r=%d "
                        + "alpha=%s dropout=%s on %s -> %s%n", epochs, trainSet.size(), start,
                every == null ? "at each epoch end" : "every " + every + " steps", lora.rank(), lora.alpha(),
                lora.dropout(), lora.targetModules(), out);
        Path modelDir = modelOptions.modelDir();
        try (CausalLM model = CausalLM.load(modelDir, modelOptions.computeDevice());
             HfTokenizer tokenizer = HfTokenizer.load(modelDir);
             LoraAdapter adapter = LoraAdapter.create(model, lora, trainOptions.seed);
             SwagCollector collector = new SwagCollector(swagConfig)) {
            McqaBatcher batcher = new McqaBatcher(tokenizer, prepared.format(),
                    McqaBatcher.Config.forTokenizer(tokenizer));
            new LoraTrainer(training).withListener(collector)
                    .train(adapter, batcher, trainSet, Optional.empty(), checkpoints);
            adapter.save(out.resolve("adapter"));
            try (SwagPosterior posterior = collector.posterior()) {
                posterior.save(out.resolve("posterior"));
                System.out.printf(Locale.ROOT, "SWAG posterior: %d snapshots, K=%d columns, %d LoRA parameters, "
                                + "%s sampler, S=%d%nadapter: %s%nposterior: %s (%.0f s)%n", posterior.collected(),
                        posterior.rank(), posterior.parameterCount(),
                        v == SwagVariant.PAPER ? "paper" : "swag-lora-code", samples, out.resolve("adapter"),
                        out.resolve("posterior"), (System.nanoTime() - t0) / 1e9);
                if (laplaceOptions.enabled || !evalSets.isEmpty()) {
                    AnswerTokens answers = AnswerTokens.of(tokenizer, trainSet.classLabels(),
                            batcher.template().answerPrefix());
                    // run metadata (docs/GUIDE.md, "Reports and figures")
                    var meta = ReportMetadata.of(spec, model, modelDir, modelOptions.model == null)
                            .adapter(ReportMetadata.adapter("SWAG run", lora)).seed("base", trainOptions.seed)
                            .setting("prompt", promptOption.name("mmlu")).setting("ECE bins", eceBins)
                            .setting("member averaging", averaging.cliName()).setting("samples", samples)
                            .setting("start epoch", start).setting("max rank", swagConfig.maxRank());
                    new SwagEpochs(model, batcher, answers, training.reduction(), averaging, meta).run(trainSet,
                            evalSets, posterior, adapter);
                }
            }
        }
        return 0;
    }

    /** The per-epoch Laplace fits and evaluations after training (docs/GUIDE.md, "swag"). */
    private final class SwagEpochs {
        private final CausalLM model;
        private final McqaBatcher batcher;
        private final AnswerTokens answers;
        private final ClassReduction reduction;
        private final MemberAveraging averaging;
        private final ai.bayeslora.uncertainty.report.RunMetadata.Builder metadata;

        SwagEpochs(CausalLM model, McqaBatcher batcher, AnswerTokens answers, ClassReduction reduction,
                   MemberAveraging averaging, ai.bayeslora.uncertainty.report.RunMetadata.Builder metadata) {
            this.metadata = metadata;
            this.model = model;
            this.batcher = batcher;
            this.answers = answers;
            this.reduction = reduction;
            this.averaging = averaging;
        }

        private UncertaintyEstimator estimator(PosteriorPredictive p) {
            return UncertaintyEstimator.of(p).batcher(batcher).batchSize(evalBatchSize).eceBins(eceBins)
                    .averaging(averaging);
        }

        void run(McqaDataset trainSet, List<McqaDataset> sets, SwagPosterior swag, LoraAdapter finalAdapter) {
            String mapKey = "adapter (MAP)";
            String laplaceKey = "Laplace";
            String[] metricNames = {"accuracy", "NLL", "ECE (" + eceBins + " bins)"};
            // [set][metric] -> series name -> values per epoch
            List<List<Map<String, double[]>>> series = new ArrayList<>();
            for (int s = 0; s < sets.size(); s++) {
                List<Map<String, double[]>> perMetric = new ArrayList<>();
                for (int k = 0; k < 3; k++) {
                    Map<String, double[]> byName = new LinkedHashMap<>();
                    byName.put(mapKey, new double[epochs]);
                    if (laplaceOptions.enabled) {
                        byName.put(laplaceKey, new double[epochs]);
                    }
                    perMetric.add(byName);
                }
                series.add(perMetric);
            }
            UncertaintyReport.Builder report = UncertaintyReport.builder("SWAG run: " + epochs + " epochs, trained on "
                    + trainSet.source());
            report.note("Members and samples averaged by " + averaging.cliName() + " (docs/METHODS.md §4).");
            report.metadata(metadata.build());
            if (laplaceOptions.enabled) {
                report.note("Laplace per epoch: " + laplaceOptions.recipe().structure().cliName() + " Laplace-LoRA on "
                        + "the run's adapter at each epoch, fitted on the training set as laplace fit does, saved to "
                        + "OUT/laplace/epoch-NNN.");
            }
            Comparison cmp = null;
            for (int epoch = 1; epoch <= epochs; epoch++) {
                Path checkpoint = out.resolve("checkpoints").resolve(String.format(Locale.ROOT, "epoch-%03d", epoch));
                LoraAdapter at = LoraAdapter.load(checkpoint, model);
                // the single-member ensemble owns the adapter and closes it
                try (LoraEnsemble single = LoraEnsemble.builder(model, answers)
                        .options(EnsembleOptions.builder().reduction(reduction).build()).member(at).build();
                     LaplacePosterior la = !laplaceOptions.enabled ? null : laplaceOptions.fitAndSave(model, answers,
                             batcher, trainSet, at, modelOptions.modelDir(), checkpoint, out, epoch)) {
                    if (sets.isEmpty()) {
                        continue;
                    }
                    List<PosteriorPredictive> posteriors = new ArrayList<>();
                    posteriors.add(new Named(single, "adapter (MAP, epoch " + epoch + ")"));
                    if (la != null) {
                        posteriors.add(new Named(laplaceOptions.predictive(la, model, answers, reduction,
                                trainOptions.seed), laplaceOptions.name("swag run's adapter", epoch)));
                    }
                    if (epoch == epochs) {
                        posteriors.add(swag.predictive(finalAdapter, new AnswerScorer(model, answers, reduction),
                                trainOptions.seed));
                    }
                    for (int s = 0; s < sets.size(); s++) {
                        List<EvaluationReport> rs = new ArrayList<>();
                        if (epoch == epochs && s == 0) {
                            cmp = UncertaintyEstimator.compare(sets.get(0), null,
                                    posteriors.stream().map(this::estimator).toList());
                            cmp.entries().forEach(x -> rs.add(x.evaluation()));
                            report.comparison(cmp);
                        } else {
                            for (PosteriorPredictive p : posteriors) {
                                EvaluationReport r = estimator(p).evaluate(sets.get(s));
                                rs.add(r);
                                if (epoch == epochs || p != posteriors.get(0)) {
                                    report.evaluation(r); // the final tables and every epoch's Laplace row
                                }
                            }
                        }
                        for (int j = 0; j < (la == null ? 1 : 2); j++) {
                            var x = rs.get(j).metrics();
                            String key = j == 0 ? mapKey : laplaceKey;
                            series.get(s).get(0).get(key)[epoch - 1] = x.accuracy();
                            series.get(s).get(1).get(key)[epoch - 1] = x.nll();
                            series.get(s).get(2).get(key)[epoch - 1] = x.ece();
                        }
                        System.err.printf(Locale.ROOT, "epoch %d %s: %s%n", epoch, sets.get(s).source(),
                                String.join(" | ", rs.stream().map(r -> String.format(Locale.ROOT,
                                        "%s acc %.4f NLL %.4f ECE %.4f", r.posterior(), r.metrics().accuracy(),
                                        r.metrics().nll(), r.metrics().ece())).toList()));
                    }
                }
            }
            if (sets.isEmpty()) {
                return;
            }
            int[] epochList = java.util.stream.IntStream.rangeClosed(1, epochs).toArray();
            for (int s = 0; s < sets.size(); s++) {
                for (int k = 0; k < 3; k++) {
                    report.epochSeries(new UncertaintyReport.EpochSeries(metricNames[k] + ", " + sets.get(s).source(),
                            epochList, series.get(s).get(k)));
                }
            }
            Path html = report.svg(svgOption.svg).build().writeTo(out.resolve("report"));
            System.out.println();
            System.out.println("Final epoch (" + epochs + ") on " + sets.get(0).source() + ":");
            System.out.print(cmp.table());
            System.out.println("report: " + html);
        }
    }

    private void writeRunJson(LoraConfig lora, TrainingConfig training, SwagConfig swag, McqaDataset trainSet) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("command", "swag");
        m.put("train", trainSet.source());
        m.put("train_examples", trainSet.size());
        m.putAll(TrainOptions.describe(lora, training));
        m.put("swag_start_epoch", swag.startEpoch());
        m.put("swag_frequency", swag.frequency().toString());
        m.put("swag_max_rank", swag.maxRank());
        m.put("swag_scale", swag.scale());
        m.put("swag_variant", swag.variant().toString());
        m.put("swag_samples", swag.samples());
        try {
            ai.bayeslora.core.io.AtomicOutput.writeString(out.resolve("run.json"),
                    new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT).writeValueAsString(m));
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write " + out.resolve("run.json"), e);
        }
    }
}
