// A custom posterior: any model that can give per-sample class probabilities plugs into UncertaintyEstimator.
// Here: the bundled tiny model with "temperature samples" of its answer logits — a toy posterior, to show the API.
// Run: ./bayeslora jshell examples/jshell/custom-posterior.jsh
import ai.bayeslora.core.*;
import ai.bayeslora.core.data.*;
import ai.bayeslora.core.mcqa.*;
import ai.bayeslora.core.model.*;
import ai.bayeslora.core.text.*;
import ai.bayeslora.uncertainty.*;
import java.nio.file.Path;
import java.util.List;
import org.bytedeco.javacpp.PointerScope;
import org.bytedeco.pytorch.NoGradGuard;

Path modelDir = BundledData.tinyLlamaModel();   // lib-core's bundled tiny Llama
CausalLM model = CausalLM.load(modelDir, DeviceSelector.select("cpu"));
HfTokenizer tokenizer = HfTokenizer.load(modelDir);
McqaDataset data = BundledData.syntheticMcqaDataset();

class TemperaturePosterior implements PosteriorPredictive {
    final AnswerScorer scorer;
    final double[] temperatures = {0.5, 1.0, 2.0};
    TemperaturePosterior(AnswerScorer scorer) { this.scorer = scorer; }
    public ProbabilitySamples predict(EncodedBatch batch) {
        int b = batch.batchSize(), c = scorer.numClasses(), s = temperatures.length;
        double[] out = new double[s * b * c];
        try (PointerScope scope = new PointerScope(); NoGradGuard ng = new NoGradGuard()) {
            double[] logits = Tensors.toDoubles(scorer.logProbs(batch, AdapterBinding.none()));   // log-softmax, [B, C]
            for (int k = 0; k < s; k++)
                for (int i = 0; i < b; i++) {
                    double max = Double.NEGATIVE_INFINITY, sum = 0;
                    for (int j = 0; j < c; j++) max = Math.max(max, logits[i * c + j] / temperatures[k]);
                    for (int j = 0; j < c; j++) sum += Math.exp(logits[i * c + j] / temperatures[k] - max);
                    for (int j = 0; j < c; j++) out[(k * b + i) * c + j] = Math.exp(logits[i * c + j] / temperatures[k] - max) / sum;
                }
        }
        return new ProbabilitySamples(out, s, b, c, classLabels());
    }
    public List<String> classLabels() { return scorer.classLabels(); }
    public ClassReduction reduction() { return scorer.reduction(); }
    public String name() { return "temperature samples"; }
    public PosteriorPredictive rescored(AnswerTokens answers, ClassReduction r) {
        return new TemperaturePosterior(scorer.rescored(answers, r));
    }
}

var posterior = new TemperaturePosterior(new AnswerScorer(model, AnswerTokens.of(tokenizer, data.classLabels()),
        ClassReduction.ANSWER_TOKENS));
var estimator = UncertaintyEstimator.of(posterior).batcher(McqaBatcher.forTokenizer(tokenizer)).progress(false);
EvaluationReport report = estimator.evaluate(data);
System.out.println(report.summary());
System.out.println(estimator.detectOod(data.limit(32), data.filter("last 32", e -> data.examples().indexOf(e) >= 32)).summary());
tokenizer.close();
model.close();
/exit
