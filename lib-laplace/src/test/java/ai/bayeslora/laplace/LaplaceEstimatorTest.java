package ai.bayeslora.laplace;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import ai.bayeslora.core.data.EncodedBatch;
import ai.bayeslora.uncertainty.EvaluationReport;
import ai.bayeslora.uncertainty.Prediction;
import ai.bayeslora.uncertainty.UncertaintyEstimator;
import java.util.List;
import org.bytedeco.javacpp.PointerScope;
import org.junit.jupiter.api.Test;

/**
 * {@code UncertaintyEstimator.of(laplace)}: the linearised predictive plugs into the estimator, and its mean agrees with
 * the Monte Carlo estimate of E[softmax(f)] computed here directly from the logit Gaussian.
 */
class LaplaceEstimatorTest {

    @Test
    @SuppressWarnings("try")
    void estimatorEvaluatesTheLinearisedPredictive() {
        try (PointerScope s = new PointerScope();
             TinySetup t = new TinySetup(List.of("v_proj", "lm_head"), 2, 0.2, 5)) {
            List<EncodedBatch> train = t.batches(0, 10, 5);
            try (LaplacePosterior la = LaplaceLoRA.fit(t.scorer, t.adapter, train).structure(Structure.KFAC).run()) {
                var predictive = la.linearized(t.scorer);
                UncertaintyEstimator est = UncertaintyEstimator.of(predictive).batcher(t.batcher).progress(false);
                EncodedBatch batch = t.batcher.encode(t.data.examples().subList(30, 34));
                Prediction p = est.predict(batch);
                assertThat(p.size()).isEqualTo(4);
                // p̄ vs an independent Monte Carlo average of softmax over samples of the logit Gaussian
                double[][] mc = predictive.gaussian(batch).monteCarlo(20_000, 7);
                double[][] mean = p.mean();
                int samples = p.samples().samples(); // the predictive's own S logit samples
                for (int b = 0; b < 4; b++) {
                    for (int c = 0; c < mean[b].length; c++) {
                        double var = 0;
                        for (int k = 0; k < samples; k++) {
                            double d = p.samples().get(k, b, c) - mean[b][c];
                            var += d * d / (samples - 1);
                        }
                        double se = Math.sqrt(var / samples + var / 20_000); // both Monte Carlo errors
                        assertThat(mean[b][c]).isCloseTo(mc[b][c], within(5 * se + 1e-9));
                    }
                }
                EvaluationReport r = est.evaluate(t.data.limit(12));
                assertThat(r.metrics().examples()).isEqualTo(12);
                assertThat(r.metrics().meanMutualInformation()).isGreaterThanOrEqualTo(0.0);
            }
        }
    }
}
