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
import ai.bayeslora.laplace.FisherEstimate;
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
 * Laplace-LoRA costs in units of a training step, measured interleaved (docs/BENCHMARKS.md, "Laplace-LoRA"): every
 * repetition times a training step (forward + backward of the NLL on the same batch) right before each operation, so
 * each operation's ratio comes from two timings a moment apart; the table reports the median ratio over the
 * repetitions with its min–max. Fits are timed from the fit's own clock ({@code LaplacePosterior.fitTimings}): the
 * passes per batch, and the one-off factorisation plus the evidence and λ tuning (K-FAC's eigenvectors are deferred
 * to the first predictive and timed apart). The compute floor of each operation is derived from the measured forward
 * share of the step: a fit costs one forward and one backward pass per root of the output curvature (C − 1 for the
 * exact Fisher, S for an S-sample one), a linearised predictive one forward and C backward passes per prompt.
 *
 * <p>Laplace-LoRA costs on the random ~110M Llama of {@link ForwardBenchmark} with LoRA r=8 (α=16) on q_proj and v_proj
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
    public static final List<String> VARIANTS = List.of("kfac-expand", "kfac-last", "kfac-reduce",
            "kfac-lowrank-expand", "kfac-lowrank-last", "kfac-expand-mc1", "kfac-expand-mc2");

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

    /** The fit variants, as {@link #fitVariants} names them. */
    private static Object[] variant(String name) {
        switch (name) {
            case "kfac-expand": return new Object[] {Structure.KFAC, KfacPositions.EXPAND, FisherEstimate.EXACT, 1};
            case "kfac-last": return new Object[] {Structure.KFAC, KfacPositions.LAST_TOKEN, FisherEstimate.EXACT, 1};
            case "kfac-reduce": return new Object[] {Structure.KFAC, KfacPositions.REDUCE, FisherEstimate.EXACT, 1};
            case "kfac-lowrank-expand":
                return new Object[] {Structure.KFAC_LOWRANK, KfacPositions.EXPAND, FisherEstimate.EXACT, 1};
            case "kfac-lowrank-last":
                return new Object[] {Structure.KFAC_LOWRANK, KfacPositions.LAST_TOKEN, FisherEstimate.EXACT, 1};
            case "kfac-expand-mc1":
                return new Object[] {Structure.KFAC, KfacPositions.EXPAND, FisherEstimate.MC_SAMPLED, 1};
            case "kfac-expand-mc2":
                return new Object[] {Structure.KFAC, KfacPositions.EXPAND, FisherEstimate.MC_SAMPLED, 2};
            default: throw new IllegalArgumentException("unknown fit variant '" + name + "'; expected one of "
                    + VARIANTS);
        }
    }

    private static LaplacePosterior fit(AnswerScorer scorer, LoraAdapter adapter, List<EncodedBatch> data,
                                        Object[] v, long seed) {
        return LaplaceLoRA.fit(scorer, adapter, data).structure((Structure) v[0]).positions((KfacPositions) v[1])
                .fisher((FisherEstimate) v[2]).mcSamples((Integer) v[3]).seed(seed).rank(10).lowRankThreshold(100)
                .run();
    }

    /** Ratios of one operation to the step timed just before it, over the repetitions. */
    private static final class Ratios {
        final List<Double> ratio = new ArrayList<>();
        final List<Double> seconds = new ArrayList<>();

        void add(double op, double step) {
            ratio.add(op / step);
            seconds.add(op);
        }

        static double median(List<Double> v) {
            List<Double> s = new ArrayList<>(v);
            java.util.Collections.sort(s);
            int n = s.size();
            return n % 2 == 1 ? s.get(n / 2) : (s.get(n / 2 - 1) + s.get(n / 2)) / 2;
        }

        double median() {
            return median(ratio);
        }

        double min() {
            return ratio.stream().mapToDouble(Double::doubleValue).min().orElse(Double.NaN);
        }

        double max() {
            return ratio.stream().mapToDouble(Double::doubleValue).max().orElse(Double.NaN);
        }
    }

    private double time(Runnable op) {
        return device.seconds(op);
    }

    private final java.util.Map<String, Ratios> results = new java.util.LinkedHashMap<>();

    private Ratios ratios(String name) {
        return results.computeIfAbsent(name, k -> new Ratios());
    }

    public BenchReport run() {
        ModelConfig c = shape;
        int reps = Math.max(1, iterations);
        BenchReport report = new BenchReport("laplace")
                .env("torch_threads", torch.get_num_threads())
                .env("device", device.device().toString()).env("memory", device.memoryName())
                .env("model", "random " + c.architecture().modelType() + " hidden " + c.hiddenSize() + ", " + layers
                        + " layers, vocab " + c.vocabSize() + ", " + device.device().dtype().hfName())
                .env("lora", "r=8, alpha=16, q_proj + v_proj").env("classes", 4)
                .env("batch", batch).env("length", length).env("repetitions", reps).env("samples", samples)
                .env("method", "each operation timed right after a training step on the same batch, " + reps
                        + " repetitions after a warm-up; ratio = operation / that step; median [min, max]");
        SplittableRandom rng = new SplittableRandom(0);
        try (CausalLM model = CausalLM.build(c, new RandomWeights(c, 0.02, 0), device.device());
             LoraAdapter adapter = LoraAdapter.create(model, LoraConfig.builder().rank(8).alpha(16).build(), 1)) {
            double[] theta = new double[(int) adapter.parameterCount()];
            for (int i = 0; i < theta.length; i++) {
                theta[i] = 0.02 * (rng.nextDouble() * 2 - 1); // B ≠ 0, as after training
            }
            try (NativeScope s = NativeScope.open()) {
                adapter.assign(theta);
            }
            report.env("lora_parameters", adapter.parameterCount());
            AnswerScorer scorer = new AnswerScorer(model, AnswerTokens.of(new LetterTokens(), List.of("A", "B", "C", "D")),
                    ClassReduction.ANSWER_TOKENS);
            int classes = 4;
            EncodedBatch train = randomBatch(rng, batch, 0);
            EncodedBatch second = randomBatch(rng, batch, 3);
            EncodedBatch test = randomBatch(rng, batch, 2);
            Runnable step = () -> {
                try (NativeScope s = NativeScope.open()) {
                    torch.nll_loss(scorer.logProbs(train, adapter.binding()), train.labelsTensor()).backward();
                }
                adapter.parameters().forEach(p -> p.grad().zero_());
            };
            Runnable forward = () -> NativeScope.noGrad(() -> {
                Tensors.toDoubles(scorer.logProbs(train, adapter.binding()));
                return null;
            });
            // the predictive's posterior comes from a short fit, with its eigenvectors computed before timing
            try (LaplacePosterior la = LaplaceLoRA.fit(scorer, adapter, List.of(randomBatch(rng, 2, 16, 1)))
                    .structure(Structure.KFAC).run()) {
                la.prepareForPrediction();
                LinearizedPredictive lin = la.linearized(scorer);
                LinearizedPredictive one = la.linearized(scorer,
                        LinearizedPredictive.Options.defaults().withChunkSize(1));
                int chunk = lin.chunkSize(test);
                try (SampledPredictive sp = la.sampled(scorer, samples, 0)) {
                    // warm-up, then the interleaved repetitions
                    step.run();
                    forward.run();
                    lin.gaussian(test);
                    for (int r = 0; r < reps; r++) {
                        ratios("forward (no gradient)").add(time(forward), time(step));
                        ratios("linearised predictive (chunk " + chunk + ")").add(time(() -> lin.gaussian(test)),
                                time(step));
                        ratios("linearised predictive (chunk 1)").add(time(() -> one.gaussian(test)), time(step));
                        ratios("sampled predictive (S=" + samples + ")").add(time(() -> sp.predict(test)),
                                time(step));
                    }
                }
                double[] stepMem = measure(step, false, 1);
                double[] glmMem = measure(() -> lin.gaussian(test), false, 1);
                report.summary("linearised_peak_vs_training_step_peak", glmMem[1] / Math.max(stepMem[1], 1e-9));
                report.summary("training_step_peak_mib", stepMem[1]);
                report.summary("linearised_predictive_peak_mib", glmMem[1]);
            }
            // fits over two batches: the passes per batch and the one-off work, from the fit's own clock
            for (String name : VARIANTS) {
                if (!fitVariants.contains(name)) {
                    continue;
                }
                Object[] v = variant(name);
                for (int r = 0; r <= reps; r++) { // r = 0 is the warm-up
                    double st = time(step);
                    double[] t = new double[3];
                    try (LaplacePosterior la = fit(scorer, adapter, List.of(train, second), v, r)) {
                        LaplacePosterior.FitTimings ft = la.fitTimings().orElseThrow();
                        long t0 = System.nanoTime();
                        la.tunePriorPrecision();
                        la.logMarginalLikelihood();
                        double tune = (System.nanoTime() - t0) / 1e9;
                        double st2 = time(step);
                        t[0] = ft.passSeconds() / ft.batches();
                        t[1] = ft.finishSeconds() + tune;
                        t[2] = time(la::prepareForPrediction);
                        if (r > 0) {
                            ratios("fit " + name + ": per batch").add(t[0], st);
                            ratios("fit " + name + ": once (factorise, evidence, tune λ)").add(t[1], st2);
                            ratios("fit " + name + ": eigenvectors (at first predictive)").add(t[2], st2);
                        }
                    }
                }
            }
            mcDistance(report, scorer, adapter, List.of(train, second), test, reps);
            // compute floors from the measured forward share f of a step (step = forward + backward)
            double f = ratios("forward (no gradient)").median();
            double b = 1 - f;
            for (java.util.Map.Entry<String, Ratios> e : results.entrySet()) {
                String n = e.getKey();
                Ratios rr = e.getValue();
                String unit;
                String floorText;
                double floor;
                if (n.startsWith("fit ")) {
                    String vn = n.substring(4, n.indexOf(':'));
                    Object[] v = variant(vn);
                    int passes = v[2] == FisherEstimate.EXACT ? classes - 1 : Math.min((Integer) v[3], classes - 1);
                    if (n.endsWith("per batch")) {
                        unit = "steps/batch";
                        floor = f + passes * b;
                        floorText = "1 fwd + " + passes + " bwd";
                    } else if (n.contains("once")) {
                        unit = "steps";
                        floor = Double.NaN;
                        floorText = "eigenvalues of the factors";
                    } else {
                        unit = "steps";
                        floor = Double.NaN;
                        floorText = "eigenvectors of the factors";
                    }
                } else if (n.startsWith("linearised")) {
                    unit = "steps/prompt";
                    floor = f + classes * b;
                    floorText = "1 fwd + " + classes + " bwd";
                } else if (n.startsWith("sampled")) {
                    unit = "steps/prompt";
                    floor = samples * f;
                    floorText = samples + " fwd";
                } else {
                    unit = "steps";
                    floor = Double.NaN;
                    floorText = "";
                }
                report.row(BenchReport.ordered("operation", n, "unit", unit,
                        "median", rr.median(), "min", rr.min(), "max", rr.max(),
                        "seconds (median)", Ratios.median(rr.seconds),
                        "floor", Double.isNaN(floor) ? "" : String.format(java.util.Locale.ROOT, "%.2f (%s)", floor,
                                floorText),
                        "vs floor", Double.isNaN(floor) ? "" : String.format(java.util.Locale.ROOT, "%.2f×",
                                rr.median() / floor)));
            }
            report.summary("training_step_seconds_median", Ratios.median(ratios("forward (no gradient)").seconds)
                    / Math.max(f, 1e-12));
            report.summary("forward_share_of_step", f);
            report.summary("process_peak_rss_mb (VmHWM)", NativeMemory.mb(NativeMemory.peakRss()));
            if (device.cuda()) {
                report.summary("cuda_peak_allocated_mb", NativeMemory.mb(ai.bayeslora.core.CudaMemory
                        .peakAllocatedBytes(device.device().index())));
            }
        }
        report.print();
        return report;
    }

    /**
     * How far the S-sample Fisher's curvature is from the exact one: ‖Σ_S − Σ_exact‖_F / ‖Σ_exact‖_F of the
     * linearised predictive's logit covariances on the test prompts (K-FAC expand, λ = 1 for both, so only the
     * curvature differs), median over seeds.
     */
    private void mcDistance(BenchReport report, AnswerScorer scorer, LoraAdapter adapter, List<EncodedBatch> data,
                            EncodedBatch test, int reps) {
        double[][][] exact;
        try (LaplacePosterior la = LaplaceLoRA.fit(scorer, adapter, data).structure(Structure.KFAC)
                .positions(KfacPositions.EXPAND).priorPrecision(1).run()) {
            exact = covariances(la.linearized(scorer).gaussian(test), test.batchSize());
        }
        for (int s : new int[] {1, 2, 8}) {
            List<Double> d = new ArrayList<>();
            for (int r = 0; r < reps; r++) {
                try (LaplacePosterior la = LaplaceLoRA.fit(scorer, adapter, data).structure(Structure.KFAC)
                        .positions(KfacPositions.EXPAND).fisher(FisherEstimate.MC_SAMPLED).mcSamples(s).seed(r)
                        .priorPrecision(1).run()) {
                    double[][][] got = covariances(la.linearized(scorer).gaussian(test), test.batchSize());
                    double num = 0;
                    double den = 0;
                    for (int i = 0; i < got.length; i++) {
                        for (int a = 0; a < got[i].length; a++) {
                            for (int b = 0; b < got[i].length; b++) {
                                num += Math.pow(got[i][a][b] - exact[i][a][b], 2);
                                den += Math.pow(exact[i][a][b], 2);
                            }
                        }
                    }
                    d.add(Math.sqrt(num / den));
                }
            }
            report.summary("mc_fisher_S" + s + "_relative_covariance_distance (median of " + reps + " seeds)",
                    Ratios.median(d));
        }
    }

    private static double[][][] covariances(ai.bayeslora.laplace.LogitGaussian g, int n) {
        double[][][] out = new double[n][][];
        for (int i = 0; i < n; i++) {
            out[i] = g.covariance(i);
        }
        return out;
    }

    /**
     * How each operation's cost grows with the model and the sequence: the benchmark at two depths and two lengths
     * (fits: K-FAC expand and last-token), one row per configuration and operation, with the training step's seconds
     * so that the step's own growth can be read next to the ratios.
     *
     * @param batch prompts per batch
     * @param reps repetitions per configuration
     * @param layers the depths, e.g. 6 and 12
     * @param lengths the sequence lengths, e.g. 128 and 256
     * @param device where to run
     * @return the combined report
     */
    public static BenchReport scaling(int batch, int reps, int[] layers, int[] lengths, BenchDevice device) {
        BenchReport out = new BenchReport("laplace-scaling").env("batch", batch).env("repetitions", reps)
                .env("method", "per configuration the interleaved benchmark; ratio = operation / training step");
        for (int l : layers) {
            for (int len : lengths) {
                LaplaceBenchmark b = new LaplaceBenchmark(batch, len, reps, 10, device,
                        BenchDevice.shape("110m", l)).fitVariants(List.of("kfac-expand", "kfac-last"));
                BenchReport r = b.run();
                double step = (Double) r.summaryValue("training_step_seconds_median");
                for (java.util.Map.Entry<String, Ratios> e : b.results.entrySet()) {
                    if (e.getKey().startsWith("forward") || e.getKey().startsWith("sampled")) {
                        continue;
                    }
                    out.row(BenchReport.ordered("layers", l, "length", len, "operation", e.getKey(),
                            "step seconds", step, "ratio (median)", e.getValue().median(),
                            "min", e.getValue().min(), "max", e.getValue().max()));
                }
            }
        }
        out.print();
        return out;
    }
}
