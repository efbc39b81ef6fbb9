package ai.bayeslora.lora.train;

import ai.bayeslora.core.testing.TestDevices;
import static org.assertj.core.api.Assertions.assertThat;

import ai.bayeslora.core.DType;
import ai.bayeslora.core.Tensors;
import ai.bayeslora.core.data.BundledData;
import ai.bayeslora.core.data.EncodedBatch;
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
import java.util.List;
import java.util.SplittableRandom;
import org.bytedeco.javacpp.PointerScope;
import org.bytedeco.pytorch.NoGradGuard;
import org.bytedeco.pytorch.Scalar;
import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.global.torch;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Gradients of the full training objective (data term of a micro-batch that is part of a larger step, plus each prior)
 * with respect to the LoRA parameters, against central finite differences in float64 on tiny-llama.
 *
 * <p>Every parameter, q/v inside the decoder as well as lm_head's, is checked at relative error 1e-5 with h = 1e-5:
 * the float64 forward is float64 throughout (RMSNorm included, docs/DEVELOPING.md "float64 mode"), so the central
 * difference errs by h²/6·|L'''| (about 1e-10 here) plus the rounding of L over 2h (about 1e-11), both far below
 * 1e-5 of gradients of order 1e-3 to 1e-1. (When RMSNorm rounded to float32, q/v needed h = 1e-3 and a 5e-3
 * tolerance.)
 */
class TrainerGradientTest {
    private static final int STEP_EXAMPLES = 6; // the micro-batch of 4 is part of a step of 6 examples
    private static final long N = 10;
    private static CausalLM model;
    private static HfTokenizer tokenizer;
    private static LoraAdapter adapter;
    private static EncodedBatch batch;
    private static McqaDataset data;

    @BeforeAll
    @SuppressWarnings("try")
    static void setUp() {
        model = CausalLM.load(Fixtures.model("tiny-llama"), TestDevices.device().withDType(DType.FLOAT64));
        tokenizer = HfTokenizer.load(Fixtures.model("tiny-llama"), TokenizerOptions.builder().addBosFromConfig().build());
        adapter = LoraAdapter.create(model, LoraConfig.builder().rank(2).alpha(4)
                .targetModules("q_proj", "v_proj", "lm_head").build(), 3);
        data = BundledData.syntheticMcqaDataset();
        batch = McqaBatcher.forTokenizer(tokenizer).encode(data.examples().subList(0, 4));
        // B starts at zero, which would make every A gradient vanish: move to a generic point
        try (PointerScope s = new PointerScope(); NoGradGuard g = new NoGradGuard()) {
            torch.manual_seed(11);
            for (Tensor p : adapter.parameters()) {
                p.add_(torch.randn_like(p).mul(new Scalar(0.2)));
            }
        }
    }

    @AfterAll
    static void tearDown() {
        adapter.close();
        tokenizer.close();
        model.close();
    }

    @Test
    void noPriorAnswerTokens() {
        check(Prior.none(), ClassReduction.ANSWER_TOKENS);
    }

    @Test
    void noPriorFullVocabulary() {
        check(Prior.none(), ClassReduction.FULL_VOCAB_WITH_OTHER);
    }

    @Test
    void gaussianPrior() {
        check(Prior.gaussian(40), ClassReduction.ANSWER_TOKENS);
    }

    @Test
    void loraProductPriorFullVocabulary() {
        check(Prior.loraProduct(0.7), ClassReduction.FULL_VOCAB_WITH_OTHER);
    }

    @SuppressWarnings("try")
    private static void check(Prior prior, ClassReduction reduction) {
        TrainingObjective objective = new TrainingObjective(new AnswerScorer(model,
                AnswerTokens.of(tokenizer, data.classLabels()), reduction), prior, N);
        List<Tensor> params = adapter.parameters();
        List<String> names = adapter.parameterNames();
        double[][] grads = new double[params.size()][];
        try (PointerScope s = new PointerScope()) {
            Tensor loss = objective.dataTerm(batch, adapter.binding(), STEP_EXAMPLES).loss().add(objective.penalty(adapter));
            loss.backward();
            for (int i = 0; i < params.size(); i++) {
                grads[i] = Tensors.toDoubles(params.get(i).grad());
                params.get(i).mutable_grad().put(new Tensor());
            }
        }
        SplittableRandom rng = new SplittableRandom(5);
        int checked = 0;
        for (int i = 0; i < params.size(); i++) {
            double h = 1e-5;
            for (int k = 0; k < 3; k++) {
                int idx = rng.nextInt(grads[i].length);
                if (names.get(i).contains("lm_head.lora_B")) {
                    // with reduction (a) only the answer tokens' rows of lm_head's B have a gradient: pick those
                    long row = objective.scorer().answers().id(k % data.numClasses());
                    idx = (int) (row * adapter.config().rank()) + rng.nextInt(adapter.config().rank());
                }
                double fd = (objectiveAt(objective, params.get(i), idx, h)
                        - objectiveAt(objective, params.get(i), idx, -h)) / (2 * h);
                double ad = grads[i][idx];
                String what = prior.describe() + " " + reduction + " " + names.get(i) + "[" + idx + "]";
                assertThat(Math.abs(fd - ad)).as(what + ": autograd %s vs FD %s", ad, fd)
                        .isLessThan(1e-5 * Math.abs(ad));
                checked++;
            }
        }
        assertThat(checked).isEqualTo(3 * params.size());
    }

    /** The step objective with coordinate {@code idx} of {@code p} moved by {@code h}; p is restored exactly. */
    @SuppressWarnings("try")
    private static double objectiveAt(TrainingObjective objective, Tensor p, int idx, double h) {
        try (PointerScope s = new PointerScope(); NoGradGuard g = new NoGradGuard()) {
            Tensor cell = p.view(-1).narrow(0, idx, 1);
            double original = cell.item_double();
            cell.fill_(new Scalar(original + h));
            double value = objective.dataTerm(batch, adapter.binding(), STEP_EXAMPLES).loss().add(objective.penalty(adapter))
                    .item_double();
            cell.fill_(new Scalar(original));
            return value;
        }
    }
}
