package ai.bayeslora.examples.bench;

import ai.bayeslora.BayesLora;
import ai.bayeslora.core.ComputeDevice;
import ai.bayeslora.core.data.BundledData;
import ai.bayeslora.core.data.McqaDataset;
import ai.bayeslora.core.data.McqaExample;
import ai.bayeslora.core.io.ResourceCache;
import ai.bayeslora.core.model.HfConfigParser;
import ai.bayeslora.core.model.ModelConfig;
import ai.bayeslora.lora.LoraConfig;
import ai.bayeslora.lora.ensemble.LoraEnsemble;
import ai.bayeslora.spark.McqaFrames;
import ai.bayeslora.spark.SparkModel;
import ai.bayeslora.spark.UncertaintyScorer;
import ai.bayeslora.uncertainty.UncertaintyEstimator;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.bytedeco.pytorch.global.torch;

/**
 * Scoring throughput on Spark against the single process, at the same parallelism (docs/SPARK.md, "Benchmark"): a
 * 2-member LoRA ensemble (r = 8 on q_proj and v_proj) scores N questions
 * <ul>
 *   <li>in one process, with P threads sharing the model, each scoring its share with
 *       {@link UncertaintyEstimator#predict(McqaDataset)} (what {@code evaluate} does, P = 1);</li>
 *   <li>with {@link UncertaintyScorer} on Spark {@code local[P]}, the frame in 2P partitions.</li>
 * </ul>
 * for P = 1 and 2, on the bundled tiny model and on the random ~110M Llama as a model folder. Inside each P the two
 * paths alternate, {@code reps} times each, after one warm-up of each (the first Spark job loads the model into the
 * executor cache); the medians give Spark's overhead (Spark seconds / single-process seconds at the same P) and the
 * speed-up of P = 2 over P = 1 for each path; an empty job (the same rows mapped without scoring) gives Spark's own
 * cost per job, so the overhead splits into that and the per-row rest. One JVM holds one SparkContext, so each P has its own session; session
 * start-up is not timed (it is a one-off per application).
 *
 * <p>Compute floor: rows/s cannot exceed (this machine's 1024³ GEMM rate) / (linear-layer FLOPs per row), where a row
 * costs 2 FLOPs per decoder weight per token per member (no prefix is shared: every layer is adapted). Attention,
 * the answer-token head and tokenisation are extra.
 */
public final class SparkBenchmark {
    private final int tinyRows;
    private final int largeRows;
    private final int layers;
    private final int batch;
    private final int reps;
    private final int memoryJobs;
    private final Path work;

    /**
     * @param tinyRows questions scored on the tiny model
     * @param largeRows questions scored on the 110M model
     * @param layers decoder layers of the 110M model
     * @param batch rows per batch
     * @param reps timed repetitions per path and parallelism
     * @param memoryJobs scoring jobs of the native-memory loop (0: none)
     * @param work folder for the model and ensemble folders (reused between runs)
     */
    public SparkBenchmark(int tinyRows, int largeRows, int layers, int batch, int reps, int memoryJobs, Path work) {
        this.tinyRows = tinyRows;
        this.largeRows = largeRows;
        this.layers = layers;
        this.batch = batch;
        this.reps = reps;
        this.memoryJobs = memoryJobs;
        this.work = work;
    }

    /** One model folder, its ensemble folder, and the questions to score. */
    private record Case(String name, Path model, Path ensemble, McqaDataset questions, ModelConfig config,
                        double tokensPerRow) {
    }

    /** Runs every case; returns the report (printed). */
    public BenchReport run() throws Exception {
        BenchReport report = new BenchReport("spark")
                .env("cores", Runtime.getRuntime().availableProcessors())
                .env("torch_threads", torch.get_num_threads())
                .env("posterior", "LoRA ensemble M=2, r=8 on q_proj+v_proj")
                .env("batch", batch).env("reps", reps)
                .env("partitions", "2 x P").env("loadavg_start", EnsembleBenchmark.loadAverage());
        double gemm = ForwardBenchmark.gemmFlops(1024, 20);
        List<Case> cases = List.of(prepare("tiny (bundled)", BundledData.tinyLlamaModel(), tinyRows),
                prepare("random 110M", RandomModelFolder.write(work.resolve("random-110m-" + layers), layers),
                        largeRows));
        int[] parallelism = {1, 2};
        double[][][] median = new double[cases.size()][parallelism.length][3]; // [case][P][single, spark, empty job]
        for (int pi = 0; pi < parallelism.length; pi++) {
            int p = parallelism[pi];
            SparkSession spark = SparkSession.builder().master("local[" + p + "]").appName("bench spark P=" + p)
                    .config("spark.ui.enabled", "false").getOrCreate();
            try {
                for (int ci = 0; ci < cases.size(); ci++) {
                    median[ci][pi] = measure(spark, cases.get(ci), p);
                }
                if (p == parallelism[parallelism.length - 1] && memoryJobs > 0) {
                    memoryLoop(spark, cases.get(0), p, report);
                }
            } finally {
                spark.stop();
            }
        }
        for (int ci = 0; ci < cases.size(); ci++) {
            Case c = cases.get(ci);
            double flopsPerRow = linearFlopsPerToken(c.config()) * 2 * c.tokensPerRow();
            for (int pi = 0; pi < parallelism.length; pi++) {
                double single = median[ci][pi][0];
                double spark = median[ci][pi][1];
                int n = c.questions().size();
                report.row(BenchReport.ordered("model", c.name(), "P", parallelism[pi], "rows", n,
                        "single rows/s", n / single, "spark rows/s", n / spark,
                        "spark / single (time)", spark / single,
                        "spark - single ms", 1e3 * (spark - single), "empty job ms", 1e3 * median[ci][pi][2],
                        "single speed-up vs P=1", median[ci][0][0] / single,
                        "spark speed-up vs P=1", median[ci][0][1] / spark,
                        "floor rows/s", gemm / flopsPerRow, "spark vs floor", (n / spark) / (gemm / flopsPerRow)));
            }
        }
        report.summary("gemm_1024_gflops (float32)", gemm / 1e9)
                .summary("note", "medians of " + reps + " interleaved runs per path; spark / single is Spark's "
                        + "overhead at the same parallelism (1.00 = none); the floor is the GEMM rate over the "
                        + "linear-layer FLOPs of a row (2 members)")
                .env("loadavg_end", EnsembleBenchmark.loadAverage());
        report.print();
        return report;
    }

    /**
     * Native memory over {@link #memoryJobs} scoring jobs on one session: the resident set half-way (model, posterior,
     * Spark's thread pools and the JIT warm) and after the last, and the least-squares slope per job in between; then
     * as many empty Spark jobs and single-process passes for comparison. Run with the
     * heap committed up front ({@code -Xms} = {@code -Xmx}, {@code -XX:+AlwaysPreTouch}) so that growth is native
     * memory (libtorch, Netty, metaspace), not the heap filling in.
     */
    private void memoryLoop(SparkSession spark, Case c, int p, BenchReport report) {
        UncertaintyScorer scorer = scorer(c);
        Dataset<Row> frame = McqaFrames.toFrame(spark, c.questions(), 2 * p).cache();
        frame.count();
        // the first jobs fill Spark's cached thread pools (block-manager pools grow to 100 threads each) and the JIT's
        // code cache; the second half shows whether anything keeps growing
        int warm = Math.max(1, memoryJobs / 2);
        double[] rss = new double[memoryJobs];
        for (int j = 0; j < memoryJobs; j++) {
            scoreOnSpark(scorer, frame);
            rss[j] = NativeMemory.mb(NativeMemory.rss());
        }
        // as many empty jobs over the same partitions: Spark's own growth per job
        double[] empty = new double[memoryJobs];
        for (int j = 0; j < memoryJobs; j++) {
            emptyJob(frame);
            empty[j] = NativeMemory.mb(NativeMemory.rss());
        }
        frame.unpersist();
        // the same rows as often through the single process: what growth belongs to the library, not to Spark
        BayesLora shared = SparkModel.of(c.model().toString()).withDevice("cpu").shared();
        LoraEnsemble ensemble = shared.ensemble(c.ensemble(), c.questions());
        List<McqaDataset> shares = shares(c.questions(), p);
        double[] single = new double[memoryJobs];
        for (int j = 0; j < memoryJobs; j++) {
            scoreSingle(shared, ensemble, shares);
            single[j] = NativeMemory.mb(NativeMemory.rss());
        }
        report.summary("memory_jobs", memoryJobs + " scoring jobs of " + c.questions().size() + " rows on "
                        + c.name() + ", local[" + p + "], then as many empty Spark jobs and single-process passes")
                .summary("spark_rss_mb_after_job_" + warm, rss[warm - 1])
                .summary("spark_rss_mb_after_job_" + memoryJobs, rss[memoryJobs - 1])
                .summary("spark_rss_slope_mb_per_job", slope(rss, warm - 1))
                .summary("empty_job_rss_slope_mb_per_job", slope(empty, warm - 1))
                .summary("single_rss_mb_after_pass_" + warm, single[warm - 1])
                .summary("single_rss_mb_after_pass_" + memoryJobs, single[memoryJobs - 1])
                .summary("single_rss_slope_mb_per_pass", slope(single, warm - 1))
                .summary("heap", Runtime.getRuntime().maxMemory() == Runtime.getRuntime().totalMemory()
                        ? "committed up front" : "growing (RSS includes the heap filling in: use -Xms = -Xmx)");
    }

    /** The least-squares slope of {@code y[from..]} against its index. */
    private static double slope(double[] y, int from) {
        double sx = 0;
        double sy = 0;
        double sxx = 0;
        double sxy = 0;
        int n = 0;
        for (int j = from; j < y.length; j++) {
            sx += j;
            sy += y[j];
            sxx += (double) j * j;
            sxy += j * y[j];
            n++;
        }
        return n < 2 ? 0 : (n * sxy - sx * sy) / (n * sxx - sx * sx);
    }

    /** Medians of single-process and Spark seconds at parallelism {@code p}, alternating. */
    private double[] measure(SparkSession spark, Case c, int p) throws Exception {
        UncertaintyScorer scorer = scorer(c);
        Dataset<Row> frame = McqaFrames.toFrame(spark, c.questions(), 2 * p).cache();
        frame.count();
        BayesLora shared = SparkModel.of(c.model().toString()).withDevice("cpu").shared();
        LoraEnsemble ensemble = shared.ensemble(c.ensemble(), c.questions());
        List<McqaDataset> shares = shares(c.questions(), p);
        double[] single = new double[reps];
        double[] onSpark = new double[reps];
        double[] empty = new double[reps];
        scoreSingle(shared, ensemble, shares); // warm-up
        scorer.transform(frame).count();
        for (int r = 0; r < reps; r++) {
            single[r] = seconds(() -> scoreSingle(shared, ensemble, shares));
            onSpark[r] = seconds(() -> scoreOnSpark(scorer, frame));
            empty[r] = seconds(() -> emptyJob(frame));
        }
        frame.unpersist();
        return new double[] {median(single), median(onSpark), median(empty)};
    }

    /** The scorer of a case's ensemble; the class set is given, so finding it costs no extra job. */
    private UncertaintyScorer scorer(Case c) {
        return new UncertaintyScorer().setModel(SparkModel.of(c.model().toString()).withDevice("cpu"))
                .setPosteriorPath(c.ensemble().toString()).setBatchSize(batch)
                .setClassLabels(c.questions().classLabels());
    }

    /** One scoring job: collecting the probabilities forces every row through the scoring map. */
    private static void scoreOnSpark(UncertaintyScorer scorer, Dataset<Row> frame) {
        scorer.transform(frame).select(scorer.getOrDefault(scorer.probabilitiesCol())).collect();
    }

    /** Spark's own cost of a job over the same partitions: the rows mapped without scoring. */
    private static void emptyJob(Dataset<Row> frame) {
        frame.map((org.apache.spark.api.java.function.MapFunction<Row, Integer>) row -> row.getString(0).length(),
                org.apache.spark.sql.Encoders.INT()).collect();
    }

    /** The P threads of the single-process path, each predicting its share with the shared model. */
    private void scoreSingle(BayesLora bayes, LoraEnsemble ensemble, List<McqaDataset> shares) {
        ExecutorService pool = Executors.newFixedThreadPool(shares.size());
        try {
            List<Future<?>> done = new ArrayList<>();
            for (McqaDataset share : shares) {
                done.add(pool.submit(() -> bayes.estimator(ensemble).batchSize(batch).progress(false).predict(share)));
            }
            for (Future<?> f : done) {
                f.get();
            }
        } catch (Exception e) {
            throw new IllegalStateException("single-process scoring failed", e);
        } finally {
            pool.shutdownNow();
        }
    }

    private Case prepare(String name, Path model, int rows) {
        McqaDataset questions = repeat(BundledData.syntheticMcqaTrain(), rows);
        Path ensembleDir = work.resolve("ensemble-" + Integer.toHexString(model.toAbsolutePath().toString().hashCode()));
        String configJson;
        try {
            configJson = Files.readString(model.resolve("config.json"));
        } catch (java.io.IOException e) {
            throw new IllegalStateException(e);
        }
        ModelConfig config = HfConfigParser.parse(configJson, name);
        double tokens;
        try (BayesLora b = BayesLora.open(model, ComputeDevice.cpu())) {
            if (!Files.isDirectory(ensembleDir)) {
                LoraConfig lora = LoraConfig.builder().rank(8).alpha(16).targetModules("q_proj", "v_proj").build();
                LoraEnsemble.Builder eb = LoraEnsemble.builder(b.model(), b.answers(questions));
                for (int m = 0; m < 2; m++) {
                    eb.member(EnsembleBenchmark.randomAdapter(b.model(), lora, 100 + m), 100 + m);
                }
                try (LoraEnsemble e = eb.build()) {
                    e.save(ensembleDir);
                }
            }
            long total = 0;
            for (McqaExample e : questions.examples()) {
                total += b.tokenizer().encode(b.promptFormat().render(e)).length;
            }
            tokens = (double) total / questions.size();
        }
        return new Case(name, model, ensembleDir, questions, config, tokens);
    }

    /** The first {@code n} rows of the dataset cycled, with unique ids. */
    static McqaDataset repeat(McqaDataset d, int n) {
        List<McqaExample> out = new ArrayList<>(n);
        for (int i = 0; i < n; i++) {
            McqaExample e = d.get(i % d.size());
            out.add(new McqaExample(e.id() + "#" + i, e.question(), e.choices(), e.labels(), e.answer(), e.subject(),
                    e.verbatim(), e.context()));
        }
        return McqaDataset.of(d.source() + " x" + n, d.classLabels(), out);
    }

    /** Contiguous shares of {@code d}, one per thread. */
    static List<McqaDataset> shares(McqaDataset d, int parts) {
        List<McqaDataset> out = new ArrayList<>();
        int n = d.size();
        for (int i = 0; i < parts; i++) {
            List<McqaExample> part = d.examples().subList(i * n / parts, (i + 1) * n / parts);
            out.add(McqaDataset.of(d.source() + " part " + i, d.classLabels(), part));
        }
        return out;
    }

    /** 2 FLOPs per decoder-layer weight, per token and member. */
    private static double linearFlopsPerToken(ModelConfig c) {
        long q = (long) c.numHeads() * c.headDim();
        long kv = (long) c.numKvHeads() * c.headDim();
        double perLayer = (double) c.hiddenSize() * (q + 2 * kv) + (double) q * c.hiddenSize()
                + 3.0 * c.hiddenSize() * c.intermediateSize();
        return 2.0 * c.numLayers() * perLayer;
    }

    private static double seconds(Runnable r) {
        long t0 = System.nanoTime();
        r.run();
        return (System.nanoTime() - t0) / 1e9;
    }

    private static double median(double[] v) {
        double[] s = v.clone();
        Arrays.sort(s);
        return s.length % 2 == 1 ? s[s.length / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
    }

    /** The default work folder: {@code <cache>/bench-spark}. */
    public static Path defaultWork() {
        return ResourceCache.root().resolve("bench-spark");
    }
}
