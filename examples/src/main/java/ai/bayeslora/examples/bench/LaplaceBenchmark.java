package ai.bayeslora.examples.bench;

import ai.bayeslora.core.NativeScope;
import ai.bayeslora.core.Tensors;
import ai.bayeslora.core.data.EncodedBatch;
import ai.bayeslora.core.mcqa.AnswerScorer;
import ai.bayeslora.core.mcqa.ClassReduction;
import ai.bayeslora.core.model.CausalLM;
import ai.bayeslora.core.model.ModelConfig;
import ai.bayeslora.core.model.RandomWeights;
import ai.bayeslora.core.text.AnswerTokens;
import ai.bayeslora.core.text.TextTokenizer;
import ai.bayeslora.laplace.KfacPositions;
import ai.bayeslora.laplace.LaplaceLoRA;
import ai.bayeslora.laplace.LaplacePosterior;
import ai.bayeslora.laplace.LinearizedPredictive;
import ai.bayeslora.laplace.SampledPredictive;
import ai.bayeslora.laplace.Structure;
import ai.bayeslora.lora.LoraAdapter;
import ai.bayeslora.lora.LoraConfig;
import java.util.ArrayList;
import java.util.List;
import java.util.OptionalInt;
import java.util.SplittableRandom;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import org.bytedeco.pytorch.global.torch;

/**
 * Laplace-LoRA costs on the random ~110M Llama of {@link ForwardBenchmark} with LoRA r=8 (α=16) on q_proj and v_proj
 * (C = 4 answer tokens, random prompts of a fixed length): per batch, a training step (forward + backward of the NLL)
 * against the K-FAC fit (forward + C backward passes + factor updates); per prompt, the linearised predictive (forward
 * + C backward passes + Kronecker projections) and its peak memory against the training step's, and the weight-space
 * sampled predictive (S forwards). Times are means over the iterations after one warm-up. Memory is the peak RSS
 * during the timed iterations, sampled every ms on a second thread, above the RSS just before them after
 * {@code malloc_trim} returned the allocator's free pages to the OS: each operation's own working memory. On CUDA
 * ({@code --device cuda}) every timing synchronises with the device, and memory is the CUDA caching allocator's peak
 * of allocated bytes above what was allocated before; {@code --shape mistral7b} runs the 7B shape (GPU only).
 */
public final class LaplaceBenchmark {
    private final int batch;
    private final int length;
    private final int iterations;
    private final int layers;
    private final int samples;
    private final BenchDevice device;
    private final ModelConfig shape;
    private java.util.Set<String> fitVariants = java.util.Set.copyOf(VARIANTS);

    /** The fit variants, as {@link #fitVariants} names them. */
    public static final List<String> VARIANTS = List.of("kfac-expand", "kfac-last", "kfac-lowrank-last");

    /**
     * Measures only these fits (a 7B fit factorises 4096² float64 matrices per adapted module: one variant is enough
     * on a time budget).
     *
     * @param names a subset of {@link #VARIANTS}
     * @return this benchmark
     */
    public LaplaceBenchmark fitVariants(java.util.Collection<String> names) {
        for (String n : names) {
            if (!VARIANTS.contains(n)) {
                throw new IllegalArgumentException("unknown fit variant '" + n + "'; expected one of " + VARIANTS);
            }
        }
        this.fitVariants = java.util.Set.copyOf(names);
        return this;
    }

    private static String variantName(Structure st, KfacPositions pos) {
        return (st == Structure.KFAC ? "kfac" : "kfac-lowrank") + (pos == KfacPositions.EXPAND ? "-expand" : "-last");
    }

    /** The 110M shape on the CPU in float32. */
    public LaplaceBenchmark(int batch, int length, int iterations, int layers, int samples) {
        this(batch, length, iterations, samples, BenchDevice.cpu(), ForwardBenchmark.config(layers));
    }

    /**
     * @param device where to run (timings synchronised, memory from the device)
     * @param shape the model's config ({@link BenchDevice#shape})
     */
    public LaplaceBenchmark(int batch, int length, int iterations, int samples, BenchDevice device, ModelConfig shape) {
        this.batch = batch;
        this.length = length;
        this.iterations = iterations;
        this.layers = shape.numLayers();
        this.samples = samples;
        this.device = device;
        this.shape = shape;
    }

    /** A tokenizer stub: the answer labels A–D are the single tokens 10..13 of the random model. */
    private static final class LetterTokens implements TextTokenizer {
        @Override
        public int[] encode(String text) {
            return new int[] {10 + text.strip().charAt(0) - 'A'};
        }

        @Override
        public String decode(int[] ids) {
            return "";
        }

        @Override
        public int vocabSize() {
            return 32000;
        }

        @Override
        public OptionalInt padId() {
            return OptionalInt.of(0);
        }

        @Override
        public OptionalInt bosId() {
            return OptionalInt.empty();
        }

        @Override
        public OptionalInt tokenId(String token) {
            return OptionalInt.empty();
        }
    }

    private EncodedBatch randomBatch(SplittableRandom rng, int rows, int id) {
        return randomBatch(rng, rows, length, id);
    }

    private static EncodedBatch randomBatch(SplittableRandom rng, int rows, int length, int id) {
        long[] ids = new long[rows * length];
        long[] mask = new long[rows * length];
        long[] pos = new long[rows * length];
        int[] labels = new int[rows];
        List<String> names = new ArrayList<>();
        for (int r = 0; r < rows; r++) {
            for (int t = 0; t < length; t++) {
                ids[r * length + t] = 100 + rng.nextInt(31000);
                mask[r * length + t] = 1;
                pos[r * length + t] = t;
            }
            labels[r] = rng.nextInt(4);
            names.add("b" + id + "r" + r);
        }
        return new EncodedBatch(names, ids, mask, pos, labels, rows, length, 0);
    }

    /** Mean seconds of {@code op} over the iterations (after one warm-up) and its peak RSS increase. */
    private double[] measure(Runnable op) {
        return measure(op, true, iterations);
    }

    private double[] measure(Runnable op, boolean warmUp, int iterations) {
        if (warmUp) {
            op.run();
        }
        if (device.cuda()) {
            // CUDA: the caching allocator's peak of allocated bytes above what is allocated before the iterations
            long before = device.inUse();
            double[] sec = new double[1];
            long peak = device.peakDuring(() -> sec[0] = device.seconds(() -> {
                for (int i = 0; i < iterations; i++) {
                    op.run();
                }
            }) / iterations);
            return new double[] {sec[0], NativeMemory.mb(peak - before)};
        }
        // hand freed pages back to the OS (malloc_trim), so the peak above this baseline is this operation's own need
        System.gc();
        org.bytedeco.javacpp.Pointer.trimMemory();
        long base = NativeMemory.rss();
        AtomicLong peak = new AtomicLong(base);
        AtomicBoolean done = new AtomicBoolean();
        Thread sampler = new Thread(() -> {
            while (!done.get()) {
                peak.accumulateAndGet(NativeMemory.rss(), Math::max);
                try {
                    Thread.sleep(1);
                } catch (InterruptedException e) {
                    return;
                }
            }
        });
        sampler.setDaemon(true);
        sampler.start();
        long t0 = System.nanoTime();
        for (int i = 0; i < iterations; i++) {
            op.run();
        }
        double sec = (System.nanoTime() - t0) / 1e9 / iterations;
        done.set(true);
        try {
            sampler.join();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        return new double[] {sec, NativeMemory.mb(peak.get() - base)};
    }

    private static void fit(AnswerScorer scorer, LoraAdapter adapter, List<EncodedBatch> data, Structure st,
                            KfacPositions pos) {
        try (LaplacePosterior la = LaplaceLoRA.fit(scorer, adapter, data).structure(st).positions(pos).rank(10)
                .lowRankThreshold(100).run()) {
            la.logMarginalLikelihood();
        }
    }

    public BenchReport run() {
        ModelConfig c = shape;
        BenchReport report = new BenchReport("laplace")
                .env("torch_threads", torch.get_num_threads())
                .env("device", device.device().toString()).env("memory", device.memoryName())
                .env("model", "random " + c.architecture().modelType() + " hidden " + c.hiddenSize() + ", " + layers
                        + " layers, vocab " + c.vocabSize() + ", " + device.device().dtype().hfName())
                .env("lora", "r=8, alpha=16, q_proj + v_proj").env("classes", 4)
                .env("batch", batch).env("length", length).env("iterations", iterations).env("samples", samples);
        SplittableRandom rng = new SplittableRandom(0);
        try (CausalLM model = CausalLM.build(c, new RandomWeights(c, 0.02, 0), device.device());
             LoraAdapter adapter = LoraAdapter.create(model, LoraConfig.builder().rank(8).alpha(16).build(), 1)) {
            double[] theta = new double[(int) adapter.parameterCount()];
            for (int i = 0; i < theta.length; i++) {
                theta[i] = 0.02 * (rng.nextDouble() * 2 - 1); // B ≠ 0, as after training
            }
            try (NativeScope s = NativeScope.open()) {
                adapter.assign(Tensors.ofDoubles(theta, theta.length));
            }
            report.env("lora_parameters", adapter.parameterCount());
            AnswerScorer scorer = new AnswerScorer(model, AnswerTokens.of(new LetterTokens(), List.of("A", "B", "C", "D")),
                    ClassReduction.ANSWER_TOKENS);
            EncodedBatch train = randomBatch(rng, batch, 0);
            double[] step = measure(() -> {
                try (NativeScope s = NativeScope.open()) {
                    torch.nll_loss(scorer.logProbs(train, adapter.binding()), train.labelsTensor()).backward();
                }
                adapter.parameters().forEach(p -> p.grad().zero_());
            });
            report.row(BenchReport.ordered("operation", "training step (fwd+bwd)", "unit", "batch",
                    "seconds", step[0], "ratio vs training step", 1.0, "peak MiB", step[1]));
            // the predictive's posterior comes from a short fit, so that the fits' memory does not hide its own peak
            try (LaplacePosterior la = LaplaceLoRA.fit(scorer, adapter, List.of(randomBatch(rng, 2, 16, 1)))
                    .structure(Structure.KFAC).run()) {
                EncodedBatch test = randomBatch(rng, batch, 2);
                LinearizedPredictive lin = la.linearized(scorer);
                double[] glm = measure(() -> lin.gaussian(test));
                report.row(BenchReport.ordered("operation", "linearised predictive (chunk " + lin.chunkSize(test) + ")",
                        "unit", "prompt", "seconds", glm[0] / batch, "ratio vs training step", glm[0] / step[0],
                        "peak MiB", glm[1]));
                LinearizedPredictive one = la.linearized(scorer, LinearizedPredictive.Options.defaults().withChunkSize(1));
                double[] glm1 = measure(() -> one.gaussian(test));
                report.row(BenchReport.ordered("operation", "linearised predictive (chunk 1)", "unit", "prompt",
                        "seconds", glm1[0] / batch, "ratio vs training step", glm1[0] / step[0],
                        "peak MiB", glm1[1]));
                try (SampledPredictive sp = la.sampled(scorer, samples, 0)) {
                    double[] smp = measure(() -> sp.predict(test));
                    report.row(BenchReport.ordered("operation", "sampled predictive (S=" + samples + ")", "unit",
                            "prompt", "seconds", smp[0] / batch, "ratio vs training step", smp[0] / step[0],
                            "peak MiB", smp[1]));
                    report.summary("sampled_vs_linearised_time", smp[0] / glm[0]);
                }
                report.summary("linearised_peak_vs_training_step_peak", glm[1] / Math.max(step[1], 1e-9));
            }
            // fits: one batch (accumulation + eigendecompositions) and three batches; half the difference is the cost
            // of one more batch, the rest the one-off factorisation
            EncodedBatch second = randomBatch(rng, batch, 3);
            EncodedBatch third = randomBatch(rng, batch, 4);
            for (Object[] variant : new Object[][] {{Structure.KFAC, KfacPositions.EXPAND},
                {Structure.KFAC, KfacPositions.LAST_TOKEN}, {Structure.KFAC_LOWRANK, KfacPositions.LAST_TOKEN}}) {
                Structure st = (Structure) variant[0];
                KfacPositions pos = (KfacPositions) variant[1];
                String name = st.cliName() + " " + pos.name().toLowerCase(java.util.Locale.ROOT);
                if (!fitVariants.contains(variantName(st, pos))) {
                    continue;
                }
                double[] t1 = measure(() -> fit(scorer, adapter, List.of(train), st, pos), false, 1);
                double[] t2 = measure(() -> fit(scorer, adapter, List.of(train, second, third), st, pos), false, 1);
                double perBatch = (t2[0] - t1[0]) / 2;
                report.row(BenchReport.ordered("operation", "fit " + name + ": per batch", "unit", "batch",
                        "seconds", perBatch, "ratio vs training step", perBatch / step[0],
                        "peak MiB", t2[1]));
                report.row(BenchReport.ordered("operation", "fit " + name + ": once (factorise, evidence)", "unit",
                        "fit", "seconds", t1[0] - perBatch, "ratio vs training step", (t1[0] - perBatch) / step[0],
                        "peak MiB", t1[1]));
            }
            report.summary("process_peak_rss_mb (VmHWM)", NativeMemory.mb(NativeMemory.peakRss()));
            if (device.cuda()) {
                report.summary("cuda_peak_allocated_mb", NativeMemory.mb(ai.bayeslora.core.CudaMemory
                        .peakAllocatedBytes(device.device().index())));
            }
        }
        report.print();
        return report;
    }

}
