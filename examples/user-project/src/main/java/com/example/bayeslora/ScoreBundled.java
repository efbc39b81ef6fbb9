package com.example.bayeslora;

import ai.bayeslora.core.ComputeDevice;
import ai.bayeslora.core.NativeScope;
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
import java.nio.file.Path;
import java.util.Arrays;

/** A user's program: the bundled tiny model scores the bundled questions; prints the first one's probabilities. */
public final class ScoreBundled {
    private ScoreBundled() {
    }

    /**
     * Scores the first bundled question and prints its class probabilities, then "OK" if they sum to 1.
     *
     * @param args unused
     */
    public static void main(String[] args) {
        Path modelDir = BundledData.tinyLlamaModel();
        McqaDataset questions = BundledData.syntheticMcqaDataset();
        try (CausalLM model = CausalLM.load(modelDir, ComputeDevice.cpu());
             HfTokenizer tokenizer = HfTokenizer.load(modelDir)) {
            AnswerScorer scorer = new AnswerScorer(model,
                    AnswerTokens.of(tokenizer, questions.classLabels()), ClassReduction.ANSWER_TOKENS);
            EncodedBatch batch = McqaBatcher.forTokenizer(tokenizer).batches(questions, 8).iterator().next();
            double[] p = NativeScope.noGrad(() ->
                    Tensors.toDoubles(scorer.logProbs(batch, AdapterBinding.none()).exp()));
            double[] first = Arrays.copyOf(p, questions.numClasses());
            double sum = Arrays.stream(first).sum();
            System.out.println("model " + modelDir);
            System.out.println("p(A..D) of " + questions.get(0).id() + " = " + Arrays.toString(first));
            if (Math.abs(sum - 1) > 1e-5) {
                throw new IllegalStateException("probabilities sum to " + sum);
            }
            System.out.println("OK");
        }
    }
}
