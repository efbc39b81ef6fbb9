package ai.bayeslora.examples.cli;

import ai.bayeslora.core.ComputeDevice;
import ai.bayeslora.core.DType;
import ai.bayeslora.core.DeviceSelector;
import ai.bayeslora.core.data.EncodedBatch;
import ai.bayeslora.core.data.McqaBatcher;
import ai.bayeslora.core.data.McqaDataset;
import ai.bayeslora.core.data.PromptTemplate;
import ai.bayeslora.core.mcqa.AnswerScorer;
import ai.bayeslora.core.mcqa.ClassReduction;
import ai.bayeslora.core.model.CausalLM;
import ai.bayeslora.core.text.AnswerTokens;
import ai.bayeslora.core.text.HfTokenizer;
import ai.bayeslora.core.text.TokenizerOptions;
import ai.bayeslora.laplace.FisherEstimate;
import ai.bayeslora.laplace.KfacPositions;
import ai.bayeslora.laplace.LaplaceLoRA;
import ai.bayeslora.laplace.LaplacePosterior;
import ai.bayeslora.laplace.LinearizedPredictive;
import ai.bayeslora.laplace.LogitGaussian;
import ai.bayeslora.laplace.PosteriorFormatException;
import ai.bayeslora.laplace.Structure;
import ai.bayeslora.laplace.PosteriorManifest;
import ai.bayeslora.lora.LoraAdapter;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import picocli.CommandLine.ArgGroup;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** {@code bayeslora laplace fit|predict}: Laplace-LoRA posteriors (METHODS.md §6). */
@Command(name = "laplace", mixinStandardHelpOptions = true, usageHelpAutoWidth = true,
        header = "Laplace-LoRA posteriors: fit one over an adapter, then predict with it.",
        description = "Laplace approximation over a LoRA adapter: fit a posterior, then predict with it.",
        subcommands = {LaplaceCommand.Fit.class, LaplaceCommand.Predict.class})
final class LaplaceCommand {

    /** Data options shared by fit and predict: the common data options, --prompt, batch size and length. */
    static final class LaplaceData {
        @Mixin DataOptions dataOptions = new DataOptions();

        @Mixin PromptOption promptOption = new PromptOption();

        @Mixin BatchSizeOptions batchSizeOptions = new BatchSizeOptions();

        @Option(names = "--max-length", defaultValue = "512", paramLabel = "TOKENS",
                description = "Longer prompts are truncated from the left (default: ${DEFAULT-VALUE}).")
        int maxLength;

        private ai.bayeslora.core.data.PromptFormat promptFormat = PromptTemplate.defaults();

        private ai.bayeslora.core.data.PaperPrompts.Style style = ai.bayeslora.core.data.PaperPrompts.Style.MMLU;

        /** The data, relabelled for --prompt's answer tokens. */
        McqaDataset load() {
            batchSizeOptions.evalBatchSize(); // checked before any work
            ai.bayeslora.core.data.PaperPrompts.Prepared p = PromptOption.prepare(promptOption.name("mmlu"),
                    dataOptions.load());
            promptFormat = p.format();
            style = p.style();
            return p.dataset();
        }

        /** The prompt format's name after {@link #load()} (what executors rebuild the format from). */
        ai.bayeslora.core.data.PaperPrompts.Style style() {
            return style;
        }

        /** The data's file or folder (without a selector). */
        Path path() {
            return dataOptions.required().path();
        }

        /** Prompts per pass (--eval-batch-size). */
        int batchSize() {
            return batchSizeOptions.evalBatchSize();
        }

        McqaBatcher batcher(HfTokenizer tokenizer) {
            // the default template returns verbatim prompts unchanged
            return new McqaBatcher(tokenizer, promptFormat,
                    McqaBatcher.Config.forTokenizer(tokenizer).withMaxLength(maxLength));
        }

        /** The answer tokens of the loaded data's classes under --prompt. */
        AnswerTokens answers(HfTokenizer tokenizer, McqaDataset dataset) {
            return AnswerTokens.of(tokenizer, dataset.classLabels(), promptFormat.answerPrefix());
        }
    }

    /** Either a given λ or tuning. */
    static final class Prior {
        @Option(names = "--prior-precision", paramLabel = "X", description = "Prior precision λ (θ ~ N(0, λ⁻¹I)).")
        Double lambda;

        @Option(names = "--tune", description = "Choose λ by maximising the log marginal likelihood (default).")
        boolean tune;
    }

    /** The fit's settings (all but the data, model, prior and output): shared with {@code spark laplace-fit}. */
    static final class FitSettings {
        @Option(names = "--structure", defaultValue = "kfac", converter = CliEnums.Structures.class,
                paramLabel = "full|diag|kfac|kfac-lowrank",
                description = "Posterior structure (docs/METHODS.md §6; default: ${DEFAULT-VALUE}).")
        Structure structure;

        @Option(names = "--fisher", defaultValue = "exact", converter = CliEnums.Fisher.class,
                paramLabel = "exact|mc|empirical",
                description = "Fisher estimate: exact (every class weighted by p), mc (sampled labels) or empirical "
                        + "(the true labels) (default: ${DEFAULT-VALUE}).")
        FisherEstimate fisher;

        @Option(names = "--positions", defaultValue = "expand", converter = CliEnums.Positions.class,
                paramLabel = "last-token|reduce|expand",
                description = "K-FAC positions feeding the factors (default: ${DEFAULT-VALUE}).")
        KfacPositions positions;

        @Option(names = "--rank", defaultValue = "10", paramLabel = "N", description = "kfac-lowrank rank k (default: ${DEFAULT-VALUE}).")
        int rank;

        @Option(names = "--low-rank-threshold", defaultValue = "100", paramLabel = "N",
                description = "kfac-lowrank: factor sides >= this are low-rank (default: ${DEFAULT-VALUE}).")
        int threshold;

        @Option(names = "--modules", split = ",", paramLabel = "MODULE", description = "Only these module suffixes, e.g. lm_head (default: all).")
        List<String> modules = List.of();

        @Option(names = "--seed", defaultValue = "0", paramLabel = "SEED",
                description = "Seed of the sampled labels of --fisher mc (default: ${DEFAULT-VALUE}).") long seed;

        /** The recipe of these settings with the prior given ({@code null}: tune λ by the evidence). */
        LaplaceRecipe recipe(Prior prior) {
            boolean tune = prior == null || prior.tune;
            return new LaplaceRecipe(structure, fisher, positions, rank, threshold, modules, seed,
                    tune ? null : prior.lambda);
        }
    }

    /** Prints what {@code laplace fit} prints about a fitted posterior, then saves it to {@code out}. */
    static void reportAndSave(LaplacePosterior la, boolean tune, double sec, Path out,
                              ai.bayeslora.core.io.AtomicOutput.Replace replace) {
        report(la, tune, sec);
        la.save(out, replace);
        System.out.println("wrote " + out);
    }

    /** Prints what {@code laplace fit} prints about a fitted posterior. */
    static void report(LaplacePosterior la, boolean tune, double sec) {
        System.out.printf(Locale.ROOT, "fitted %s Laplace on %d examples, %,d parameters (%s), %.1f s%n",
                la.structure().cliName(), la.examples(), la.parameterCount(),
                String.join(", ", la.modules().size() > 3 ? List.of(la.modules().size() + " modules")
                        : la.modules()), sec);
        if (tune) {
            System.out.printf(Locale.ROOT, "prior precision λ = %.6g (tuned: %s)%n", la.priorPrecision(),
                    la.lastTuning().method());
        } else {
            System.out.printf(Locale.ROOT, "prior precision λ = %.6g%n", la.priorPrecision());
        }
        System.out.printf(Locale.ROOT, "log likelihood log p(D|θ*) = %.10g%n", la.logLikelihood());
        System.out.printf(Locale.ROOT, "log marginal likelihood = %.10g%n", la.logMarginalLikelihood());
    }

    @Command(name = "fit", mixinStandardHelpOptions = true, usageHelpAutoWidth = true,
        header = "Fits a Laplace posterior over a LoRA adapter's parameters on labelled data.",
            description = {"Fits a Laplace posterior over the LoRA parameters on labelled MCQA data, prints the log "
                + "marginal likelihood and writes the posterior folder (manifest.json with log_evidence, "
                + "posterior.safetensors, adapter/)."})
    static final class Fit implements Callable<Integer> {
        @Mixin ModelOptions modelOptions;
        @Mixin LaplaceData dataOptions;
        @ArgGroup(exclusive = true) Prior prior;

        @Mixin FitSettings settings = new FitSettings();

        @Option(names = "--out", required = true, paramLabel = "DIR", description = "Posterior folder to write.")
        Path out;

        @Mixin OverwriteOption overwrite = new OverwriteOption();

        @Override
        public Integer call() {
            if (modelOptions.adapter == null) {
                throw new IllegalArgumentException("--adapter DIR is required: Laplace needs a trained LoRA adapter");
            }
            Path modelDir = modelOptions.modelDir();
            OutputGuard guard = new OutputGuard("laplace fit", overwrite.overwrite)
                    .inputs(modelOptions.model, modelOptions.adapter, dataOptions.path());
            guard.checkFolder("--out", out);
            McqaDataset dataset = dataOptions.load();
            ComputeDevice device = modelOptions.computeDevice();
            try (CausalLM model = CausalLM.load(modelDir, device);
                 LoraAdapter adapter = LoraAdapter.load(modelOptions.adapter, model);
                 HfTokenizer tokenizer = HfTokenizer.load(modelDir, TokenizerOptions.builder().addBosFromConfig().build())) {
                AnswerScorer scorer = new AnswerScorer(model, dataOptions.answers(tokenizer, dataset),
                        ClassReduction.ANSWER_TOKENS);
                Iterable<EncodedBatch> batches = dataOptions.batcher(tokenizer).batches(dataset, dataOptions.batchSize());
                LaplaceRecipe recipe = settings.recipe(prior);
                LaplaceLoRA.Fit fit = recipe.fit(scorer, adapter, batches, modelDir.toAbsolutePath().toString(),
                        modelOptions.adapter.toAbsolutePath().toString()).progress(null, dataset.size());
                long t0 = System.nanoTime();
                try (LaplacePosterior la = fit.run()) {
                    reportAndSave(la, recipe.tuned(), (System.nanoTime() - t0) / 1e9, out, guard.replace());
                }
            }
            return 0;
        }
    }

    @Command(name = "predict", mixinStandardHelpOptions = true, usageHelpAutoWidth = true,
        header = "The linearised predictive of a saved Laplace posterior, written as JSON.",
            description = {"Linearised (GLM) predictive of a saved posterior: per prompt the logit mean (C), the "
                + "logit covariance (C x C) and the class probabilities, written as JSON."})
    static final class Predict implements Callable<Integer> {
        @Option(names = "--posterior", required = true, paramLabel = "DIR",
                description = "Posterior folder written by laplace fit --out.") Path posterior;
        @Mixin LaplaceData dataOptions;

        @Option(names = "--model", paramLabel = "DIR|ORG/NAME", converter = ModelDirConverter.class,
                description = ModelDirConverter.HELP + " Default: the base model recorded in the posterior's manifest.")
        Path model;

        @Option(names = "--device", defaultValue = "auto", paramLabel = "auto|cpu|cuda[:N]",
                description = "Compute device (default: ${DEFAULT-VALUE}).") String device;

        @Option(names = "--dtype", paramLabel = "float32|float64|bfloat16|float16", converter = CliEnums.DTypes.class,
                description = "Compute dtype (default: the one the posterior was fitted in).")
        DType dtype;

        @Option(names = "--link", defaultValue = "probit", converter = CliEnums.Link.class, paramLabel = "probit|mc",
                description = "Probit approximation or Monte Carlo over logit samples (default: ${DEFAULT-VALUE}).")
        LinearizedPredictive.Link link;

        @Option(names = "--samples", defaultValue = "1000", paramLabel = "S",
                description = "Logit samples of --link mc (default: ${DEFAULT-VALUE}).")
        int samples;

        @Option(names = "--seed", defaultValue = "0", paramLabel = "SEED",
                description = "Seed of the logit samples of --link mc (default: ${DEFAULT-VALUE}).") long seed;

        @Option(names = "--out", required = true, paramLabel = "FILE.json",
                description = "JSON file to write: per prompt the logit mean and covariance and the probabilities.")
        Path out;

        @Mixin OverwriteOption overwrite = new OverwriteOption();

        @Override
        public Integer call() {
            new OutputGuard("laplace predict", overwrite.overwrite).inputs(posterior, model, dataOptions.path())
                    .checkFile("--out", out);
            PosteriorManifest manifest = LaplacePosterior.readManifest(posterior);
            Path modelDir = model != null ? model : manifest.modelPath().orElse(Path.of(""));
            if (modelDir.toString().isEmpty() || !Files.isDirectory(modelDir)) {
                throw new PosteriorFormatException(posterior, "the base model folder '" + modelDir
                        + "' from the manifest does not exist; pass --model DIR");
            }
            ComputeDevice dev = DeviceSelector.select(device)
                    .withDType(dtype != null ? dtype : DType.parse(manifest.dtype()));
            LinearizedPredictive.Link l = link;
            McqaDataset dataset = dataOptions.load();
            ObjectMapper json = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);
            ObjectNode root = json.createObjectNode();
            try (CausalLM m = CausalLM.load(modelDir, dev);
                 LaplacePosterior la = LaplacePosterior.load(posterior, m);
                 HfTokenizer tokenizer = HfTokenizer.load(modelDir, TokenizerOptions.builder().addBosFromConfig().build())) {
                AnswerScorer scorer = new AnswerScorer(m, dataOptions.answers(tokenizer, dataset),
                        ClassReduction.ANSWER_TOKENS);
                if (!dataset.classLabels().equals(la.classLabels())) {
                    // the posterior is over the adapter's weights, so it scores any class set (docs/LAPLACE.md,
                    // "Rescoring"); say so, since the curvature was measured on the fit's classes
                    System.err.println("note: the posterior was fitted on classes " + la.classLabels() + "; "
                            + dataOptions.dataOptions.data.text() + " has " + dataset.classLabels() + ": scoring those (rescored)");
                }
                LinearizedPredictive pred = la.linearized(scorer, LinearizedPredictive.Options.defaults()
                        .withLink(l).withSamples(samples));
                root.put("posterior", posterior.toAbsolutePath().toString());
                root.put("structure", la.structure().cliName());
                root.put("prior_precision", la.priorPrecisions()[0]);
                root.put("log_evidence", manifest.logEvidence());
                root.put("link", l == LinearizedPredictive.Link.PROBIT ? "probit" : "mc");
                ArrayNode labels = root.putArray("class_labels");
                dataset.classLabels().forEach(labels::add);
                ArrayNode rows = root.putArray("predictions");
                int correct = 0;
                int labelled = 0;
                for (EncodedBatch batch : dataOptions.batcher(tokenizer).batches(dataset, dataOptions.batchSize())) {
                    LogitGaussian g = pred.gaussian(batch);
                    double[][] p = l == LinearizedPredictive.Link.PROBIT ? g.probit() : g.monteCarlo(samples, seed);
                    for (int b = 0; b < batch.batchSize(); b++) {
                        ai.bayeslora.core.mcqa.NonFiniteScoresException.check(p[b], p[b].length,
                                List.of(batch.exampleIds().get(b)), "class probabilities");
                    }
                    for (int b = 0; b < batch.batchSize(); b++) {
                        ObjectNode r = rows.addObject();
                        r.put("id", batch.exampleIds().get(b));
                        ArrayNode mu = r.putArray("logit_mean");
                        for (double v : g.mean(b)) {
                            mu.add(v);
                        }
                        ArrayNode cov = r.putArray("logit_covariance");
                        for (double[] rowC : g.covariance(b)) {
                            ArrayNode a = cov.addArray();
                            for (double v : rowC) {
                                a.add(v);
                            }
                        }
                        ArrayNode probs = r.putArray("probabilities");
                        int best = 0;
                        for (int c = 0; c < p[b].length; c++) {
                            probs.add(p[b][c]);
                            best = p[b][c] > p[b][best] ? c : best;
                        }
                        r.put("predicted", dataset.classLabels().get(best));
                        int y = batch.labels()[b];
                        if (y >= 0) {
                            r.put("answer", dataset.classLabels().get(y));
                            labelled++;
                            correct += y == best ? 1 : 0;
                        }
                    }
                }
                System.out.printf(Locale.ROOT, "%d prompts, structure %s, λ = %.6g, link %s%n", rows.size(),
                        la.structure().cliName(), la.priorPrecisions()[0], root.get("link").asText());
                if (labelled > 0) {
                    System.out.printf(Locale.ROOT, "accuracy %.4f%n", (double) correct / labelled);
                }
            }
            write(json, root);
            return 0;
        }

        private void write(ObjectMapper json, ObjectNode root) {
            try {
                ai.bayeslora.core.io.AtomicOutput.writeString(out, json.writeValueAsString(root));
            } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
                throw new IllegalStateException("cannot encode the predictions as JSON", e);
            }
            System.out.println("wrote " + out);
        }
    }

}
