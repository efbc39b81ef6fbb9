package ai.bayeslora.examples.cli;

import ai.bayeslora.lora.TestAdapters;
import ai.bayeslora.core.testing.TestDevices;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import ai.bayeslora.core.DType;
import ai.bayeslora.core.Tensors;
import ai.bayeslora.core.data.EncodedBatch;
import ai.bayeslora.core.data.McqaBatcher;
import ai.bayeslora.core.data.McqaDataset;
import ai.bayeslora.core.data.McqaDatasets;
import ai.bayeslora.core.data.PromptTemplate;
import ai.bayeslora.core.mcqa.AnswerScorer;
import ai.bayeslora.core.mcqa.ClassReduction;
import ai.bayeslora.core.model.CausalLM;
import ai.bayeslora.core.model.ModelInput;
import ai.bayeslora.core.testing.Fixtures;
import ai.bayeslora.core.testing.RoundingBounds;
import ai.bayeslora.core.text.AnswerTokens;
import ai.bayeslora.core.text.HfTokenizer;
import ai.bayeslora.core.text.TokenizerOptions;
import ai.bayeslora.laplace.LaplaceLoRA;
import ai.bayeslora.laplace.LaplacePosterior;
import ai.bayeslora.laplace.LogitGaussian;
import ai.bayeslora.laplace.Structure;
import ai.bayeslora.lora.LoraAdapter;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.bytedeco.javacpp.PointerScope;
import org.bytedeco.pytorch.NoGradGuard;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code bayeslora laplace fit/predict} end to end on the tiny Llama with a peft adapter (r=2, α=4 on q_proj and
 * v_proj, random values, written by LoraAdapter.save) and a generic JSONL of verbatim prompts, float64, structure
 * full, given λ. The numbers must equal the library's on the same inputs; the prompts must reach the model unchanged
 * (the logit means equal a direct forward of the raw prompt text's tokens).
 */
class LaplaceCliTest {
    @TempDir
    Path tmp;

    /** The r=2 adapter of these tests (random values, B ≠ 0) saved to {@code dir}. */
    static Path adapter(Path model, Path dir) {
        try (CausalLM m = CausalLM.load(model, TestDevices.device());
             LoraAdapter a = TestAdapters.rank2QV(m, 3, 5, 0.3)) {
            a.save(dir);
        }
        return dir;
    }

    /** Nine generic-JSONL rows of verbatim 3-choice prompts, with answers or without. */
    static String verbatimRows(boolean answers) {
        StringBuilder rows = new StringBuilder();
        String[] words = {"cat", "river", "market", "violin", "doctor", "planet"};
        for (int i = 0; i < 9; i++) {
            rows.append("{\"id\": \"q").append(i).append("\", \"prompt\": \"Q: which ").append(words[i % 6])
                    .append(" is ").append(words[(i + 2) % 6]).append("?\\nA. one\\nB. two\\nC. three\\nAnswer:\", ");
            if (answers) {
                rows.append("\"answer\": \"").append("ABC".charAt(i % 3)).append("\", ");
            }
            rows.append("\"num_choices\": 3}\n");
        }
        return rows.toString();
    }

    @Test
    void fitThenPredictWithVerbatimPrompts() throws Exception {
        Path model = Fixtures.model("tiny-llama");
        Path adapterDir = adapter(model, tmp.resolve("adapter"));
        Path data = tmp.resolve("train.jsonl");
        Files.writeString(data, verbatimRows(true));
        Path post = tmp.resolve("posterior");
        int code = BayesLoraCli.run("laplace", "fit", "--model", model.toString(), "--adapter", adapterDir.toString(),
                "--data", data.toString(), "--structure", "full", "--prior-precision", "0.5", "--dtype", "float64",
                "--device", "cpu", "--eval-batch-size", "4", "--out", post.toString());
        assertThat(code).isZero();
        JsonNode manifest = new ObjectMapper().readTree(post.resolve("manifest.json").toFile());
        assertThat(manifest.get("structure").asText()).isEqualTo("full");
        assertThat(manifest.get("prior_precision").asDouble()).isEqualTo(0.5);
        assertThat(manifest.get("num_parameters").asLong()).isEqualTo(896);
        assertThat(manifest.get("num_examples").asLong()).isEqualTo(9);

        Path out = tmp.resolve("pred.json");
        code = BayesLoraCli.run("laplace", "predict", "--posterior", post.toString(), "--data", data.toString(),
                "--device", "cpu", "--eval-batch-size", "2", "--out", out.toString());
        assertThat(code).isZero();
        JsonNode pred = new ObjectMapper().readTree(out.toFile());
        assertThat(pred.get("predictions")).hasSize(9);

        // the same computation through the library, and the raw prompt tokens through the model
        try (CausalLM m = CausalLM.load(model, TestDevices.device().withDType(DType.FLOAT64));
             LoraAdapter a = LoraAdapter.load(adapterDir, m);
             HfTokenizer tok = HfTokenizer.load(model, TokenizerOptions.builder().addBosFromConfig().build());
             PointerScope s = new PointerScope()) {
            McqaDataset ds = McqaDatasets.load(data);
            AnswerScorer scorer = new AnswerScorer(m, AnswerTokens.of(tok, ds.classLabels()), ClassReduction.ANSWER_TOKENS);
            McqaBatcher batcher = new McqaBatcher(tok, PromptTemplate.defaults(), McqaBatcher.Config.forTokenizer(tok));
            // the same batches as the CLI (fit 4, predict 2), so the same operations on the same shapes: the numbers
            // must be equal, not close (JSON keeps every double exactly)
            try (LaplacePosterior la = LaplaceLoRA.fit(scorer, a, batcher.batches(ds, 4)).structure(Structure.FULL)
                    .priorPrecision(0.5).run()) {
                assertThat(manifest.get("log_evidence").asDouble()).isEqualTo(la.logMarginalLikelihood());
                List<double[][]> covariances = new ArrayList<>();
                for (EncodedBatch batch : batcher.batches(ds, 2)) {
                    LogitGaussian g = la.linearized(scorer).gaussian(batch);
                    for (int b = 0; b < batch.batchSize(); b++) {
                        covariances.add(g.covariance(b));
                    }
                }
                // the logit means against an unpadded forward of the raw prompt: two float64 forwards of the same
                // tokens in different batch shapes, |δf| ≤ 2η·max(1, ‖f‖_∞) with η = γ_P (docs/DEVELOPING.md,
                // "Tolerances")
                double eta = RoundingBounds.gamma(la.parameterCount());
                for (int i = 0; i < 9; i++) {
                    JsonNode r = pred.get("predictions").get(i);
                    String prompt = ds.get(i).question();
                    int[] raw = tok.encode(prompt);
                    long[] ids = new long[raw.length + (tok.addsBos() ? 1 : 0)];
                    int o = 0;
                    if (tok.addsBos()) {
                        ids[o++] = tok.bosId().orElseThrow();
                    }
                    for (int t : raw) {
                        ids[o++] = t;
                    }
                    double[] direct;
                    try (NoGradGuard ng = new NoGradGuard()) {
                        direct = Tensors.toDoubles(scorer.answerLogits(ModelInput.of(Tensors.ofLongs(ids, 1, ids.length)),
                                a.binding()));
                    }
                    double scale = Math.max(1, Arrays.stream(direct).map(Math::abs).max().orElseThrow());
                    for (int c = 0; c < 3; c++) {
                        assertThat(r.get("logit_mean").get(c).asDouble()).isCloseTo(direct[c],
                                within(2 * eta * scale));
                        for (int d = 0; d < 3; d++) {
                            assertThat(r.get("logit_covariance").get(c).get(d).asDouble())
                                    .isEqualTo(covariances.get(i)[c][d]);
                        }
                    }
                    double sum = 0;
                    for (JsonNode p : r.get("probabilities")) {
                        sum += p.asDouble();
                    }
                    // softmax-normalised probabilities: each carries a few ulps, their sum at most γ_C more
                    assertThat(sum).isCloseTo(1.0, within(8 * RoundingBounds.U64 * 3));
                }
            }
        }

        // the same posterior through evaluate (probit link): its accuracy and NLL are those of laplace predict's
        Path report = tmp.resolve("evaluate-laplace");
        code = BayesLoraCli.run("evaluate", "--laplace", post.toString(), "--link", "probit", "--model",
                model.toString(), "--data",
                data.toString(), "--dtype", "float64", "--device", "cpu", "--eval-batch-size", "2", "--out",
                report.toString());
        assertThat(code).isZero();
        JsonNode r = new ObjectMapper().readTree(report.resolve("report.json").toFile());
        JsonNode ev = r.get("evaluations").get(0);
        double nll = 0;
        int correct = 0;
        for (JsonNode p : pred.get("predictions")) {
            int y = "ABC".indexOf(p.get("answer").asText());
            nll -= Math.log(p.get("probabilities").get(y).asDouble());
            correct += p.get("predicted").asText().equals(p.get("answer").asText()) ? 1 : 0;
        }
        assertThat(ev.get("posterior").asText()).contains("laplace full linearised (probit)");
        assertThat(ev.get("accuracy").asDouble()).isEqualTo(correct / 9.0);
        // the same operations on the same shapes, then a mean of 9 logs: a few ulps
        assertThat(ev.get("nll").asDouble()).isCloseTo(nll / 9, within(1e-14));
    }
}
