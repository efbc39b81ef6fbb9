package ai.bayeslora.laplace;

import ai.bayeslora.core.testing.TestDevices;
import static org.assertj.core.api.Assertions.assertThat;

import ai.bayeslora.core.data.EncodedBatch;
import ai.bayeslora.core.data.McqaBatcher;
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
import java.util.Locale;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import org.bytedeco.javacpp.Pointer;
import org.bytedeco.javacpp.PointerScope;
import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.global.torch;
import org.junit.jupiter.api.Test;

/**
 * Peak resident memory of the linearised predictive (one chunk = the whole batch, and automatic chunks) against a
 * training step (forward + backward of the NLL) at the same batch, at batch 1 and 64 on the tiny Llama (float32,
 * LoRA r=8 on q/v, questions repeated 16× so that activations dominate: ~170 tokens). RSS is sampled continuously on
 * a second thread; each operation runs twice and the second run counts, its peak taken above the RSS just before it
 * after {@code malloc_trim} (so pages the allocator kept from earlier operations neither hide nor inflate it). Bound:
 * with the default automatic chunks
 * the predictive's peak ≤ 1.5 × the training step's + 8 MiB (allocator granularity; batch 1 needs almost nothing);
 * with the whole batch forced into one chunk ≤ 2× + 8 MiB (measured 1.64×).
 */
class LaplaceMemoryTest {
    /**
     * Peak RSS while {@code op} runs above the RSS just before it, after {@code malloc_trim} handed freed pages back
     * to the OS (second of two runs): the operation's own working memory.
     */
    private static long peak(Runnable op) {
        long best = 0;
        for (int rep = 0; rep < 2; rep++) {
            System.gc();
            Pointer.trimMemory();
            long base = Pointer.physicalBytes();
            AtomicLong peak = new AtomicLong(base);
            AtomicBoolean done = new AtomicBoolean();
            Thread sampler = new Thread(() -> {
                while (!done.get()) {
                    peak.accumulateAndGet(Pointer.physicalBytes(), Math::max);
                    Thread.onSpinWait();
                }
            });
            sampler.start();
            op.run();
            done.set(true);
            try {
                sampler.join();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            best = peak.get() - base;
        }
        return best;
    }

    @Test
    void linearisedPredictiveStaysWithinOneAndAHalfTrainingSteps() {
        try (CausalLM model = CausalLM.load(Fixtures.model("tiny-llama"), TestDevices.device());
             HfTokenizer tok = HfTokenizer.load(Fixtures.model("tiny-llama"), TokenizerOptions.builder()
                     .addBosFromConfig().build());
             LoraAdapter adapter = LoraAdapter.create(model, LoraConfig.builder().rank(8).alpha(16).build(), 1)) {
            var data = ai.bayeslora.core.data.BundledData.syntheticMcqaDataset();
            AnswerScorer scorer = new AnswerScorer(model, AnswerTokens.of(tok, data.classLabels()),
                    ClassReduction.ANSWER_TOKENS);
            PromptTemplate longer = PromptTemplate.builder().questionFormat("{question}".repeat(16))
                    .build();
            McqaBatcher batcher = new McqaBatcher(tok, longer, McqaBatcher.Config.forTokenizer(tok));
            try (LaplacePosterior la = LaplaceLoRA.fit(scorer, adapter, batcher.batches(data.limit(16), 8))
                    .structure(Structure.KFAC).run()) {
                for (int b : new int[] {64, 1}) {
                    EncodedBatch batch = batcher.encode(data.examples().subList(0, b));
                    long train = peak(() -> {
                        try (PointerScope s = new PointerScope()) {
                            Tensor logp = scorer.logProbs(batch, adapter.binding());
                            Tensor loss = torch.nll_loss(logp, batch.labelsTensor());
                            loss.backward();
                        }
                        adapter.parameters().forEach(p -> p.grad().zero_());
                    });
                    long oneChunk = peak(() -> la.linearized(scorer,
                            LinearizedPredictive.Options.defaults().withChunkSize(b)).gaussian(batch));
                    long auto = peak(() -> la.linearized(scorer).gaussian(batch));
                    System.out.printf(Locale.ROOT, "batch %d (L=%d): training step +%.1f MiB, linearised predictive "
                            + "+%.1f MiB (one chunk), +%.1f MiB (auto chunk %d)%n", b, batch.length(), train / 1048576.0,
                            oneChunk / 1048576.0, auto / 1048576.0, la.linearized(scorer).chunkSize(batch));
                    for (int ch : new int[] {16, 4}) {
                        long m = peak(() -> la.linearized(scorer,
                                LinearizedPredictive.Options.defaults().withChunkSize(ch)).gaussian(batch));
                        System.out.printf(Locale.ROOT, "  chunk %d: +%.1f MiB%n", ch, m / 1048576.0);
                    }
                    // the default (automatic chunks of at most half the batch) stays within 1.5 training steps;
                    // forcing the whole batch into one chunk costs ~1.6× (the graph is kept through C backward passes)
                    assertThat(auto).as("batch %d auto", b).isLessThanOrEqualTo((long) (1.5 * train) + (8L << 20));
                    assertThat(oneChunk).as("batch %d one chunk", b).isLessThanOrEqualTo((long) (2.0 * train) + (8L << 20));
                }
            }
        }
    }
}
