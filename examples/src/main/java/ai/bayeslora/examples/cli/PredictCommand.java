package ai.bayeslora.examples.cli;

import ai.bayeslora.core.io.AtomicOutput;
import ai.bayeslora.core.NativeScope;
import ai.bayeslora.core.ComputeDevice;
import ai.bayeslora.core.Tensors;
import ai.bayeslora.core.data.BundledData;
import ai.bayeslora.core.data.EncodedBatch;
import ai.bayeslora.core.data.McqaBatcher;
import ai.bayeslora.core.data.McqaDataset;
import ai.bayeslora.core.mcqa.AnswerScorer;
import ai.bayeslora.core.mcqa.ClassReduction;
import ai.bayeslora.core.model.AdapterBinding;
import ai.bayeslora.core.model.CausalLM;
import ai.bayeslora.core.text.AnswerTokens;
import ai.bayeslora.core.text.HfTokenizer;
import ai.bayeslora.core.text.TokenizerOptions;
import ai.bayeslora.lora.LoraAdapter;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.BufferedWriter;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import ai.bayeslora.core.progress.Progress;
import ai.bayeslora.core.progress.ProgressTask;
import org.bytedeco.pytorch.NoGradGuard;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** Class probabilities, the predicted letter and the predictive entropy for each question of an MCQA file. */
@Command(name = "predict", mixinStandardHelpOptions = true, usageHelpAutoWidth = true,
        header = "Predicts multiple-choice answers with their probabilities and entropy.",
        description = {"Predicts multiple-choice answers: per question the class probabilities, the predicted letter "
            + "and the predictive entropy (nats). With no arguments it runs the bundled tiny random model on the "
            + "bundled synthetic MCQA file (a smoke test: a random model's answers are meaningless)."})
final class PredictCommand implements Callable<Integer> {
    @Mixin
    ModelOptions modelOptions;

    @Mixin
    DataOptions dataOptions = new DataOptions();

    @Mixin
    PromptOption promptOption = new PromptOption();

    @Option(names = "--reduction", defaultValue = "answer-tokens", converter = CliEnums.Reduction.class,
            paramLabel = "answer-tokens|full-vocab",
            description = "Class probabilities: softmax over the answer tokens, or the full vocabulary plus an 'other' "
                    + "class (default: ${DEFAULT-VALUE}).")
    ClassReduction reduction;

    @Mixin
    BatchSizeOptions batchSizeOptions = new BatchSizeOptions();

    @Option(names = "--max-length", defaultValue = "512", paramLabel = "TOKENS",
            description = "Longer prompts are truncated from the left (default: ${DEFAULT-VALUE}).")
    int maxLength;

    @Option(names = "--out", paramLabel = "FILE.jsonl", description = "Also write one JSON object per question.")
    Path out;

    @Mixin
    OverwriteOption overwrite = new OverwriteOption();

    @Override
    public Integer call() {
        int batchSize = batchSizeOptions.evalBatchSize();
        Path modelDir = modelOptions.modelDir();
        // before any work: the output must not be an input, nor somebody's file
        new OutputGuard("predict", overwrite.overwrite).inputs(modelOptions.model, modelOptions.adapter, dataOptions.path())
                .checkFile("--out", out);
        McqaDataset dataset = dataOptions.data == null ? dataOptions.load.limited(BundledData.syntheticMcqaDataset())
                : dataOptions.load();
        ai.bayeslora.core.data.PaperPrompts.Prepared prepared = PromptOption.prepare(promptOption.name("mmlu"), dataset);
        dataset = prepared.dataset();
        ClassReduction red = reduction;
        if (modelOptions.model == null) {
            System.err.println("note: using the bundled tiny model (random weights, 2 layers): the pipeline runs, the"
                    + " answers are noise. Use --model DIR with a real HF checkpoint.");
        }
        ComputeDevice device = modelOptions.computeDevice();
        List<String> labels = red.classLabels(dataset.classLabels());
        ObjectMapper json = new ObjectMapper();
        List<ObjectNode> rows = new ArrayList<>();
        int correct = 0;
        int labelled = 0;
        double nll = 0;
        double entropySum = 0;
        try (CausalLM model = CausalLM.load(modelDir, device);
             LoraAdapter adapter = modelOptions.loadAdapter(model);
             HfTokenizer tokenizer = HfTokenizer.load(modelDir, TokenizerOptions.builder().addBosFromConfig().build())) {
            AnswerScorer scorer = new AnswerScorer(model, AnswerTokens.of(tokenizer, dataset.classLabels(),
                    prepared.format().answerPrefix()), red);
            McqaBatcher batcher = new McqaBatcher(tokenizer, prepared.format(),
                    McqaBatcher.Config.forTokenizer(tokenizer).withMaxLength(maxLength));
            try (ProgressTask bar = Progress.start(null, "predict", dataset.size())) {
                for (EncodedBatch batch : batcher.batches(dataset, batchSize)) {
                    double[] logp;
                    try (NativeScope scope = NativeScope.open(); NoGradGuard ng = new NoGradGuard()) {
                        // a row with fewer choices is scored over its own (METHODS §1)
                        logp = Tensors.toDoubles(ai.bayeslora.core.mcqa.ClassMask.logProbs(scorer.logProbs(batch,
                                adapter == null ? AdapterBinding.none() : adapter.binding()), batch.classCounts(), 1,
                                scorer.reduction()));
                    }
                    int c = labels.size();
                    ai.bayeslora.core.mcqa.NonFiniteScoresException.check(logp, c, batch.exampleIds(),
                            "log-probabilities");
                    for (int r = 0; r < batch.batchSize(); r++) {
                        double[] p = new double[c];
                        int best = 0;
                        double h = 0;
                        for (int k = 0; k < c; k++) {
                            p[k] = Math.exp(logp[r * c + k]);
                            if (p[k] > p[best]) {
                                best = k;
                            }
                            h -= p[k] > 0 ? p[k] * logp[r * c + k] : 0; // 0·log 0 = 0
                        }
                        ObjectNode row = json.createObjectNode();
                        row.put("id", batch.exampleIds().get(r));
                        ArrayNode probs = row.putArray("probabilities");
                        for (double v : p) {
                            probs.add(v);
                        }
                        row.put("predicted", labels.get(best));
                        row.put("entropy", h);
                        int y = batch.labels()[r];
                        if (y >= 0) {
                            row.put("answer", labels.get(y));
                            row.put("correct", y == best);
                            labelled++;
                            correct += y == best ? 1 : 0;
                            nll -= logp[r * c + y];
                        }
                        entropySum += h;
                        rows.add(row);
                    }
                    bar.advance(batch.batchSize());
                }
            }
        }
        printTable(labels, rows);
        System.out.printf(Locale.ROOT, "%n%d questions, classes %s, reduction %s%n", rows.size(), labels,
                red.cliName());
        if (labelled > 0) {
            System.out.printf(Locale.ROOT, "accuracy %.4f, NLL %.4f, mean predictive entropy %.4f nats%n",
                    (double) correct / labelled, nll / labelled, entropySum / rows.size());
        }
        if (out != null) {
            writeJsonl(json, rows);
        }
        return 0;
    }

    private static void printTable(List<String> labels, List<ObjectNode> rows) {
        StringBuilder head = new StringBuilder(String.format("%-14s", "id"));
        labels.forEach(l -> head.append(String.format("%8s", "p(" + l + ")")));
        head.append("  pred  entropy  answer");
        System.out.println(head);
        for (ObjectNode r : rows) {
            StringBuilder line = new StringBuilder(String.format("%-14s", abbreviate(r.get("id").asText(), 13)));
            r.get("probabilities").forEach(v -> line.append(String.format(Locale.ROOT, "%8.4f", v.asDouble())));
            line.append(String.format(Locale.ROOT, "  %-5s %7.4f  %s", r.get("predicted").asText(),
                    r.get("entropy").asDouble(), r.has("answer") ? r.get("answer").asText()
                            + (r.get("correct").asBoolean() ? " ✓" : " ✗") : "-"));
            System.out.println(line);
        }
    }

    private static String abbreviate(String s, int n) {
        return s.length() <= n ? s : s.substring(0, n - 1) + "…";
    }

    private void writeJsonl(ObjectMapper json, List<ObjectNode> rows) {
        AtomicOutput.writeFile(out, stream -> {
            BufferedWriter w = new BufferedWriter(new java.io.OutputStreamWriter(stream,
                    java.nio.charset.StandardCharsets.UTF_8));
            for (ObjectNode r : rows) {
                w.write(json.writeValueAsString(r));
                w.newLine();
            }
            w.flush();
        });
        System.out.println("wrote " + out);
    }
}
