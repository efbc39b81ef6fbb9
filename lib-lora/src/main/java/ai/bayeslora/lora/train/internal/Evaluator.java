package ai.bayeslora.lora.train.internal;

import ai.bayeslora.core.NativeScope;
import ai.bayeslora.core.data.EncodedBatch;
import ai.bayeslora.core.data.McqaBatcher;
import ai.bayeslora.core.data.McqaDataset;
import ai.bayeslora.core.mcqa.AnswerScorer;
import ai.bayeslora.core.model.AdapterBinding;
import org.bytedeco.pytorch.LongOptional;
import org.bytedeco.pytorch.NoGradGuard;
import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.global.torch.ScalarType;

/** Mean NLL and accuracy of a labelled dataset, batched, without gradients (METHODS.md §7 on a single model). */
public final class Evaluator {
    private Evaluator() {
    }

    /**
     * Evaluation result.
     *
     * @param nll mean −log p(y|x) over the examples
     * @param accuracy fraction whose arg-max class is the label
     * @param examples number of examples
     */
    public record Evaluation(double nll, double accuracy, long examples) {
    }

    /** Evaluates {@code data} in batches of {@code batchSize} with the adapter of {@code binding}. */
    @SuppressWarnings("try")
    public static Evaluation evaluate(AnswerScorer scorer, AdapterBinding binding, McqaBatcher batcher,
                                      McqaDataset data, int batchSize) {
        double nll = 0;
        long correct = 0;
        long n = 0;
        for (EncodedBatch batch : batcher.batches(data, batchSize)) {
            try (NativeScope s = NativeScope.open(); NoGradGuard g = new NoGradGuard()) {
                Tensor logp = ai.bayeslora.core.mcqa.ClassMask.logProbs(scorer.logProbs(batch, binding),
                        batch.classCounts(), 1, scorer.reduction());
                Tensor labels = batch.labelsTensor().to(logp.device(), ScalarType.Long);
                nll -= logp.gather(1, labels.view(-1, 1)).sum().item_double();
                correct += logp.argmax(new LongOptional(1), false).eq(labels).sum().item_long();
                n += batch.batchSize();
            }
        }
        return new Evaluation(nll / n, (double) correct / n, n);
    }
}
