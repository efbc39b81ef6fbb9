// A custom posterior: any model that can give per-sample class probabilities plugs into UncertaintyEstimator.
// Here: the bundled tiny model with "temperature samples" of its answer logits — a toy posterior, to show the API.
// Run: ./bayeslora jshell examples/jshell/custom-posterior.jsh
import ai.bayeslora.*;
import ai.bayeslora.core.data.*;
import ai.bayeslora.core.mcqa.*;
import ai.bayeslora.core.model.*;
import ai.bayeslora.core.text.*;
import ai.bayeslora.uncertainty.*;
import java.nio.file.Path;
import java.util.List;

Path modelDir = BundledData.tinyLlamaModel();   // lib-core's bundled tiny Llama
BayesLora bayes = BayesLora.open(modelDir, "cpu");
McqaDataset data = BundledData.syntheticMcqaDataset();

class TemperaturePosterior implements PosteriorPredictive {
    final AnswerScorer scorer;
    final double[] temperatures = {0.5, 1.0, 2.0};
    TemperaturePosterior(AnswerScorer scorer) { this.scorer = scorer; }
    public ProbabilitySamples predict(EncodedBatch batch) {
        int b = batch.batchSize(), c = scorer.numClasses(), s = temperatures.length;
        double[] out = new double[s * b * c];
        double[][] probs = scorer.probabilities(batch, AdapterBinding.none());   // [B][C], plain Java arrays
        for (int k = 0; k < s; k++)
            for (int i = 0; i < b; i++) {
                double max = Double.NEGATIVE_INFINITY, sum = 0;
                for (int j = 0; j < c; j++) max = Math.max(max, Math.log(probs[i][j]) / temperatures[k]);
                for (int j = 0; j < c; j++) sum += Math.exp(Math.log(probs[i][j]) / temperatures[k] - max);
                for (int j = 0; j < c; j++) out[(k * b + i) * c + j] = Math.exp(Math.log(probs[i][j]) / temperatures[k] - max) / sum;
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

var posterior = new TemperaturePosterior(bayes.scorer(data));   // the data's classes, softmax over answer tokens
var estimator = bayes.estimator(posterior).progress(false);
EvaluationReport report = estimator.evaluate(data);
System.out.println(report.summary());
System.out.println(estimator.detectOod(data.limit(32), data.filter("last 32", e -> data.examples().indexOf(e) >= 32)).summary());
bayes.close();
/exit
