package ai.bayeslora.lora.ensemble;

import ai.bayeslora.lora.interop.AdapterTensors;
import ai.bayeslora.core.testing.TestDevices;
import static org.assertj.core.api.Assertions.assertThat;

import ai.bayeslora.core.DType;
import ai.bayeslora.core.Tensors;
import ai.bayeslora.core.data.BundledData;
import ai.bayeslora.core.data.EncodedBatch;
import ai.bayeslora.core.data.McqaBatcher;
import ai.bayeslora.core.data.McqaExample;
import ai.bayeslora.core.model.CausalLM;
import ai.bayeslora.core.model.HfConfigParser;
import ai.bayeslora.core.model.ModelConfig;
import ai.bayeslora.core.model.RandomWeights;
import ai.bayeslora.core.testing.Fixtures;
import ai.bayeslora.core.text.AnswerTokens;
import ai.bayeslora.core.text.HfTokenizer;
import ai.bayeslora.lora.LoraAdapter;
import ai.bayeslora.lora.LoraConfig;
import ai.bayeslora.uncertainty.ProbabilitySamples;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import org.bytedeco.javacpp.PointerScope;
import org.bytedeco.pytorch.Tensor;

/** Shared set-up for the ensemble tests: the tiny fixture model, its tokenizer, a padded batch, random members. */
final class TestEnsembles {
    static final Path TINY = Fixtures.model("tiny-llama");
    static final List<String> LETTERS = List.of("A", "B", "C", "D");
    /** Every projection but k_proj, plus lm_head (k_proj stays free for an unrelated adapter in some tests). */
    static final String[] TARGETS = {"q_proj", "v_proj", "o_proj", "gate_proj", "up_proj", "down_proj", "lm_head"};

    private TestEnsembles() {
    }

    static CausalLM tiny(DType dtype) {
        return CausalLM.load(TINY, TestDevices.device().withDType(dtype));
    }

    /** A 4-layer Llama with random weights, parsed from a config (vocab 400 so the fixture tokenizer fits). */
    static CausalLM fourLayers(long seed) {
        ModelConfig c = HfConfigParser.parse("{\"model_type\":\"llama\",\"vocab_size\":400,\"hidden_size\":64,"
                + "\"intermediate_size\":176,\"num_hidden_layers\":4,\"num_attention_heads\":4,"
                + "\"num_key_value_heads\":2,\"rms_norm_eps\":1e-5,\"tie_word_embeddings\":false,"
                + "\"max_position_embeddings\":256}", "four-layer test config");
        return CausalLM.build(c, new RandomWeights(c, 0.1, seed), TestDevices.device());
    }

    static HfTokenizer tokenizer() {
        return HfTokenizer.load(TINY);
    }

    static AnswerTokens answers(HfTokenizer tok) {
        return AnswerTokens.of(tok, LETTERS);
    }

    /**
     * The first {@code n} bundled synthetic questions, lengthened by 0–3 extra words each so that the batch is
     * left-padded (checked).
     */
    static EncodedBatch batch(HfTokenizer tok, int n) {
        List<McqaExample> examples = new ArrayList<>();
        for (McqaExample ex : BundledData.syntheticMcqaDataset().limit(n).examples()) {
            int extra = examples.size() % 4;
            examples.add(new McqaExample(ex.id(), ex.question() + " the river".repeat(extra), ex.choices(),
                    ex.labels(), ex.answer(), ex.subject(), ex.verbatim()));
        }
        EncodedBatch b = McqaBatcher.forTokenizer(tok).encode(examples);
        boolean padded = false;
        for (int r = 0; r < b.batchSize(); r++) {
            padded |= b.realLength(r) < b.length();
        }
        assertThat(padded).as("the test batch has left-padded rows").isTrue();
        return b;
    }

    static LoraConfig config(int rank, double alpha, String... targets) {
        return LoraConfig.builder().rank(rank).alpha(alpha).targetModules(targets).build();
    }

    /**
     * A member created from {@code seed} whose A and B are then overwritten with N(0, std²) values (also from
     * {@code seed}), so that B ≠ 0 and every module changes the output.
     */
    @SuppressWarnings("try")
    static LoraAdapter randomMember(CausalLM model, LoraConfig config, long seed, double std) {
        LoraAdapter a = LoraAdapter.create(model, config, seed);
        assign(a, randomTheta(a.parameterCount(), seed, std));
        return a;
    }

    static double[] randomTheta(long n, long seed, double std) {
        SplittableRandom rng = new SplittableRandom(seed * 7919 + 1);
        double[] theta = new double[(int) n];
        for (int i = 0; i < theta.length; i++) {
            double u1 = rng.nextDouble();
            double u2 = rng.nextDouble();
            theta[i] = std * Math.sqrt(-2 * Math.log(1 - u1)) * Math.cos(2 * Math.PI * u2);
        }
        return theta;
    }

    @SuppressWarnings("try")
    static void assign(LoraAdapter a, double[] theta) {
        try (PointerScope s = new PointerScope()) {
            a.assign(theta);
        }
    }

    /** The adapter's parameters as one double vector (layout of {@link LoraAdapter#flatten}). */
    @SuppressWarnings("try")
    static double[] theta(LoraAdapter a) {
        try (PointerScope s = new PointerScope()) {
            Tensor t = AdapterTensors.flatten(a, org.bytedeco.pytorch.global.torch.ScalarType.Double);
            double[] out = Tensors.toDoubles(t);
            t.releaseReference();
            return out;
        }
    }

    /** max |p − q| over all entries of two [S, B, C] results of equal shape. */
    static double maxDiff(ProbabilitySamples p, ProbabilitySamples q) {
        assertThat(q.samples()).isEqualTo(p.samples());
        assertThat(q.batchSize()).isEqualTo(p.batchSize());
        assertThat(q.numClasses()).isEqualTo(p.numClasses());
        double[] a = p.toArray();
        double[] b = q.toArray();
        double d = 0;
        for (int i = 0; i < a.length; i++) {
            d = Math.max(d, Math.abs(a[i] - b[i]));
        }
        return d;
    }

    /** max |p_s − p_t| between two members of one result. */
    static double memberDiff(ProbabilitySamples p, int s, int t) {
        double d = 0;
        for (int b = 0; b < p.batchSize(); b++) {
            for (int c = 0; c < p.numClasses(); c++) {
                d = Math.max(d, Math.abs(p.get(s, b, c) - p.get(t, b, c)));
            }
        }
        return d;
    }
}
