package ai.bayeslora.docs;

import ai.bayeslora.core.ComputeDevice;
import ai.bayeslora.core.DeviceSelector;
import ai.bayeslora.core.NativeScope;
import ai.bayeslora.core.Tensors;
import ai.bayeslora.core.data.BundledData;
import ai.bayeslora.core.data.EncodedBatch;
import ai.bayeslora.core.data.McqaBatcher;
import ai.bayeslora.core.data.McqaDataset;
import ai.bayeslora.core.data.McqaDatasets;
import ai.bayeslora.core.mcqa.AnswerScorer;
import ai.bayeslora.core.mcqa.ClassReduction;
import ai.bayeslora.core.model.AdapterBinding;
import ai.bayeslora.core.model.CausalLM;
import ai.bayeslora.core.text.AnswerTokens;
import ai.bayeslora.core.text.HfTokenizer;
import java.nio.file.Path;

/**
 * The code example shown in README.md. It is compiled and run by the build (ReadmeExampleTest), and the test checks
 * that README.md shows exactly the lines between the markers, so the README cannot rot.
 */
public final class ReadmeExample {
    private ReadmeExample() {
    }

    /**
     * Returns the class probabilities of the first bundled question under the bundled tiny model.
     *
     * @return the probabilities of the classes A to D
     */
    public static double[] firstQuestion() {
        // README-EXAMPLE-START
        Path modelDir = BundledData.tinyLlamaModel();                   // or an HF folder: Path.of("/models/...")
        Path data = BundledData.syntheticMcqa();                        // or your own questions
        ComputeDevice device = DeviceSelector.select("auto");          // CUDA if usable, else CPU (fp32)
        McqaDataset questions = McqaDatasets.load(data);                // CQA, MMLU or generic JSONL
        try (CausalLM model = CausalLM.load(modelDir, device);
             HfTokenizer tokenizer = HfTokenizer.load(modelDir)) {
            AnswerScorer scorer = new AnswerScorer(model,
                    AnswerTokens.of(tokenizer, questions.classLabels()), ClassReduction.ANSWER_TOKENS);
            McqaBatcher batcher = McqaBatcher.forTokenizer(tokenizer);
            for (EncodedBatch batch : batcher.batches(questions, 8)) {
                double[] p = NativeScope.noGrad(() ->                  // frees this batch's native tensors
                        Tensors.toDoubles(scorer.logProbs(batch, AdapterBinding.none()).exp())); // [batch × classes]
                return java.util.Arrays.copyOf(p, questions.numClasses());  // adapter.binding() for a LoRA adapter
            }
        }
        // README-EXAMPLE-END
        throw new IllegalStateException("no questions");
    }
}
