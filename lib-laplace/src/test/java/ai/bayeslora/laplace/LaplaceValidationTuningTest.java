package ai.bayeslora.laplace;

import static org.assertj.core.api.Assertions.assertThat;

import ai.bayeslora.core.data.EncodedBatch;
import java.util.List;
import org.bytedeco.javacpp.PointerScope;
import org.junit.jupiter.api.Test;

/** Validation-NLL tuning picks the grid λ whose probit predictive has the lowest NLL, computed here by hand. */
class LaplaceValidationTuningTest {

    @Test
    @SuppressWarnings("try")
    void choosesTheGridPointWithTheLowestValidationNll() {
        double[] grid = {0.01, 0.1, 1, 10, 100};
        try (TinySetup t = TinySetup.qv(); PointerScope s = new PointerScope();
             LaplacePosterior la = LaplaceLoRA.fit(t.scorer, t.adapter, t.batches(0, 10, 5))
                     .structure(Structure.KFAC).priorPrecision(1.0).run()) {
            List<EncodedBatch> validation = t.batches(10, 18, 4);
            PriorTuning.Result r = la.tuneByValidationNll(t.scorer, validation,
                    LinearizedPredictive.Options.defaults(), grid);
            double best = Double.NaN;
            double bestNll = Double.POSITIVE_INFINITY;
            for (double lambda : grid) {
                la.setPriorPrecision(lambda);
                double nll = 0;
                int n = 0;
                for (EncodedBatch b : validation) {
                    double[][] p = la.linearized(t.scorer).gaussian(b).probit();
                    for (int i = 0; i < b.batchSize(); i++) {
                        nll -= Math.log(p[i][b.labels()[i]]);
                        n++;
                    }
                }
                nll /= n;
                if (nll < bestNll) {
                    bestNll = nll;
                    best = lambda;
                }
            }
            assertThat(r.lambda()).isEqualTo(best);
        }
    }
}
