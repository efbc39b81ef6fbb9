package ai.bayeslora.uncertainty;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import ai.bayeslora.core.data.BundledData;
import ai.bayeslora.core.data.EncodedBatch;
import ai.bayeslora.core.data.McqaBatcher;
import ai.bayeslora.core.data.McqaDataset;
import ai.bayeslora.core.mcqa.ClassReduction;
import ai.bayeslora.core.text.AnswerTokens;
import ai.bayeslora.core.text.HfTokenizer;
import ai.bayeslora.core.testing.Fixtures;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The estimator's plumbing against a scripted posterior whose probabilities are known per example: ordering across
 * batches, labels, rescoring for another class set, OOD scores, and errors. Expected values are computed here by
 * direct loops, independently of the metrics package.
 */
class UncertaintyEstimatorTest {
    private static HfTokenizer tokenizer;
    private static McqaBatcher batcher;

    @BeforeAll
    static void setUp() {
        tokenizer = HfTokenizer.load(Fixtures.tokenizerJson());
        batcher = McqaBatcher.forTokenizer(tokenizer);
    }

    @AfterAll
    static void tearDown() {
        tokenizer.close();
    }

    /** Two members; member 0 puts 0.7 on class (k mod C), member 1 on class ((k + shift) mod C), 0.3 spread evenly. */
    static final class Scripted implements PosteriorPredictive {
        final List<String> labels;
        final int shift;
        final List<String> seen = new ArrayList<>();

        Scripted(List<String> labels, int shift) {
            this.labels = labels;
            this.shift = shift;
        }

        static int index(String id) {
            return Integer.parseInt(id.replaceAll("\\D", ""));
        }

        static double[] row(int hot, int c) {
            double[] r = new double[c];
            java.util.Arrays.fill(r, 0.3 / (c - 1));
            r[hot] = 0.7;
            return r;
        }

        @Override
        public ProbabilitySamples predict(EncodedBatch batch) {
            int b = batch.batchSize();
            int c = labels.size();
            double[] data = new double[2 * b * c];
            for (int i = 0; i < b; i++) {
                int k = index(batch.exampleIds().get(i));
                seen.add(batch.exampleIds().get(i));
                System.arraycopy(row(k % c, c), 0, data, i * c, c);
                System.arraycopy(row((k + shift) % c, c), 0, data, (b + i) * c, c);
            }
            return new ProbabilitySamples(data, 2, b, c, labels);
        }

        @Override
        public List<String> classLabels() {
            return labels;
        }

        @Override
        public ClassReduction reduction() {
            return ClassReduction.ANSWER_TOKENS;
        }

        @Override
        public String name() {
            return "scripted";
        }

        @Override
        public PosteriorPredictive rescored(AnswerTokens answers, ClassReduction reduction) {
            return new Scripted(answers.labels(), shift);
        }
    }

    @Test
    void evaluateAggregatesEveryBatchInOrderWithDatasetLabels() {
        McqaDataset data = BundledData.syntheticMcqaDataset();
        Scripted posterior = new Scripted(List.of("A", "B", "C", "D"), 0);
        EvaluationReport r = UncertaintyEstimator.of(posterior).batcher(batcher).batchSize(5).progress(false)
                .evaluate(data);
        assertThat(r.prediction().exampleIds()).containsExactlyElementsOf(
                data.examples().stream().map(e -> e.id()).toList());
        // both members agree: predicted = k mod 4, confidence 0.7, MI = 0
        int correct = 0;
        double nll = 0;
        for (int i = 0; i < data.size(); i++) {
            int k = Scripted.index(data.get(i).id());
            int y = data.get(i).answer();
            correct += (k % 4) == y ? 1 : 0;
            nll -= Math.log((k % 4) == y ? 0.7 : 0.1);
        }
        assertThat(r.metrics().accuracy()).isCloseTo((double) correct / data.size(), within(1e-12));
        assertThat(r.metrics().nll()).isCloseTo(nll / data.size(), within(1e-12));
        assertThat(r.metrics().meanMutualInformation()).isCloseTo(0.0, within(1e-12));
        double h = -(0.7 * Math.log(0.7) + 3 * 0.1 * Math.log(0.1));
        assertThat(r.metrics().meanPredictiveEntropy()).isCloseTo(h, within(1e-12));
        assertThat(r.metrics().eceBins()).isEqualTo(15);
        assertThat(r.rows()).hasSize(data.size());
        assertThat(r.columns()).contains("mutual_information", "p_A", "p_D");
        assertThat(r.summary()).contains("ECE(15 bins)");
    }

    @Test
    void disagreeingMembersGiveMutualInformationAndOodSeparation() {
        McqaDataset data = BundledData.syntheticMcqaDataset();
        McqaDataset in = data.filter("even", e -> Scripted.index(e.id()) % 2 == 0);
        McqaDataset ood = data.filter("odd", e -> Scripted.index(e.id()) % 2 == 1);
        Scripted agree = new Scripted(List.of("A", "B", "C", "D"), 0);
        // members disagree by one class: p̄ = 0.4/0.4/0.1/0.1; MI = H(p̄) − H(0.7, 0.1, 0.1, 0.1) > 0
        Scripted disagree = new Scripted(List.of("A", "B", "C", "D"), 1);
        Prediction p = UncertaintyEstimator.of(disagree).batcher(batcher).progress(false).predict(in);
        double hMean = -(2 * 0.4 * Math.log(0.4) + 2 * 0.1 * Math.log(0.1));
        double hMember = -(0.7 * Math.log(0.7) + 3 * 0.1 * Math.log(0.1));
        assertThat(p.uncertainty().epistemic()[0]).isCloseTo(hMean - hMember, within(1e-12));
        // OOD: the same posterior on both sets gives identical scores → AUROC 0.5 (all ties)
        OodReport r = UncertaintyEstimator.of(agree).batcher(batcher).progress(false).detectOod(in, ood);
        assertThat(r.auroc(DetectionScore.PREDICTIVE_ENTROPY)).isEqualTo(0.5);
    }

    @Test
    void datasetWithAnotherClassSetIsRescored() {
        McqaDataset data = BundledData.syntheticMcqaDataset().limit(6);
        // a posterior trained on five classes (A–E) evaluated on a four-class dataset
        Scripted five = new Scripted(List.of("A", "B", "C", "D", "E"), 0);
        Prediction p = UncertaintyEstimator.of(five).batcher(batcher).progress(false).predict(data);
        assertThat(p.classLabels()).containsExactly("A", "B", "C", "D");
    }

    @Test
    void errorsNameTheProblem() {
        Scripted posterior = new Scripted(List.of("A", "B", "C", "D"), 0);
        assertThatThrownBy(() -> UncertaintyEstimator.of(posterior).evaluate(BundledData.syntheticMcqaDataset()))
                .isInstanceOf(IllegalStateException.class).hasMessageContaining("batcher");
        assertThatThrownBy(() -> UncertaintyEstimator.of(posterior).eceBins(0)).hasMessageContaining("ECE bins");
        McqaDataset unlabelled = McqaDataset.of("u.jsonl", List.of("A", "B", "C", "D"), List.of(
                ai.bayeslora.core.data.McqaExample.verbatim("u1", "Question: x?\nAnswer:", List.of("A", "B", "C", "D"),
                        -1)));
        assertThatThrownBy(() -> UncertaintyEstimator.of(posterior).batcher(batcher).evaluate(unlabelled))
                .hasMessageContaining("u1").hasMessageContaining("no answer");
    }
}
