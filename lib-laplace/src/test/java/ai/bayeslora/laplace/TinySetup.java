package ai.bayeslora.laplace;

import ai.bayeslora.core.testing.TestDevices;
import ai.bayeslora.core.DType;
import ai.bayeslora.core.data.BundledData;
import ai.bayeslora.core.data.EncodedBatch;
import ai.bayeslora.core.data.McqaBatcher;
import ai.bayeslora.core.data.McqaDataset;
import ai.bayeslora.core.data.PromptTemplate;
import ai.bayeslora.core.mcqa.AnswerScorer;
import ai.bayeslora.core.mcqa.ClassReduction;
import ai.bayeslora.core.model.CausalLM;
import ai.bayeslora.core.testing.Fixtures;
import ai.bayeslora.core.text.AnswerTokens;
import ai.bayeslora.core.text.HfTokenizer;
import ai.bayeslora.core.text.TokenizerOptions;
import ai.bayeslora.lora.LoraAdapter;
import ai.bayeslora.lora.LoraConfig;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import org.bytedeco.javacpp.PointerScope;

/**
 * The tiny fixture Llama (hidden 64, 2 layers, vocab 400) in float64 with a random LoRA adapter and the bundled
 * synthetic MCQA questions (4 classes). Close it after use.
 */
final class TinySetup implements AutoCloseable {
    final CausalLM model;
    final HfTokenizer tokenizer;
    final LoraAdapter adapter;
    final AnswerScorer scorer;
    final McqaBatcher batcher;
    final McqaDataset data;

    /**
     * @param targets LoRA target suffixes
     * @param rank LoRA r (α = 2r, so s = 2)
     * @param scale standard deviation of the random A and B entries
     */
    TinySetup(List<String> targets, int rank, double scale, long seed) {
        model = CausalLM.load(Fixtures.model("tiny-llama"), TestDevices.device().withDType(DType.FLOAT64));
        tokenizer = HfTokenizer.load(Fixtures.model("tiny-llama"), TokenizerOptions.builder().addBosFromConfig().build());
        adapter = LoraAdapter.create(model, LoraConfig.builder().rank(rank).alpha(2.0 * rank).targetModules(targets)
                .build(), seed);
        SplittableRandom rng = new SplittableRandom(seed);
        double[] theta = new double[(int) adapter.parameterCount()];
        for (int i = 0; i < theta.length; i++) {
            theta[i] = scale * LogitGaussian.gaussian(rng);
        }
        try (PointerScope s = new PointerScope()) {
            adapter.assign(theta);
        }
        data = BundledData.syntheticMcqaDataset();
        scorer = new AnswerScorer(model, AnswerTokens.of(tokenizer, data.classLabels()), ClassReduction.ANSWER_TOKENS);
        batcher = new McqaBatcher(tokenizer, PromptTemplate.defaults(), McqaBatcher.Config.forTokenizer(tokenizer));
    }

    static TinySetup qv() {
        return new TinySetup(List.of("q_proj", "v_proj"), 2, 0.2, 7);
    }

    /** Examples [from, to) in batches of {@code batchSize}. */
    List<EncodedBatch> batches(int from, int to, int batchSize) {
        List<EncodedBatch> out = new ArrayList<>();
        for (int i = from; i < to; i += batchSize) {
            out.add(batcher.encode(data.examples().subList(i, Math.min(to, i + batchSize))));
        }
        return out;
    }

    /** Example i alone (unpadded). */
    EncodedBatch single(int i) {
        return batcher.encode(List.of(data.get(i)));
    }

    @Override
    public void close() {
        adapter.close();
        tokenizer.close();
        model.close();
    }
}
