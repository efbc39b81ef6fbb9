package ai.bayeslora.examples.cli;

import ai.bayeslora.core.BayesLoraException;
import ai.bayeslora.core.io.AtomicOutput;
import ai.bayeslora.core.data.McqaBatcher;
import ai.bayeslora.core.data.McqaDataset;
import ai.bayeslora.core.data.PaperPrompts;
import ai.bayeslora.core.model.CausalLM;
import ai.bayeslora.core.text.AnswerTokens;
import ai.bayeslora.core.text.HfTokenizer;
import ai.bayeslora.lora.LoraAdapter;
import ai.bayeslora.lora.LoraConfig;
import ai.bayeslora.lora.ensemble.EnsembleOptions;
import ai.bayeslora.lora.ensemble.EnsembleTrainer;
import ai.bayeslora.lora.ensemble.EnsembleTrainingMode;
import ai.bayeslora.lora.ensemble.LoraEnsemble;
import ai.bayeslora.lora.train.TrainingConfig;
import ai.bayeslora.uncertainty.Comparison;
import ai.bayeslora.uncertainty.EvaluationReport;
import ai.bayeslora.uncertainty.UncertaintyEstimator;
import ai.bayeslora.uncertainty.report.UncertaintyReport;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.Callable;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/**
 * {@code bayeslora train-ensemble}: trains a LoRA deep ensemble, saves it, evaluates it (and its first member alone)
 * per epoch on every --eval set and writes a report with per-epoch metrics and entropy/MI histograms.
 */
@Command(name = "train-ensemble", mixinStandardHelpOptions = true, usageHelpAutoWidth = true,
        header = "Trains a LoRA deep ensemble, evaluating it at every epoch.", sortOptions = false,
        description = {"Trains M LoRA adapters (a deep ensemble) into OUT/ensemble/member-MM/epoch-NNN, saves the final "
            + "ensemble to OUT/ensemble-final (ensemble.json + member folders), evaluates the ensemble and member 0 alone "
            + "(M=1) at every epoch on every --eval set, with OOD detection of the first --eval set against each other "
            + "one, and writes OUT/report (report.html, report.json, CSVs, figures): accuracy, NLL and ECE per epoch for "
            + "M=1 and M, entropy and MI histograms per epoch and set.",
            "",
            "--preset balabanov2024 (Balabanov & Linander 2024, docs/METHODS.md §8): LoRA r=8, alpha=32, dropout 0 on "
            + "q_proj,v_proj; AdamW lr 5e-6, weight decay 0, clip 0.3, batch 8, 10 epochs, beta=1 on ||BA||^2, "
            + "full-vocab reduction, M=5. The whole study in one command:",
            "  train-ensemble --model Mistral-7B-v0.1 --preset balabanov2024 \\",
            "    --train cqa/train.jsonl \\",
            "    --eval cqa=cqa/validation.jsonl --eval mmlu-stem=mmlu/data/test#stem \\",
            "    --eval mmlu-social=mmlu/data/test#social",
            "--preset none (default): LoRA r=8, alpha=16, dropout 0 on q_proj,v_proj; AdamW lr 1e-4 with linear decay, "
            + "clip 1.0, batch 8, 3 epochs, answer-tokens reduction, M=5. Explicit options override either preset.",
            "",
            "Eval sets: " + DataSpec.SYNTAX + "; #stem/#social/#humanities keep that MMLU subject group.",
            ""})
class TrainEnsembleCommand implements Callable<Integer> {
    @picocli.CommandLine.Mixin DataLoadOptions dataLoad = new DataLoadOptions();
    private static final Pattern EPOCH_DIR = Pattern.compile("epoch-(\\d{3,})");

    @Mixin BaseModelOptions modelOptions;

    @Option(names = "--train", required = true, paramLabel = "SET",
            description = "Labelled training data, " + DataSpec.SYNTAX + ".") String train;

    @Option(names = "--eval", paramLabel = "SET",
            description = "Evaluation set, repeatable: " + DataSpec.SYNTAX + ". The first one is the in-domain set "
                    + "for OOD detection.") List<String> evals = new ArrayList<>();

    @Option(names = "--members", paramLabel = "M", description = "Ensemble size M (default: 5).") Integer members;

    @Option(names = "--epochs", paramLabel = "E", description = "Epochs (default: the preset's).") Integer epochs;

    @Option(names = "--preset", defaultValue = "none", paramLabel = "none|balabanov2024",
            description = "Published protocol to start from (default: ${DEFAULT-VALUE}).") String preset;

    @Mixin PromptOption promptOption = new PromptOption();

    @Option(names = "--mode", defaultValue = "sequential", paramLabel = "sequential|interleaved",
            converter = CliEnums.Mode.class,
            description = "Members one after another, or all in one stacked step (shared data order). "
                    + "Default: ${DEFAULT-VALUE}.") EnsembleTrainingMode mode;

    @Mixin TrainOptions trainOptions;

    @Option(names = "--eval-batch-size", paramLabel = "N", description = "Prompts per evaluation pass (default: 8).")
    int evalBatchSize = 8;

    @Option(names = "--ece-bins", defaultValue = "15", paramLabel = "BINS", description = "ECE bins (default: ${DEFAULT-VALUE}).")
    int eceBins;

    @Option(names = "--out", defaultValue = "runs/train-ensemble", paramLabel = "DIR",
            description = "Output folder (default: ${DEFAULT-VALUE}).") Path out;

    @Mixin OverwriteOption overwrite = new OverwriteOption();

    @Mixin SvgOption svgOption = new SvgOption();

    @Mixin AveragingOption averagingOption = new AveragingOption();

    @Mixin LaplacePerEpochOptions laplaceOptions = new LaplacePerEpochOptions();

    @picocli.CommandLine.Spec picocli.CommandLine.Model.CommandSpec spec;

    @Option(names = "--resume", description = {"Continue the run in --out: members whose last epoch exists are kept, "
        + "interrupted ones continue from their last epoch checkpoint; then the ensemble is saved and evaluated."})
    boolean resume;

    /** The parsed --average. */
    private ai.bayeslora.uncertainty.MemberAveraging averaging = ai.bayeslora.uncertainty.MemberAveraging.PROBABILITIES;

    @Override
    public Integer call() {
        long t0 = System.nanoTime();
        // ---- settings (all validated before the model loads)
        LoraConfig.Builder loraBase;
        TrainingConfig trainingBase;
        int defaultEpochs;
        switch (preset.toLowerCase(Locale.ROOT)) {
            case "balabanov2024":
                loraBase = LoraConfig.builder().rank(8).alpha(32).dropout(0).targetModules("q_proj", "v_proj");
                trainingBase = TrainingConfig.balabanov2024();
                defaultEpochs = trainingBase.epochs();
                break;
            case "none":
                loraBase = LoraConfig.builder().rank(8).alpha(16).dropout(0).targetModules("q_proj", "v_proj");
                trainingBase = TrainingConfig.defaults();
                defaultEpochs = 3;
                break;
            default:
                throw new IllegalArgumentException("--preset: unknown preset '" + preset
                        + "' (known: none, balabanov2024)");
        }
        EnsembleTrainingMode trainingMode = mode;
        int m = members == null ? 5 : members;
        if (m < 1) {
            throw new IllegalArgumentException("--members must be at least 1, got " + m);
        }
        int e = epochs == null ? defaultEpochs : epochs;
        if (e < 1) {
            throw new IllegalArgumentException("--epochs must be at least 1, got " + e);
        }
        if (evalBatchSize < 1 || eceBins < 1) {
            throw new IllegalArgumentException("--eval-batch-size and --ece-bins must be positive");
        }
        averaging = averagingOption.averaging();
        laplaceOptions.validate();
        LoraConfig lora = trainOptions.lora(loraBase);
        TrainingConfig training = trainOptions.training(trainingBase, e);
        modelOptions.checkModelDir();
        String promptName = promptOption.name(preset.equalsIgnoreCase("none") ? "mmlu" : preset);
        McqaDataset trainSet = dataLoad.loadLabelled("--train", DataSpec.parse(train), "training");
        List<McqaDataset> evalSets = new ArrayList<>();
        for (String s : evals) {
            evalSets.add(dataLoad.loadLabelled("--eval", DataSpec.parse(s), "evaluation"));
        }
        // the format decides the class labels its answer tokens are (the ensemble paper's lowercase letters after
        // "A: (", docs/METHODS.md §8); every set gets the training set's format
        PaperPrompts.Prepared prepared = PromptOption.prepare(promptName, trainSet);
        trainSet = prepared.dataset();
        evalSets.replaceAll(d -> PromptOption.prepare(promptName, d).dataset());
        Path ensembleDir = out.resolve("ensemble");
        Map<String, Object> settings = new LinkedHashMap<>();
        settings.put("command", "train-ensemble");
        settings.put("preset", preset);
        settings.put("prompt", promptName);
        settings.put("mode", CliEnums.name(mode));
        settings.put("members", m);
        settings.put("train", trainSet.source());
        settings.put("train_examples", trainSet.size());
        settings.putAll(TrainOptions.describe(lora, training));
        checkOutput(ensembleDir, settings);

        EnsembleOptions ensembleOptions = EnsembleOptions.builder().reduction(training.reduction()).build();
        System.err.printf(Locale.ROOT, "train-ensemble: M=%d, %d epochs, %s, %d training questions; LoRA r=%d "
                        + "alpha=%s dropout=%s on %s; lr %s, batch %d, %s reduction -> %s%n", m, e,
                trainingMode.toString().toLowerCase(Locale.ROOT), trainSet.size(), lora.rank(), lora.alpha(),
                lora.dropout(), lora.targetModules(), training.learningRate(), training.batchSize(),
                TrainOptions.reductionName(training.reduction()), out);

        Path modelDir = modelOptions.modelDir();
        try (CausalLM model = CausalLM.load(modelDir, modelOptions.computeDevice());
             HfTokenizer tokenizer = HfTokenizer.load(modelDir)) {
            McqaBatcher batcher = new McqaBatcher(tokenizer, prepared.format(),
                    McqaBatcher.Config.forTokenizer(tokenizer));
            if (training.maxLength().isPresent()) {
                batcher = new McqaBatcher(tokenizer, batcher.template(),
                        batcher.config().withMaxLength(training.maxLength().getAsInt()));
            }
            AnswerTokens answers = AnswerTokens.of(tokenizer, trainSet.classLabels(), batcher.template().answerPrefix());
            EnsembleTrainer trainer = new EnsembleTrainer(lora, training, m, trainOptions.seed).mode(trainingMode);

            System.err.println("[1/3] training " + m + " member(s) into " + ensembleDir);
            trainMembers(trainer, prepared.style(), model, batcher, answers, trainSet, ensembleDir, ensembleOptions);

            Path finalDir = out.resolve("ensemble-final");
            try (LoraEnsemble fin = load(model, answers, trainer, ensembleDir, e, m, ensembleOptions)) {
                fin.save(finalDir);
            }
            System.err.println("saved the final ensemble to " + finalDir);

            if (evalSets.isEmpty()) {
                if (laplaceOptions.enabled) {
                    for (int epoch = 1; epoch <= e; epoch++) {
                        try (LoraEnsemble first = load(model, answers, trainer, ensembleDir, epoch, 1, ensembleOptions)) {
                            laplaceFit(model, answers, batcher, trainSet, first, ensembleDir, epoch).close();
                        }
                    }
                }
                System.err.println("[2/3] no --eval set: skipping the per-epoch evaluation and the report");
                System.out.printf(Locale.ROOT, "ensemble: %s (%.0f s)%n", finalDir, (System.nanoTime() - t0) / 1e9);
                return 0;
            }
            System.err.println("[2/3] evaluating M=1 and M=" + m + " at each of " + e + " epochs on "
                    + evalSets.stream().map(McqaDataset::source).toList());
            UncertaintyReport.Builder report = UncertaintyReport.builder("LoRA ensemble: M=" + m + ", " + e
                    + " epochs, trained on " + trainSet.source());
            report.note(String.format(Locale.ROOT, "Model %s; LoRA r=%d, alpha=%s, dropout %s on %s; %s, lr %s, "
                            + "batch %d, clip %s, prior %s, %s reduction; %s training; preset %s; seed %d.",
                    modelDir, lora.rank(), lora.alpha(), lora.dropout(), lora.targetModules(),
                    training.optimizer().describe(), training.learningRate(), training.batchSize(),
                    training.maxGradNorm().isPresent() ? training.maxGradNorm().getAsDouble() : "none",
                    training.prior().describe(), TrainOptions.reductionName(training.reduction()),
                    trainingMode.toString().toLowerCase(Locale.ROOT), preset, trainOptions.seed));
            report.note("Members and samples averaged by " + averaging.cliName() + " (docs/METHODS.md §4).");
            if (laplaceOptions.enabled) {
                report.note("Laplace per epoch: " + laplaceOptions.recipe().structure().cliName() + " Laplace-LoRA on "
                        + "member 0's checkpoint of each epoch (the MAP adapter), fitted on the training set as laplace "
                        + "fit does (lambda tuned by the marginal likelihood), saved to OUT/laplace/epoch-NNN, "
                        + LaplaceRecipe.linkName(laplaceOptions.link()) + " linearised predictive.");
            }
            if (modelOptions.model == null) {
                report.note("The bundled model is a tiny random Llama: the numbers show the pipeline, not an LLM.");
            }
            // run metadata: run.json's settings, the LoRA configuration and the seed (docs/GUIDE.md, "Reports")
            var meta = ReportMetadata.of(spec, model, modelDir, modelOptions.model == null)
                    .adapter(ReportMetadata.adapter("ensemble members (" + m + ")", lora))
                    .seed("base", trainOptions.seed).settings(settings).setting("ECE bins", eceBins)
                    .setting("eval batch size", evalBatchSize).setting("member averaging", averaging.cliName());
            for (int i = 0; i < m; i++) {
                meta.seed("member " + i, trainer.seed(i));
            }
            report.metadata(meta.build());
            Comparison cmp = perEpoch(model, answers, batcher, trainer, ensembleDir, ensembleOptions, m, e, evalSets,
                    report, trainSet, training.reduction());
            System.err.println("[3/3] writing the report");
            Path html = report.svg(svgOption.svg).build().writeTo(out.resolve("report"));
            System.out.println();
            System.out.println("Final epoch (" + e + ") on " + evalSets.get(0).source() + ":");
            System.out.print(cmp.table());
            System.out.printf(Locale.ROOT, "%nensemble: %s%nreport: %s (%.0f s)%n", finalDir, html,
                    (System.nanoTime() - t0) / 1e9);
        }
        return 0;
    }

    /**
     * Refuses an --out folder that holds somebody else's files or an earlier run (without --resume or --overwrite),
     * and a --resume with other settings; writes run.json.
     */
    private void checkOutput(Path ensembleDir, Map<String, Object> settings) {
        ObjectMapper json = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);
        Path runJson = out.resolve("run.json");
        boolean continuing = resume && Files.isDirectory(out) && AtomicOutput.isMarked(out);
        new OutputGuard("train-ensemble", overwrite.overwrite).inputs(modelOptions.model, DataSpec.parse(train).path())
                .inputs(evals.stream().map(x -> DataSpec.parse(x).path()).toList())
                .runFolder("--out", out, resume, OutputGuard.Earlier.RESUME_OR_KEEP);
        try {
            if (continuing) {
                if (Files.isRegularFile(runJson)) {
                    JsonNode before = json.readTree(runJson.toFile());
                    JsonNode now = json.readTree(json.writeValueAsString(settings));
                    List<String> diff = new ArrayList<>();
                    for (Iterator<String> it = now.fieldNames(); it.hasNext(); ) {
                        String k = it.next();
                        if (!now.get(k).equals(before.get(k))) {
                            diff.add(k + ": " + before.get(k) + " -> " + now.get(k));
                        }
                    }
                    if (!diff.isEmpty()) {
                        throw new BayesLoraException("--resume: " + runJson + " was written with other settings ("
                                + String.join("; ", diff) + "); rerun with the original options or another --out");
                    }
                } else if (!Files.isDirectory(ensembleDir)) {
                    System.err.println("--resume: nothing to resume in " + out + "; starting a new run");
                }
            } else if (resume) {
                System.err.println("--resume: nothing to resume in " + out + "; starting a new run");
            }
            AtomicOutput.writeString(runJson, json.writeValueAsString(settings));
        } catch (IOException ex) {
            throw new UncheckedIOException("cannot read or write " + runJson, ex);
        }
    }

    /**
     * Trains (or, with --resume, continues) the members into {@code ensembleDir}; {@code bayeslora spark
     * train-ensemble} overrides it to run one Spark task per member.
     */
    void trainMembers(EnsembleTrainer trainer, PaperPrompts.Style style, CausalLM model, McqaBatcher batcher,
                      AnswerTokens answers, McqaDataset trainSet, Path ensembleDir, EnsembleOptions options) {
        if (resume && java.util.stream.IntStream.range(0, trainer.members()).anyMatch(i ->
                lastEpoch(EnsembleTrainer.memberDir(ensembleDir, i)) > 0)) {
            System.err.println("--resume: continuing each member from its latest checkpoint in " + ensembleDir);
            trainer.resume(model, batcher, answers, trainSet, Optional.empty(), ensembleDir, options).ensemble().close();
        } else {
            trainer.train(model, batcher, answers, trainSet, Optional.empty(), ensembleDir, options).ensemble().close();
        }
    }

    /** The highest complete epoch checkpoint in a member folder (checkpoints are moved into place atomically). */
    static int lastEpoch(Path memberDir) {
        if (!Files.isDirectory(memberDir)) {
            return 0;
        }
        try (Stream<Path> s = Files.list(memberDir)) {
            return s.filter(Files::isDirectory).map(p -> EPOCH_DIR.matcher(p.getFileName().toString()))
                    .filter(Matcher::matches).mapToInt(x -> Integer.parseInt(x.group(1))).max().orElse(0);
        } catch (IOException ex) {
            throw new UncheckedIOException("cannot list " + memberDir, ex);
        }
    }

    /** The first {@code size} members at {@code epoch}, loaded from their checkpoints. */
    static LoraEnsemble load(CausalLM model, AnswerTokens answers, EnsembleTrainer trainer, Path ensembleDir,
                             int epoch, int size, EnsembleOptions options) {
        LoraEnsemble.Builder b = LoraEnsemble.builder(model, answers).options(options);
        List<LoraAdapter> loaded = new ArrayList<>();
        try {
            for (int i = 0; i < size; i++) {
                Path dir = EnsembleTrainer.memberDir(ensembleDir, i).resolve(String.format("epoch-%03d", epoch));
                if (!Files.isDirectory(dir)) {
                    throw new BayesLoraException("missing checkpoint " + dir + " (member " + i + ", epoch " + epoch
                            + ")");
                }
                LoraAdapter a = LoraAdapter.load(dir, model);
                loaded.add(a);
                b.member(a, trainer.seed(i));
            }
            return b.build();
        } catch (RuntimeException ex) {
            loaded.forEach(LoraAdapter::close);
            throw ex;
        }
    }

    /**
     * The --laplace-per-epoch posterior of member 0 (the MAP adapter) at {@code epoch}, fitted and saved; the caller
     * closes it.
     */
    private ai.bayeslora.laplace.LaplacePosterior laplaceFit(CausalLM model, AnswerTokens answers,
                                                             McqaBatcher batcher, McqaDataset trainSet,
                                                             LoraEnsemble memberZero, Path ensembleDir, int epoch) {
        Path adapterDir = EnsembleTrainer.memberDir(ensembleDir, 0).resolve(String.format("epoch-%03d", epoch));
        return laplaceOptions.fitAndSave(model, answers, batcher, trainSet, memberZero.members().get(0),
                modelOptions.modelDir(), adapterDir, out, epoch);
    }

    /** Per-epoch metrics (series + histograms) into the report; returns the final epoch's comparison. */
    private Comparison perEpoch(CausalLM model, AnswerTokens answers, McqaBatcher batcher, EnsembleTrainer trainer,
                                Path ensembleDir, EnsembleOptions options, int m, int e, List<McqaDataset> sets,
                                UncertaintyReport.Builder report, McqaDataset trainSet,
                                ai.bayeslora.core.mcqa.ClassReduction reduction) {
        String laplaceKey = "Laplace (member 0)";
        List<Integer> sizes = m == 1 ? List.of(1) : List.of(1, m);
        int[] epochList = new int[e];
        // [set][metric] -> series name -> values
        List<List<Map<String, double[]>>> series = new ArrayList<>();
        List<List<EvaluationReport>> hist = new ArrayList<>();
        for (int s = 0; s < sets.size(); s++) {
            List<Map<String, double[]>> perMetric = new ArrayList<>();
            for (int k = 0; k < 3; k++) {
                Map<String, double[]> byM = new LinkedHashMap<>();
                sizes.forEach(size -> byM.put("M=" + size, new double[e]));
                if (laplaceOptions.enabled) {
                    byM.put(laplaceKey, new double[e]);
                }
                perMetric.add(byM);
            }
            series.add(perMetric);
            hist.add(new ArrayList<>());
        }
        Comparison cmp = null;
        McqaDataset first = sets.get(0);
        for (int epoch = 1; epoch <= e; epoch++) {
            epochList[epoch - 1] = epoch;
            List<LoraEnsemble> open = new ArrayList<>();
            ai.bayeslora.laplace.LaplacePosterior laplace = null;
            try {
                List<UncertaintyEstimator> ests = new ArrayList<>();
                List<ai.bayeslora.uncertainty.PosteriorPredictive> posteriors = new ArrayList<>();
                for (int size : sizes) {
                    LoraEnsemble ens = load(model, answers, trainer, ensembleDir, epoch, size, options);
                    open.add(ens);
                    posteriors.add(ens);
                }
                if (laplaceOptions.enabled) {
                    laplace = laplaceFit(model, answers, batcher, trainSet, open.get(0), ensembleDir, epoch);
                    posteriors.add(new Named(laplaceOptions.predictive(laplace, model, answers, reduction,
                            trainOptions.seed), laplaceOptions.name("member 0", epoch)));
                }
                for (ai.bayeslora.uncertainty.PosteriorPredictive p : posteriors) {
                    ests.add(UncertaintyEstimator.of(p).batcher(batcher).batchSize(evalBatchSize).eceBins(eceBins)
                            .progress(true).averaging(averaging));
                }
                for (int s = 0; s < sets.size(); s++) {
                    List<EvaluationReport> rs;
                    if (epoch == e && s == 0) {
                        cmp = UncertaintyEstimator.compare(first, null, ests);
                        rs = cmp.entries().stream().map(Comparison.Entry::evaluation).toList();
                        report.comparison(cmp);
                    } else {
                        rs = new ArrayList<>();
                        for (UncertaintyEstimator est : ests) {
                            EvaluationReport r = est.evaluate(sets.get(s));
                            rs.add(r);
                            if (epoch == e) {
                                report.evaluation(r);
                            }
                        }
                    }
                    if (laplace != null && epoch < e) {
                        report.evaluation(rs.get(sizes.size())); // the per-epoch Laplace rows (named by epoch)
                    }
                    for (int j = 0; j < sizes.size(); j++) {
                        String key = "M=" + sizes.get(j);
                        var x = rs.get(j).metrics();
                        series.get(s).get(0).get(key)[epoch - 1] = x.accuracy();
                        series.get(s).get(1).get(key)[epoch - 1] = x.nll();
                        series.get(s).get(2).get(key)[epoch - 1] = x.ece();
                    }
                    if (laplace != null) {
                        var x = rs.get(sizes.size()).metrics();
                        series.get(s).get(0).get(laplaceKey)[epoch - 1] = x.accuracy();
                        series.get(s).get(1).get(laplaceKey)[epoch - 1] = x.nll();
                        series.get(s).get(2).get(laplaceKey)[epoch - 1] = x.ece();
                    }
                    hist.get(s).add(rs.get(sizes.size() - 1)); // the full ensemble's histograms
                    System.err.printf(Locale.ROOT, "epoch %d %s: %s%n", epoch, sets.get(s).source(),
                            String.join(" | ", java.util.stream.IntStream.range(0, sizes.size()).mapToObj(j ->
                                    String.format(Locale.ROOT, "M=%d acc %.4f NLL %.4f ECE %.4f", sizes.get(j),
                                            rs.get(j).metrics().accuracy(), rs.get(j).metrics().nll(),
                                            rs.get(j).metrics().ece())).toList())
                            + (laplace == null ? "" : String.format(Locale.ROOT, " | Laplace acc %.4f NLL %.4f ECE %.4f",
                                    rs.get(sizes.size()).metrics().accuracy(), rs.get(sizes.size()).metrics().nll(),
                                    rs.get(sizes.size()).metrics().ece())));
                }
                if (epoch == e) {
                    for (int s = 1; s < sets.size(); s++) {
                        for (ai.bayeslora.uncertainty.PosteriorPredictive p : posteriors) {
                            String name = p.name() + ": " + first.source() + " vs " + sets.get(s).source();
                            report.ood(UncertaintyEstimator.of(new Named(p, name)).batcher(batcher)
                                    .batchSize(evalBatchSize).eceBins(eceBins).averaging(averaging)
                                    .detectOod(first, sets.get(s)));
                        }
                    }
                }
            } finally {
                if (laplace != null) {
                    laplace.close();
                }
                open.forEach(LoraEnsemble::close);
            }
        }
        List<Integer> epochBoxed = java.util.Arrays.stream(epochList).boxed().toList();
        String[] metrics = {"accuracy", "NLL", "ECE (" + eceBins + " bins)"};
        for (int s = 0; s < sets.size(); s++) {
            for (int k = 0; k < 3; k++) {
                report.epochSeries(new UncertaintyReport.EpochSeries(metrics[k] + ", " + sets.get(s).source(),
                        epochList, series.get(s).get(k)));
            }
            report.epochHistograms(new UncertaintyReport.EpochHistograms("ensemble (M=" + m + ") on "
                    + sets.get(s).source(), epochBoxed, hist.get(s)));
        }
        if (sets.size() > 1) {
            report.note("OOD detection at the final epoch: " + first.source() + " is in-domain (negative), each other "
                    + "--eval set in turn is out-of-domain (positive); rows are named 'posterior: in vs out'.");
        }
        return cmp;
    }
}
