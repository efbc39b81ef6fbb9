package ai.bayeslora.examples.bench;

import ai.bayeslora.core.NativeScope;
import ai.bayeslora.core.ComputeDevice;
import ai.bayeslora.core.data.EncodedBatch;
import ai.bayeslora.core.data.McqaBatcher;
import ai.bayeslora.core.data.McqaDataset;
import ai.bayeslora.core.data.McqaExample;
import ai.bayeslora.core.data.PromptTemplate;
import ai.bayeslora.core.mcqa.AnswerScorer;
import ai.bayeslora.core.mcqa.ClassReduction;
import ai.bayeslora.core.model.CausalLM;
import ai.bayeslora.core.model.ModelConfig;
import ai.bayeslora.core.model.RandomWeights;
import ai.bayeslora.core.text.AnswerTokens;
import ai.bayeslora.core.text.HfTokenizer;
import ai.bayeslora.core.text.TokenizerOptions;
import ai.bayeslora.lora.LoraAdapter;
import ai.bayeslora.lora.LoraConfig;
import ai.bayeslora.lora.ensemble.EnsembleOptions;
import ai.bayeslora.lora.ensemble.EnsembleTrainer;
import ai.bayeslora.lora.ensemble.EnsembleTrainingMode;
import ai.bayeslora.lora.ensemble.LoraEnsemble;
import ai.bayeslora.lora.train.LoraTrainer;
import ai.bayeslora.lora.train.TrainingConfig;
import ai.bayeslora.lora.train.TrainingListener;
import ai.bayeslora.lora.train.TrainingStep;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicLong;
import org.bytedeco.pytorch.NoGradGuard;
import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.global.torch;

/**
 * LoRA training-step throughput of the ~110M random Llama of {@link ForwardBenchmark} (r=8 on q_proj and v_proj,
 * AdamW, batch × length tokens per step, every prompt exactly {@code length} tokens after left truncation), next to
 * the forward-only time of the same batch measured in the same run. The step is the trainer's own loop
 * ({@link LoraTrainer}: encode, forward with autograd, backward, clipping, AdamW); the first step is a warm-up and is
 * not timed. Resident memory is sampled every 20 ms during training (the ensemble rows, if asked for, run after it).
 */
public final class TrainBenchmark {
    private final Path tokenizerDir;
    private final int batch;
    private final int length;
    private final int steps;
    private final int layers;
    private final int rank;
    private final int ensembleMembers;
    private final BenchDevice device;
    private final ModelConfig shape;

    /**
     * @param tokenizerDir a folder with tokenizer.json (the bundled tiny model's byte-level BPE; its ids are valid in
     *     the 32000-token vocabulary)
     * @param steps timed training steps (one more runs as warm-up)
     */
    public TrainBenchmark(Path tokenizerDir, int batch, int length, int steps, int layers, int rank) {
        this(tokenizerDir, batch, length, steps, layers, rank, 0);
    }

    /**
     * @param ensembleMembers M &gt; 0 adds two rows: an ensemble step of M members trained SEQUENTIAL (M lone steps)
     *     and INTERLEAVED (one stacked step), by {@link EnsembleTrainer}; 0 skips them
     */
    public TrainBenchmark(Path tokenizerDir, int batch, int length, int steps, int layers, int rank,
                          int ensembleMembers) {
        this(tokenizerDir, batch, length, steps, rank, ensembleMembers, BenchDevice.cpu(),
                ForwardBenchmark.config(layers));
    }

    /**
     * @param device where to run (timings synchronised, memory from the device)
     * @param shape the model's config ({@link BenchDevice#shape})
     */
    public TrainBenchmark(Path tokenizerDir, int batch, int length, int steps, int rank, int ensembleMembers,
                          BenchDevice device, ModelConfig shape) {
        this.device = device;
        this.shape = shape;
        int layers = shape.numLayers();
        this.ensembleMembers = ensembleMembers;
        this.tokenizerDir = tokenizerDir;
        this.batch = batch;
        this.length = length;
        this.steps = steps;
        this.layers = layers;
        this.rank = rank;
    }

    public BenchReport run() {
        ModelConfig c = shape;
        BenchReport report = new BenchReport("train")
                .env("device", device.device().toString())
                .env("model", c.architecture().modelType() + " hidden " + c.hiddenSize() + ", " + layers + " layers, "
                        + c.numHeads() + " heads, mlp " + c.intermediateSize() + ", vocab " + c.vocabSize())
                .env("parameters", c.parameterCount())
                .env("lora", "r=" + rank + ", alpha=" + 2 * rank + ", q_proj+v_proj, dropout 0")
                .env("optimizer", "AdamW (trainer's), clip 1.0")
                .env("batch", batch).env("length", length).env("timed_steps", steps);
        long rssBefore = device.inUse();
        try (CausalLM model = CausalLM.build(c, new RandomWeights(c, 0.02, 0), device.device());
             HfTokenizer tokenizer = HfTokenizer.load(tokenizerDir, TokenizerOptions.builder().addBos(true).build());
             LoraAdapter adapter = LoraAdapter.create(model, LoraConfig.builder().rank(rank).alpha(2 * rank)
                     .targetModules("q_proj", "v_proj").build(), 0)) {
            long rssWeights = device.inUse();
            // after CausalLM.build, which applies the threading policy (NativeRuntime)
            report.env("torch_intra_op_threads", torch.get_num_threads())
                    .env("OPENBLAS_NUM_THREADS", String.valueOf(System.getenv("OPENBLAS_NUM_THREADS")));
            McqaBatcher batcher = new McqaBatcher(tokenizer, PromptTemplate.defaults(),
                    McqaBatcher.Config.forTokenizer(tokenizer).withMaxLength(length));
            McqaDataset data = longPrompts((steps + 1) * batch);
            EncodedBatch first = batcher.encode(data.examples().subList(0, batch));
            if (first.length() != length) {
                throw new IllegalStateException("prompts encode to " + first.length() + " tokens, expected " + length);
            }
            AnswerScorer scorer = new AnswerScorer(model, AnswerTokens.of(tokenizer, data.classLabels()),
                    ClassReduction.ANSWER_TOKENS);
            double forward = forwardSeconds(scorer, adapter.binding(), first, 3, false, device);
            double forwardGrad = forwardSeconds(scorer, adapter.binding(), first, 2, true, device);

            List<Long> stepEnds = new ArrayList<>();
            AtomicLong peak = new AtomicLong(NativeMemory.rss());
            Thread sampler = new Thread(() -> {
                while (!Thread.currentThread().isInterrupted()) {
                    peak.accumulateAndGet(NativeMemory.rss(), Math::max);
                    try {
                        Thread.sleep(20);
                    } catch (InterruptedException e) {
                        return;
                    }
                }
            }, "rss-sampler");
            sampler.setDaemon(true);
            TrainingConfig config = TrainingConfig.builder().batchSize(batch).epochs(1).progressBar(false).build();
            long[] t0 = new long[1];
            Runnable training = () -> {
                t0[0] = System.nanoTime();
                new LoraTrainer(config).withListener(new TrainingListener() {
                    @Override
                    public void onStepEnd(TrainingStep step) {
                        device.sync(); // the step's kernels are done (the trainer reads its loss every step anyway)
                        stepEnds.add(System.nanoTime());
                    }
                }).train(adapter, batcher, data, Optional.empty(), null);
            };
            if (device.cuda()) {
                peak.set(device.peakDuring(training));
            } else {
                sampler.start();
                try {
                    training.run();
                } finally {
                    sampler.interrupt();
                }
            }
            double warmup = (stepEnds.get(0) - t0[0]) / 1e9;
            double step = (stepEnds.get(stepEnds.size() - 1) - stepEnds.get(0)) / 1e9 / (stepEnds.size() - 1);
            long tokens = (long) batch * length;
            report.row(BenchReport.ordered("mode", "forward only (no grad)", "seconds/batch", forward,
                    "tokens/s", tokens / forward, "ratio vs forward", 1.0));
            report.row(BenchReport.ordered("mode", "forward with autograd", "seconds/batch", forwardGrad,
                    "tokens/s", tokens / forwardGrad, "ratio vs forward", forwardGrad / forward));
            report.row(BenchReport.ordered("mode", "train step (fwd+bwd+AdamW)", "seconds/batch", step,
                    "tokens/s", tokens / step, "ratio vs forward", step / forward));
            if (ensembleMembers > 0) {
                LoraConfig lora = LoraConfig.builder().rank(rank).alpha(2 * rank).targetModules("q_proj", "v_proj")
                        .build();
                AnswerTokens answers = AnswerTokens.of(tokenizer, data.classLabels());
                for (EnsembleTrainingMode mode : EnsembleTrainingMode.values()) {
                    double ensembleStep = ensembleStepSeconds(model, batcher, answers, data, lora, config, mode);
                    report.row(BenchReport.ordered("mode", "ensemble step, " + ensembleMembers + " members "
                                    + mode.name().toLowerCase(java.util.Locale.ROOT), "seconds/batch", ensembleStep,
                            "tokens/s", tokens * ensembleMembers / ensembleStep, "ratio vs forward",
                            ensembleStep / forward));
                }
            }
            report.summary("lora_parameters", adapter.parameterCount())
                    .summary("first_step_seconds (warm-up, untimed)", warmup)
                    .summary("memory", device.memoryName())
                    .summary("memory_before_mb", NativeMemory.mb(rssBefore))
                    .summary("memory_weights_loaded_mb", NativeMemory.mb(rssWeights))
                    .summary("memory_peak_during_training_mb", NativeMemory.mb(peak.get()))
                    .summary("training_peak_above_weights_mb", NativeMemory.mb(peak.get() - rssWeights))
                    .summary("process_peak_rss_mb (VmHWM)", NativeMemory.mb(NativeMemory.peakRss()));
        }
        report.print();
        return report;
    }

    /**
     * Seconds for one optimizer step of all M members: SEQUENTIAL sums the members' mean step times (each member's
     * first step is a warm-up), INTERLEAVED is the mean time of its stacked steps after the first.
     */
    private double ensembleStepSeconds(CausalLM model, McqaBatcher batcher, AnswerTokens answers, McqaDataset data,
                                       LoraConfig lora, TrainingConfig config, EnsembleTrainingMode mode) {
        List<List<Long>> ends = new ArrayList<>();
        for (int m = 0; m < ensembleMembers; m++) {
            ends.add(new ArrayList<>());
        }
        try (LoraEnsemble e = new EnsembleTrainer(lora, config, ensembleMembers, 0).mode(mode)
                .withListeners(m -> new TrainingListener() {
                    @Override
                    public void onStepEnd(TrainingStep step) {
                        ends.get(m).add(System.nanoTime());
                    }
                }).train(model, batcher, answers, data, Optional.empty(), null, EnsembleOptions.defaults())
                .ensemble()) {
            double total = 0;
            for (List<Long> t : mode == EnsembleTrainingMode.SEQUENTIAL ? ends : ends.subList(0, 1)) {
                total += (t.get(t.size() - 1) - t.get(0)) / 1e9 / (t.size() - 1);
            }
            return total;
        }
    }

    /** Mean seconds of the class log-probabilities of {@code batch} (after one warm-up), with or without autograd. */
    @SuppressWarnings("try")
    private static double forwardSeconds(AnswerScorer scorer, ai.bayeslora.core.model.AdapterBinding binding,
                                         EncodedBatch batch, int iterations, boolean grad, BenchDevice device) {
        double total = 0;
        for (int i = 0; i <= iterations; i++) {
            double sec = device.seconds(() -> {
                try (NativeScope s = NativeScope.open(); NoGradGuard g = grad ? null : new NoGradGuard()) {
                    Tensor logp = scorer.logProbs(batch, binding);
                    logp.sum().item_double(); // force completion
                }
            });
            if (i > 0) {
                total += sec;
            }
        }
        return total / iterations;
    }

    /** Questions far longer than any length asked for, so every prompt is left-truncated to exactly that length. */
    private static McqaDataset longPrompts(int n) {
        List<String> labels = List.of("A", "B", "C", "D");
        String[] words = {"cat", "river", "engine", "violin", "planet", "market", "doctor", "garden"};
        List<McqaExample> out = new ArrayList<>(n);
        for (int i = 0; i < n; i++) {
            StringBuilder q = new StringBuilder("Question:");
            for (int w = 0; w < 1200; w++) {
                q.append(' ').append(words[(i + w * 7) % words.length]);
            }
            q.append('?');
            out.add(McqaExample.of("bench-" + i, q.toString(), List.of("cat", "river", "engine", "violin"), labels,
                    i % 4, null));
        }
        return McqaDataset.of("bench long prompts", labels, out);
    }
}
