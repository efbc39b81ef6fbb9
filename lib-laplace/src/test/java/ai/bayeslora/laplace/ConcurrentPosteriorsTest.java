package ai.bayeslora.laplace;

import ai.bayeslora.lora.TestAdapters;
import ai.bayeslora.core.testing.TestDevices;
import static org.assertj.core.api.Assertions.assertThat;

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
import ai.bayeslora.lora.ensemble.EnsembleInference;
import ai.bayeslora.lora.ensemble.EnsembleOptions;
import ai.bayeslora.lora.ensemble.LoraEnsemble;
import ai.bayeslora.lora.mcdropout.McDropoutPredictive;
import ai.bayeslora.lora.swag.SwagCollector;
import ai.bayeslora.lora.swag.SwagConfig;
import ai.bayeslora.lora.swag.SwagPosterior;
import ai.bayeslora.uncertainty.PosteriorPredictive;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.bytedeco.javacpp.PointerScope;
import org.bytedeco.pytorch.NoGradGuard;
import org.bytedeco.pytorch.Scalar;
import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.global.torch;
import org.junit.jupiter.api.Test;

/**
 * One loaded model, many posteriors of every kind on it, called from 8 threads at once, interleaved: every result
 * must equal, bit for bit, the result of the same call made alone beforehand (CPU; every call's arithmetic is the
 * same whatever runs beside it, since no call changes the model, an adapter or a global generator). Kinds: a batched
 * ensemble of 3, a sequential ensemble of 2, a single adapter (ensemble of 1), SWAG, MC dropout with a seed, Laplace
 * K-FAC linearised and sampled, and the Laplace predictive rescored for a 3-class set.
 */
class ConcurrentPosteriorsTest {
    private static final int THREADS = 8;
    private static final int CALLS_PER_THREAD = 24;

    private static LoraAdapter adapter(CausalLM model, LoraConfig cfg, long seed) {
        return TestAdapters.uniform(model, cfg, seed, seed, 0.1);
    }

    @Test
    @SuppressWarnings("try")
    void everyPosteriorGivesItsSequentialResultFromEightThreads() throws Exception {
        List<AutoCloseable> open = new ArrayList<>();
        try (CausalLM model = CausalLM.load(Fixtures.model("tiny-llama"), TestDevices.device());
             HfTokenizer tok = HfTokenizer.load(Fixtures.model("tiny-llama"), TokenizerOptions.builder()
                     .addBosFromConfig().build())) {
            McqaDataset data = BundledData.syntheticMcqaDataset();
            McqaBatcher batcher = McqaBatcher.forTokenizer(tok);
            AnswerTokens answers = AnswerTokens.of(tok, data.classLabels());
            AnswerScorer scorer = new AnswerScorer(model, answers, ClassReduction.ANSWER_TOKENS);
            LoraConfig qv = LoraConfig.builder().rank(4).alpha(8).targetModules("q_proj", "v_proj").build();
            LoraConfig qvDrop = LoraConfig.builder().rank(4).alpha(8).dropout(0.2).targetModules("q_proj", "v_proj")
                    .build();

            Map<String, PosteriorPredictive> posteriors = new LinkedHashMap<>();
            LoraEnsemble.Builder e3 = LoraEnsemble.builder(model, answers).options(EnsembleOptions.builder()
                    .inference(EnsembleInference.BATCHED).build());
            for (long s = 1; s <= 3; s++) {
                e3.member(adapter(model, qv, s), s);
            }
            LoraEnsemble ens3 = e3.build();
            open.add(ens3);
            posteriors.put("ensemble batched M=3", ens3);
            LoraEnsemble ens2 = LoraEnsemble.builder(model, answers).options(EnsembleOptions.builder()
                    .inference(EnsembleInference.SEQUENTIAL).build())
                    .member(adapter(model, qv, 11), 11).member(adapter(model, qv, 12), 12).build();
            open.add(ens2);
            posteriors.put("ensemble sequential M=2", ens2);
            LoraEnsemble single = LoraEnsemble.builder(model, answers).member(adapter(model, qv, 21), 21).build();
            open.add(single);
            posteriors.put("single adapter", single);

            LoraAdapter dropAdapter = adapter(model, qvDrop, 31);
            open.add(dropAdapter);
            posteriors.put("mc dropout", new McDropoutPredictive(dropAdapter, scorer, 4, 5));
            SwagPosterior swag;
            try (SwagCollector c = new SwagCollector(SwagConfig.defaults()); PointerScope s = new PointerScope();
                 NoGradGuard g = new NoGradGuard()) {
                torch.manual_seed(3);
                for (int i = 0; i < 6; i++) {
                    for (Tensor p : dropAdapter.parameters()) {
                        p.add_(torch.randn_like(p).mul(new Scalar(0.02)));
                    }
                    c.collect(dropAdapter);
                }
                swag = c.posterior();
            }
            open.add(swag);
            posteriors.put("swag", swag.predictive(dropAdapter, scorer, 4, 9));

            LoraAdapter laAdapter = adapter(model, qv, 41);
            open.add(laAdapter);
            List<EncodedBatch> fitData = new ArrayList<>();
            for (int i = 0; i < 16; i += 8) {
                fitData.add(batcher.encode(data.examples().subList(i, i + 8)));
            }
            LaplacePosterior la = LaplaceLoRA.fit(scorer, laAdapter, fitData).structure(Structure.KFAC).run();
            open.add(la);
            posteriors.put("laplace linearised", la.linearized(scorer));
            SampledPredictive sampled = la.sampled(scorer, 3, 7);
            open.add(sampled);
            posteriors.put("laplace sampled", sampled);
            posteriors.put("laplace rescored to A-C", la.linearized(scorer)
                    .rescored(AnswerTokens.of(tok, List.of("A", "B", "C")), ClassReduction.ANSWER_TOKENS));

            List<EncodedBatch> batches = new ArrayList<>();
            for (int i = 20; i < 44; i += 6) {
                batches.add(batcher.encode(data.examples().subList(i, i + 6)));
            }
            List<String> names = new ArrayList<>(posteriors.keySet());
            Map<String, double[]> expected = new LinkedHashMap<>();
            for (String n : names) {
                for (int b = 0; b < batches.size(); b++) {
                    expected.put(n + " #" + b, posteriors.get(n).predict(batches.get(b)).toArray());
                }
            }

            for (int round = 0; round < 2; round++) {
                ExecutorService pool = Executors.newFixedThreadPool(THREADS);
                try {
                    List<Future<List<String>>> futures = new ArrayList<>();
                    for (int t = 0; t < THREADS; t++) {
                        long seed = 100L * round + t;
                        Callable<List<String>> task = () -> {
                            SplittableRandom rng = new SplittableRandom(seed);
                            List<String> wrong = new ArrayList<>();
                            for (int i = 0; i < CALLS_PER_THREAD; i++) {
                                String n = names.get(rng.nextInt(names.size()));
                                int b = rng.nextInt(batches.size());
                                double[] got = posteriors.get(n).predict(batches.get(b)).toArray();
                                if (!java.util.Arrays.equals(got, expected.get(n + " #" + b))) {
                                    wrong.add(n + " #" + b);
                                }
                            }
                            return wrong;
                        };
                        futures.add(pool.submit(task));
                    }
                    List<String> wrong = new ArrayList<>();
                    for (Future<List<String>> f : futures) {
                        wrong.addAll(f.get());
                    }
                    assertThat(wrong).as("round %d: results that differ from the sequential ones", round).isEmpty();
                } finally {
                    pool.shutdownNow();
                }
            }
        } finally {
            for (int i = open.size() - 1; i >= 0; i--) {
                open.get(i).close();
            }
        }
    }
}
