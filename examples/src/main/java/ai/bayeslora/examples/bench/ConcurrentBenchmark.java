package ai.bayeslora.examples.bench;

import ai.bayeslora.core.data.EncodedBatch;
import ai.bayeslora.core.model.CausalLM;
import ai.bayeslora.core.model.ModelConfig;
import ai.bayeslora.core.model.RandomWeights;
import ai.bayeslora.core.text.AnswerTokens;
import ai.bayeslora.lora.LoraAdapter;
import ai.bayeslora.lora.LoraConfig;
import ai.bayeslora.lora.ensemble.EnsembleOptions;
import ai.bayeslora.lora.ensemble.LoraEnsemble;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicInteger;
import org.bytedeco.pytorch.global.torch;

/**
 * Concurrent inference on one shared model, as a service answers requests: a batched LoRA ensemble on the random
 * ~110M Llama of {@link ForwardBenchmark}, {@code requests} predictions of one batch each, served by pools of 1, 2, 4
 * … threads that all share the one loaded model. Reports requests/s and the speed-up over one thread, measured in the
 * same run, and the peak resident set of each pool against one thread's: the weights are held once, so more threads
 * add only their activations.
 *
 * <p>Compute floor: requests/s cannot exceed (machine GEMM rate) / (FLOPs per request); with T threads on C cores the
 * speed-up over one thread is at most min(T, C) / (cores one request already uses). OpenBLAS already spreads one GEMM
 * over every core, so on a machine where one request saturates the cores, more threads overlap only the non-GEMM
 * work (elementwise ops, JNI overhead).
 */
public final class ConcurrentBenchmark {
    private final AnswerTokens answers;
    private final int members;
    private final int batch;
    private final int length;
    private final int layers;
    private final int requests;
    private final int[] threads;
    private final BenchDevice device;
    private final ModelConfig shape;

    /**
     * @param answers the answer tokens to read
     * @param members the ensemble size M
     * @param requests predictions per pool size
     * @param threads the pool sizes to measure, the first being the baseline (1)
     */
    public ConcurrentBenchmark(AnswerTokens answers, int members, int batch, int length, int layers, int requests,
                               int[] threads) {
        this(answers, members, batch, length, requests, threads, BenchDevice.cpu(), ForwardBenchmark.config(layers));
    }

    /**
     * @param device where to run (timings synchronised, memory from the device)
     * @param shape the model's config ({@link BenchDevice#shape})
     */
    public ConcurrentBenchmark(AnswerTokens answers, int members, int batch, int length, int requests, int[] threads,
                               BenchDevice device, ModelConfig shape) {
        this.answers = answers;
        this.members = members;
        this.batch = batch;
        this.length = length;
        this.layers = shape.numLayers();
        this.requests = requests;
        this.threads = threads.clone();
        this.device = device;
        this.shape = shape;
    }

    /** Runs every pool size; returns the report (printed). */
    public BenchReport run() throws Exception {
        ModelConfig c = shape;
        BenchReport report = new BenchReport("concurrent")
                .env("cores", Runtime.getRuntime().availableProcessors())
                .env("torch_threads", torch.get_num_threads())
                .env("device", device.device().toString()).env("memory", device.memoryName())
                .env("model", c.architecture().modelType() + " hidden " + c.hiddenSize() + ", " + layers
                        + " layers, vocab " + c.vocabSize() + ", " + device.device().dtype().hfName())
                .env("posterior", "LoRA ensemble M=" + members + " (batched), r=8 on q_proj+v_proj")
                .env("request", "predict(batch " + batch + " x " + length + ")").env("requests", requests)
                .env("loadavg_start", EnsembleBenchmark.loadAverage());
        double gemm = ForwardBenchmark.gemmFlops(1024, 20, device);
        // the decoder's linear layers dominate: 2 FLOPs per weight per row, M·B·L rows per request (no prefix is
        // shared: every layer is adapted); attention and the answer-token head are small next to them
        double linearPerRow = 2.0 * c.numLayers() * (4.0 * c.hiddenSize() * c.hiddenSize()
                + 3.0 * c.hiddenSize() * c.intermediateSize());
        double flopsPerRequest = linearPerRow * members * batch * length;
        long rssStart = device.inUse();
        try (CausalLM model = CausalLM.build(c, new RandomWeights(c, 0.02, 0), device.device())) {
            long rssModel = device.inUse();
            LoraConfig lora = LoraConfig.builder().rank(8).alpha(16).targetModules("q_proj", "v_proj").build();
            LoraEnsemble.Builder b = LoraEnsemble.builder(model, answers).options(EnsembleOptions.defaults());
            for (int m = 0; m < members; m++) {
                b.member(EnsembleBenchmark.randomAdapter(model, lora, 100 + m), 100 + m);
            }
            try (LoraEnsemble ensemble = b.build()) {
                List<EncodedBatch> batches = new ArrayList<>();
                for (int i = 0; i < 8; i++) {
                    batches.add(EnsembleBenchmark.randomBatch(c.vocabSize(), batch, length, 7 + i));
                }
                ensemble.predict(batches.get(0)); // warm-up
                double base = Double.NaN;
                long basePeak = 0;
                for (int t : threads) {
                    double[] seconds = new double[1];
                    long peak = device.peakDuring(() -> seconds[0] = device.seconds(() -> serve(ensemble, batches, t)));
                    double rate = requests / seconds[0];
                    if (Double.isNaN(base)) {
                        base = rate;
                        basePeak = peak;
                    }
                    report.row(BenchReport.ordered("threads", t, "requests/s", rate, "speed-up vs 1 thread", rate / base,
                            "GFLOP/s", rate * flopsPerRequest / 1e9, "vs GEMM 1024^3", rate * flopsPerRequest / gemm,
                            "peak memory MB", NativeMemory.mb(peak), "peak vs 1 thread", (double) peak / basePeak,
                            "peak above model MB", NativeMemory.mb(peak - rssModel)));
                }
                report.summary("model_rss_mb", NativeMemory.mb(rssModel - rssStart))
                        .summary("gemm_1024_gflops (" + device.device().dtype().hfName() + ")", gemm / 1e9)
                        .summary("floor_requests_per_s", gemm / flopsPerRequest)
                        .summary("note", "the floor is the machine's 1024^3 GEMM rate over the linear-layer FLOPs of one"
                                + " request; threads can only approach it, not pass it");
            }
        }
        report.env("loadavg_end", EnsembleBenchmark.loadAverage());
        report.print();
        return report;
    }

    /** Seconds for {@code requests} predictions on a pool of {@code threads}, each request one batch. */
    private double serve(LoraEnsemble ensemble, List<EncodedBatch> batches, int threads) {
        ExecutorService pool = Executors.newFixedThreadPool(threads);
        AtomicInteger next = new AtomicInteger();
        long t0 = System.nanoTime();
        try {
            List<Future<?>> done = new ArrayList<>();
            for (int i = 0; i < threads; i++) {
                done.add(pool.submit(() -> {
                    for (int r = next.getAndIncrement(); r < requests; r = next.getAndIncrement()) {
                        ensemble.predict(batches.get(r % batches.size()));
                    }
                }));
            }
            for (Future<?> f : done) {
                f.get();
            }
        } catch (Exception e) {
            throw new IllegalStateException("a request failed", e);
        } finally {
            pool.shutdownNow();
        }
        return (System.nanoTime() - t0) / 1e9;
    }
}
