package ai.bayeslora.lora.train;

import ai.bayeslora.core.testing.TestDevices;
import static org.assertj.core.api.Assertions.assertThat;

import ai.bayeslora.core.data.BundledData;
import ai.bayeslora.core.data.McqaBatcher;
import ai.bayeslora.core.data.McqaDataset;
import ai.bayeslora.core.mcqa.AnswerScorer;
import ai.bayeslora.core.mcqa.ClassReduction;
import ai.bayeslora.core.model.CausalLM;
import ai.bayeslora.core.testing.Fixtures;
import ai.bayeslora.core.text.AnswerTokens;
import ai.bayeslora.core.text.HfTokenizer;
import ai.bayeslora.core.text.TokenizerOptions;
import ai.bayeslora.lora.LoraAdapter;
import ai.bayeslora.lora.LoraConfig;
import ai.bayeslora.lora.train.internal.Evaluator;
import java.util.Optional;
import java.util.Set;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

/**
 * Training tiny-llama (random weights) on synthetic MCQA learns the rule "the answer is the choice equal to the
 * subject": the training NLL falls and accuracy on the 64 bundled questions, never seen in training, rises far above
 * chance (0.25).
 *
 * <p>48 training questions are too few for this: the model memorises them (training accuracy 1, held-out at chance,
 * measured). So the training set is 1536 questions generated with the bundled file's recipe, excluding any that equal
 * a held-out one. LoRA goes on q, k, v and o: with q and v alone the rule is learnt more slowly (held-out accuracy
 * about 0.69 after 6 epochs of 2048 questions, against 0.94 after 5 epochs of 1536 here).
 */
class TrainerLearningTest {

    @Test
    void learnsTheRuleAndGeneralisesToHeldOutQuestions() {
        McqaDataset heldOut = BundledData.syntheticMcqaDataset();
        Set<String> exclude = heldOut.examples().stream().map(e -> SyntheticMcqa.key(e.question(), e.choices()))
                .collect(Collectors.toSet());
        McqaDataset train = SyntheticMcqa.generate(1536, 7, exclude);
        try (CausalLM model = CausalLM.load(Fixtures.model("tiny-llama"), TestDevices.device());
             HfTokenizer tokenizer = HfTokenizer.load(Fixtures.model("tiny-llama"),
                     TokenizerOptions.builder().addBosFromConfig().build());
             LoraAdapter adapter = LoraAdapter.create(model, LoraConfig.builder().rank(8).alpha(16)
                     .targetModules("q_proj", "k_proj", "v_proj", "o_proj").build(), 1)) {
            McqaBatcher batcher = McqaBatcher.forTokenizer(tokenizer);
            AnswerScorer scorer = new AnswerScorer(model, AnswerTokens.of(tokenizer, train.classLabels()),
                    ClassReduction.ANSWER_TOKENS);
            McqaDataset probe = train.limit(256);
            Evaluator.Evaluation trainBefore = Evaluator.evaluate(scorer, adapter.binding(), batcher, probe, 64);
            Evaluator.Evaluation heldOutBefore = Evaluator.evaluate(scorer, adapter.binding(), batcher, heldOut, 64);

            TrainingConfig config = TrainingConfig.builder().learningRate(3e-3).epochs(5).batchSize(16)
                    .seed(3).progressBar(false).build();
            TrainingResult result = new LoraTrainer(config).train(adapter, batcher, train, Optional.of(heldOut), null);

            Evaluator.Evaluation trainAfter = Evaluator.evaluate(scorer, adapter.binding(), batcher, probe, 64);
            assertThat(result.epochs()).hasSize(5);
            assertThat(trainAfter.nll()).as("training NLL before %s, after %s", trainBefore.nll(), trainAfter.nll())
                    .isLessThan(0.6 * trainBefore.nll());
            assertThat(result.last().trainLoss()).isLessThan(result.epochs().get(0).trainLoss());
            assertThat(heldOutBefore.accuracy()).isLessThan(0.45);
            assertThat(result.last().validationAccuracy().getAsDouble()).as("held-out accuracy").isGreaterThan(0.6);
            assertThat(result.last().validationNll().getAsDouble()).isLessThan(heldOutBefore.nll() - 0.3);
        }
    }
}
