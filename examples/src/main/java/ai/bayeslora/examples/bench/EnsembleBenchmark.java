package ai.bayeslora.examples.bench;

import ai.bayeslora.core.NativeScope;
import ai.bayeslora.core.ComputeDevice;
import ai.bayeslora.core.data.EncodedBatch;
import ai.bayeslora.core.mcqa.AnswerScorer;
import ai.bayeslora.core.mcqa.ClassReduction;
import ai.bayeslora.core.model.ActivationMemory;
import ai.bayeslora.core.model.CausalLM;
import ai.bayeslora.core.model.ModelConfig;
import ai.bayeslora.core.model.RandomWeights;
import ai.bayeslora.core.text.AnswerTokens;
import ai.bayeslora.lora.LoraAdapter;
import ai.bayeslora.lora.LoraConfig;
import ai.bayeslora.lora.ensemble.EnsembleInference;
import ai.bayeslora.lora.ensemble.EnsembleOptions;
import ai.bayeslora.lora.ensemble.LoraEnsemble;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.stream.IntStream;
import org.bytedeco.pytorch.NoGradGuard;
import org.bytedeco.pytorch.global.torch;

/**
 * LoRA ensemble inference on the random ~110M Llama of {@link ForwardBenchmark} (LoRA r=8 on q_proj and v_proj):
 * one member alone, M members sequentially (peft's way), M members batched (one forward over M·B rows), batched under
 * a row budget, and prefix sharing with adapters on the top half of the layers. All read the last-token logits at the
 * answer ids (lastTokenHidden, then lm_head rows), the real inference path.
 *
 * <p>Timing rounds interleave the modes so that load from other processes spreads evenly; the table gives the fastest
 * and the mean round per mode, and ratios of the fastest. Peak memory is measured in a separate first pass, smallest
 * configuration first, with the allocator trimmed and the resident set sampled every millisecond.
 */
public final class EnsembleBenchmark {
    private final AnswerTokens answers;
    private final int members;
    private final int batch;
    private final int length;
    private final int rounds;
    private final int layers;
    private final int rowBudget;
    private final BenchDevice device;
    private final ModelConfig shape;

    /**
     * @param answers the answer tokens to read (ids below the model's vocabulary)
     * @param rowBudget rows per forward pass for the budgeted batched mode
     */
    public EnsembleBenchmark(AnswerTokens answers, int members, int batch, int length, int rounds, int layers,
                             int rowBudget) {
        this(answers, members, batch, length, rounds, rowBudget, BenchDevice.cpu(), ForwardBenchmark.config(layers));
    }

    /**
     * @param device where to run (timings synchronised, memory from the device)
     * @param shape the model's config ({@link BenchDevice#shape})
     */
    public EnsembleBenchmark(AnswerTokens answers, int members, int batch, int length, int rounds, int rowBudget,
                             BenchDevice device, ModelConfig shape) {
        this.device = device;
        this.shape = shape;
        int layers = shape.numLayers();
        this.answers = answers;
        this.members = members;
        this.batch = batch;
        this.length = length;
        this.rounds = rounds;
        this.layers = layers;
        this.rowBudget = rowBudget;
    }

    /** One timed configuration: a name and the work of one batch. */
    private record Mode(String name, Runnable work) {
    }

    public BenchReport run() {
        ModelConfig c = shape;
        BenchReport report = new BenchReport("ensemble")
                .env("torch_threads", torch.get_num_threads())
                .env("device", device.device().toString())
                .env("model", c.architecture().modelType() + " hidden " + c.hiddenSize() + ", " + layers + " layers, "
                        + c.numHeads() + " heads, mlp " + c.intermediateSize() + ", vocab " + c.vocabSize())
                .env("parameters", c.parameterCount())
                .env("lora", "r=8, alpha=16, q_proj+v_proj")
                .env("members", members).env("batch", batch).env("length", length).env("rounds", rounds)
                .env("row_budget", rowBudget).env("classes", answers.labels())
                .env("loadavg_start", loadAverage());
        long rssStart = device.inUse();
        try (CausalLM model = CausalLM.build(c, new RandomWeights(c, 0.02, 0), device.device())) {
            long rssModel = device.inUse();
            LoraConfig all = LoraConfig.builder().rank(8).alpha(16).targetModules("q_proj", "v_proj").build();
            LoraConfig top = LoraConfig.builder().rank(8).alpha(16)
                    .targetModules("q_proj", "v_proj")
                    .layersToTransform(IntStream.range(layers / 2, layers).boxed().toList()).build();
            EncodedBatch encoded = randomBatch(c.vocabSize());
            try (LoraAdapter single = randomAdapter(model, all, 100);
                 LoraEnsemble ens = ensemble(model, all, 0);
                 LoraEnsemble topEns = ensemble(model, top, 50)) {
                long adapterBytes = 4 * single.parameterCount();
                long rssAdapters = device.inUse();
                AnswerScorer scorer = new AnswerScorer(model, answers, ClassReduction.ANSWER_TOKENS);
                EnsembleOptions batched = EnsembleOptions.builder().prefixSharing(false).build();
                List<Mode> modes = List.of(
                        new Mode("single member (attach + AnswerScorer)", () -> single(single, scorer, encoded)),
                        new Mode("sequential M=" + members, () -> ens.predict(encoded,
                                batched.toBuilder().inference(EnsembleInference.SEQUENTIAL).build())),
                        new Mode("batched M=" + members + ", row budget " + rowBudget, () -> ens.predict(
                                encoded, batched.toBuilder().maxRowsPerPass(rowBudget).build())),
                        new Mode("batched M=" + members, () -> ens.predict(encoded, batched)),
                        new Mode("top-half adapters, sequential", () -> topEns.predict(encoded,
                                batched.toBuilder().inference(EnsembleInference.SEQUENTIAL).build())),
                        new Mode("top-half adapters, batched, no sharing", () -> topEns.predict(encoded,
                                batched)),
                        new Mode("top-half adapters, batched, prefix shared (" + topEns.sharedPrefixLayers()
                                + " layers)", () -> topEns.predict(encoded, batched.toBuilder()
                                .prefixSharing(true).build())));
                Map<String, Long> peaks = new LinkedHashMap<>();
                for (Mode m : modes) { // memory pass, doubles as warm-up
                    peaks.put(m.name(), device.peakDuring(m.work()));
                }
                Map<String, double[]> times = new LinkedHashMap<>();
                modes.forEach(m -> times.put(m.name(), new double[rounds]));
                for (int r = 0; r < rounds; r++) {
                    for (Mode m : modes) {
                        times.get(m.name())[r] = device.seconds(m.work());
                    }
                }
                double singleMin = min(times.get(modes.get(0).name()));
                double seqMin = min(times.get(modes.get(1).name()));
                long singlePeak = peaks.get(modes.get(0).name());
                for (Mode m : modes) {
                    double[] t = times.get(m.name());
                    long peak = peaks.get(m.name());
                    report.row(BenchReport.ordered("mode", m.name(), "s/batch min", min(t), "s/batch mean", mean(t),
                            "x single", min(t) / singleMin, "x sequential", min(t) / seqMin,
                            "peak " + device.memoryName() + " MB", NativeMemory.mb(peak),
                            "peak / single peak", (double) peak / singlePeak));
                }
                double share = min(times.get(modes.get(6).name()));
                double noShare = min(times.get(modes.get(5).name()));
                report.summary("batched_vs_sequential_speedup", seqMin / min(times.get(modes.get(3).name())))
                        .summary("prefix_sharing_speedup", noShare / share)
                        .summary("rss_start_mb", NativeMemory.mb(rssStart))
                        .summary("rss_model_loaded_mb", NativeMemory.mb(rssModel))
                        .summary("rss_after_adapters_mb (1 + " + members + " + " + members + " top-half)",
                                NativeMemory.mb(rssAdapters))
                        .summary("adapter_mb_each", NativeMemory.mb(adapterBytes))
                        // the estimate that sizes CUDA passes against what one batched pass measured here
                        .summary("activation_mb_per_row measured (batched M, above the adapters)", NativeMemory.mb(
                                (peaks.get(modes.get(3).name()) - rssAdapters) / ((long) members * batch)))
                        .summary("activation_mb_per_row estimated (ActivationMemory)", NativeMemory.mb(
                                ActivationMemory.inferenceBytesPerRow(c, length, device.device().dtype().byteSize())))
                        .summary("note", "all adapters are resident during every mode, so 'peak / single peak' "
                                + "compares like with like (target for M members: <= 1.1)");
            }
        }
        report.env("loadavg_end", loadAverage());
        report.print();
        return report;
    }

    private LoraEnsemble ensemble(CausalLM model, LoraConfig config, long seedBase) {
        LoraEnsemble.Builder b = LoraEnsemble.builder(model, answers);
        for (int m = 0; m < members; m++) {
            b.member(randomAdapter(model, config, seedBase + m), seedBase + m);
        }
        return b.build();
    }

    /** An adapter with small random A and B (B ≠ 0, as after training). */
    @SuppressWarnings("try")
    static LoraAdapter randomAdapter(CausalLM model, LoraConfig config, long seed) {
        LoraAdapter a = LoraAdapter.create(model, config, seed);
        SplittableRandom rng = new SplittableRandom(seed);
        double[] theta = new double[(int) a.parameterCount()];
        for (int i = 0; i < theta.length; i++) {
            theta[i] = (rng.nextDouble() * 2 - 1) * 0.02;
        }
        try (NativeScope s = NativeScope.open()) {
            a.assign(theta);
        }
        return a;
    }

    @SuppressWarnings("try")
    private static void single(LoraAdapter adapter, AnswerScorer scorer, EncodedBatch batch) {
        try (NativeScope s = NativeScope.open(); NoGradGuard g = new NoGradGuard()) {
            ai.bayeslora.core.Tensors.toDoubles(scorer.logProbs(batch, adapter.binding()));
        }
    }

    private EncodedBatch randomBatch(int vocab) {
        return randomBatch(vocab, batch, length, 7);
    }

    /** Random token ids, a few rows left-padded by length/8, as in real batches. */
    static EncodedBatch randomBatch(int vocab, int batch, int length, long seed) {
        SplittableRandom rng = new SplittableRandom(seed);
        long[] ids = new long[batch * length];
        long[] mask = new long[ids.length];
        long[] pos = new long[ids.length];
        for (int r = 0; r < batch; r++) {
            int pad = r % 4 == 3 ? length / 8 : 0; // a few left-padded rows, as in real batches
            for (int t = 0; t < length; t++) {
                int i = r * length + t;
                ids[i] = t < pad ? 0 : 3 + rng.nextInt(vocab - 3);
                mask[i] = t < pad ? 0 : 1;
                pos[i] = Math.max(0, t - pad);
            }
        }
        List<String> names = new ArrayList<>();
        IntStream.range(0, batch).forEach(r -> names.add("row-" + r));
        return new EncodedBatch(names, ids, mask, pos, new int[batch], batch, length, 0);
    }

    /** /proc/loadavg (other processes on the machine skew timings), or "n/a". */
    static String loadAverage() {
        try {
            return java.nio.file.Files.readString(java.nio.file.Path.of("/proc/loadavg")).trim();
        } catch (java.io.IOException | RuntimeException e) {
            return "n/a";
        }
    }

    private static double min(double[] t) {
        double m = Double.MAX_VALUE;
        for (double v : t) {
            m = Math.min(m, v);
        }
        return m;
    }

    private static double mean(double[] t) {
        double s = 0;
        for (double v : t) {
            s += v;
        }
        return s / t.length;
    }
}
