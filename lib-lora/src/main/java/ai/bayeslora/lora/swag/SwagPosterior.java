package ai.bayeslora.lora.swag;

import ai.bayeslora.core.ComputeDevice;
import ai.bayeslora.core.DType;
import ai.bayeslora.core.NativeScope;
import ai.bayeslora.core.Tensors;
import ai.bayeslora.core.mcqa.AnswerScorer;
import ai.bayeslora.lora.LoraAdapter;
import ai.bayeslora.lora.internal.ParameterLayout;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import java.util.SplittableRandom;
import org.bytedeco.pytorch.GeneratorOptional;
import org.bytedeco.pytorch.NoGradGuard;
import org.bytedeco.pytorch.Scalar;
import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.TensorOptions;
import org.bytedeco.pytorch.global.torch;
import org.bytedeco.pytorch.global.torch.ScalarType;

/**
 * A SWAG posterior over the LoRA parameters θ [P] (METHODS.md §5): the SWA mean θ̄, the mean of squares, Σ_diag =
 * max(mean of squares − θ̄², 0), the last K deviation columns D [P, K] and the number n of snapshots, all float64.
 * Immutable; built by {@link SwagCollector#posterior()} or {@link #load}. Owns native tensors: {@link #close()} it.
 *
 * <p>Samples follow {@link SwagConfig#variant()} and {@link SwagConfig#scale()}; {@link #predictive} turns the posterior
 * into a {@link ai.bayeslora.uncertainty.PosteriorPredictive} on an adapter with the same layout.
 */
public final class SwagPosterior implements AutoCloseable {
    private final SwagConfig config;
    private final ParameterLayout layout;
    private final long collected;
    private final Tensor mean;
    private final Tensor squaredMean;
    private final Tensor deviations;
    private final Tensor stdDiag; // √Σ_diag
    private volatile SwagSampleCache sampleCache = new SwagSampleCache(SwagSampleCache.MAX_BYTES);
    private volatile boolean closed;

    /**
     * Keeps its own references to the given tensors, without copying: pass fresh tensors that nothing else will modify
     * (the caller may close its own handles). Checks shapes and dtypes.
     *
     * @param deviations D [P, K], oldest column first, with K = min(n, maxRank)
     */
    @SuppressWarnings("try")
    SwagPosterior(SwagConfig config, ParameterLayout layout, long collected, Tensor mean, Tensor squaredMean,
                  Tensor deviations) {
        long p = layout.parameterCount();
        long k = Math.min(collected, config.maxRank());
        if (collected < 1) {
            throw new IllegalArgumentException("a SWAG posterior needs at least one snapshot, got n = " + collected);
        }
        checkTensor("mean", mean, p);
        checkTensor("squared mean", squaredMean, p);
        checkTensor("deviations", deviations, p, k);
        this.config = config;
        this.layout = layout;
        this.collected = collected;
        try (NativeScope s = NativeScope.open(); NoGradGuard g = new NoGradGuard()) {
            this.mean = NativeScope.keep(mean.detach().contiguous());
            this.squaredMean = NativeScope.keep(squaredMean.detach().contiguous());
            this.deviations = NativeScope.keep(deviations.detach().contiguous());
            this.stdDiag = NativeScope.keep(variance(mean, squaredMean).sqrt());
        }
    }

    private static void checkTensor(String what, Tensor t, long... shape) {
        boolean ok = t.dim() == shape.length && DType.of(t.scalar_type()).filter(d -> d == DType.FLOAT64).isPresent();
        for (int i = 0; ok && i < shape.length; i++) {
            ok = t.size(i) == shape[i];
        }
        if (!ok) {
            throw new IllegalArgumentException("SWAG " + what + " must be float64 " + Arrays.toString(shape) + ", got "
                    + t.scalar_type().intern() + " " + Arrays.toString(Tensors.shape(t)));
        }
    }

    /** Σ_diag = max(mean of squares − θ̄², 0): the clamp removes the negative rounding residue of a zero variance. */
    private static Tensor variance(Tensor mean, Tensor squaredMean) {
        return squaredMean.sub(mean.mul(mean)).clamp_min(new Scalar(0.0));
    }

    /**
     * Reads a posterior written by {@link #save} onto the CPU.
     *
     * @param dir a folder written by {@link #save}
     * @return the posterior; close it
     */
    public static SwagPosterior load(Path dir) {
        return load(dir, ComputeDevice.cpu());
    }

    /**
     * Reads a posterior written by {@link #save} onto {@code device} (float64 whatever the device's compute dtype).
     *
     * @param dir a folder written by {@link #save}
     * @param device where the moments go
     * @return the posterior; close it
     * @throws SwagFormatException naming the file and field if the folder is incomplete, the manifest malformed or of
     *     an unsupported version, or the tensors disagree with it
     */
    public static SwagPosterior load(Path dir, ComputeDevice device) {
        return SwagFiles.read(dir, device);
    }

    /**
     * Writes {@code swag.json} (config, n, K, P, parameter layout, format version) and {@code swag.safetensors}
     * (mean, sq_mean, deviations in float64) into {@code dir}, atomically: a failed write leaves an existing folder as
     * it was.
     *
     * @param dir the posterior folder
     */
    public void save(Path dir) {
        save(dir, ai.bayeslora.core.io.AtomicOutput.Replace.OWN);
    }

    /**
     * As {@link #save(Path)}, with {@code replace} saying which existing folder may be replaced (by default only an
     * empty one or one this library wrote).
     *
     * @param dir the posterior folder
     * @param replace which existing folder may be replaced
     */
    public void save(Path dir, ai.bayeslora.core.io.AtomicOutput.Replace replace) {
        checkOpen();
        SwagFiles.write(this, dir, replace);
    }

    /** {@return the configuration the posterior was collected with; it also fixes the sampler} */
    public SwagConfig config() {
        return config;
    }

    /**
     * n, the number of snapshots averaged.
     *
     * @return n
     */
    public long collected() {
        return collected;
    }

    /**
     * K = min(n, maxRank), the number of deviation columns held.
     *
     * @return K
     */
    public int rank() {
        return (int) Math.min(collected, config.maxRank());
    }

    /**
     * P.
     *
     * @return the number of parameters P
     */
    public long parameterCount() {
        return layout.parameterCount();
    }

    /**
     * peft names of the parameters behind θ, in {@link LoraAdapter#parameterValues()} order.
     *
     * @return the names, one per parameter
     */
    public List<String> parameterNames() {
        return layout.names();
    }

    ParameterLayout layout() {
        return layout;
    }

    /**
     * θ̄ [P], float64: a copy for the caller's scope (or the caller, outside any scope).
     *
     * @return θ̄
     */
    Tensor mean() {
        return copy(mean);
    }

    /** {@return the running mean of squares [P], float64: a copy for the caller's scope (or the caller)} */
    Tensor squaredMean() {
        return copy(squaredMean);
    }

    /**
     * Σ_diag = max(mean of squares − θ̄², 0) [P], float64: a new tensor for the caller's scope (or the caller).
     *
     * @return the diagonal variance
     */
    @SuppressWarnings("try")
    Tensor variance() {
        checkOpen();
        try (NativeScope s = NativeScope.open(); NoGradGuard g = new NoGradGuard()) {
            return s.ret(variance(mean, squaredMean));
        }
    }

    /**
     * D [P, K], oldest column first, float64: a copy for the caller's scope (or the caller).
     *
     * @return D
     */
    Tensor deviations() {
        return copy(deviations);
    }

    private Tensor copy(Tensor t) {
        checkOpen();
        try (NativeScope s = NativeScope.open()) {
            return s.ret(t.clone());
        }
    }

    /**
     * {@return one sample θ [P] (float64, on the posterior's device) per {@link SwagVariant}: z₁ and z₂ are standard
     * normals drawn by a CPU generator seeded with {@code rng.nextLong()}, so a given {@code rng} state gives the same
     * θ on every device} The result belongs to the caller's scope (or the caller).
     *
     * @param rng the source of the generator's seed
     */
    @SuppressWarnings("try")
    Tensor sample(SplittableRandom rng) {
        checkOpen();
        long seed = rng.nextLong();
        int k = rank();
        double a = config.variant().diagonalFactor();
        double b = config.variant().lowRankFactor(k, config.maxRank());
        try (NativeScope s = NativeScope.open(); NoGradGuard g = new NoGradGuard()) {
            GeneratorOptional gen = new GeneratorOptional(torch.createCPUGenerator(seed));
            TensorOptions cpu = new TensorOptions(ScalarType.Double);
            Tensor z1 = torch.randn(new long[] {parameterCount()}, gen, cpu).to(mean.device(), ScalarType.Double);
            Tensor z2 = torch.randn(new long[] {k}, gen, cpu).to(mean.device(), ScalarType.Double);
            Tensor noise = stdDiag.mul(z1).mul(new Scalar(a));
            if (b != 0) {
                noise = noise.add(deviations.mv(z2), new Scalar(b));
            }
            return s.ret(mean.add(noise, new Scalar(Math.sqrt(config.scale()))));
        }
    }

    /**
     * {@link #sample(SplittableRandom)} with {@code new SplittableRandom(seed)}.
     *
     * @param seed the seed
     * @return one sample θ [P]
     */
    Tensor sample(long seed) {
        return sample(new SplittableRandom(seed));
    }

    /**
     * θ̄, the running mean of the collected snapshots, as a Java array (float64 moments are kept on the posterior's
     * device; docs/API.md, "Tensors in signatures").
     *
     * @return θ̄ [P] in {@link #parameterNames()} order
     */
    public double[] meanValues() {
        return NativeScope.compute(() -> Tensors.toDoubles(mean()));
    }

    /**
     * The running mean of squares as a Java array.
     *
     * @return (1/n) Σ_i θ_i² [P] in {@link #parameterNames()} order
     */
    public double[] squaredMeanValues() {
        return NativeScope.compute(() -> Tensors.toDoubles(squaredMean()));
    }

    /**
     * The deviation matrix D as Java arrays, one per column: {@code deviationValues()[k]} is the k-th kept deviation
     * θ_i − θ̄_i [P] (oldest first), so the array has {@link #rank()} rows.
     *
     * @return D transposed, [K][P]
     */
    public double[][] deviationValues() {
        int k = rank();
        int p = Math.toIntExact(parameterCount());
        double[] flat = NativeScope.compute(() -> Tensors.toDoubles(deviations()));
        double[][] out = new double[k][p];
        for (int i = 0; i < p; i++) {
            for (int j = 0; j < k; j++) {
                out[j][i] = flat[i * k + j]; // D is [P, K] row-major
            }
        }
        return out;
    }

    /**
     * One sample θ as a Java array, as {@link #sampleValues(long)} with the generator seeded by {@code rng.nextLong()}:
     * a given {@code rng} state gives the same θ on every device.
     *
     * @param rng the source of the generator's seed
     * @return θ [P]
     */
    public double[] sampleValues(SplittableRandom rng) {
        return NativeScope.compute(() -> Tensors.toDoubles(sample(rng)));
    }

    /**
     * Σ_diag = max(mean of squares − θ̄², 0) as a Java array.
     *
     * @return max(mean of squares − θ̄², 0) [P]
     */
    public double[] varianceValues() {
        return NativeScope.compute(() -> Tensors.toDoubles(variance()));
    }

    /**
     * One sample θ as a Java array per {@link SwagVariant}: z₁ [P] and z₂ [K] are standard normals drawn by a CPU
     * generator seeded with {@code new SplittableRandom(seed).nextLong()}, so a seed gives the same θ on every device.
     *
     * @param seed the seed
     * @return θ [P]
     */
    public double[] sampleValues(long seed) {
        return NativeScope.compute(() -> Tensors.toDoubles(sample(seed)));
    }

    /**
     * The posterior predictive on {@code adapter} (same layout as collected, on the scorer's model) with
     * {@link SwagConfig#samples()} samples drawn from {@code seed}. The predictive borrows this posterior: keep it open
     * while predicting.
     *
     * @param adapter the adapter the samples are loaded into
     * @param scorer scores the classes (its model is the adapter's)
     * @param seed seeds the draws
     * @return the predictive; close it after use
     */
    public SwagPredictive predictive(LoraAdapter adapter, AnswerScorer scorer, long seed) {
        return predictive(adapter, scorer, config.samples(), seed);
    }

    /**
     * As {@link #predictive(LoraAdapter, AnswerScorer, long)} with S = {@code samples}.
     *
     * @param adapter the adapter the samples are loaded into
     * @param scorer scores the classes (its model is the adapter's)
     * @param samples S, at least 1
     * @param seed seeds the draws
     * @return the predictive
     */
    public SwagPredictive predictive(LoraAdapter adapter, AnswerScorer scorer, int samples, long seed) {
        checkOpen();
        return new SwagPredictive(this, adapter, scorer, samples, seed);
    }

    /**
     * {@return the bytes of predictive samples this posterior holds on devices: each {@link SwagPredictive}
     * configuration (seed, S, device, dtype) draws its S samples once and keeps them here, up to 1 GiB in all and, on
     * CUDA, 10 % of the device's free memory; they are freed by {@link #close}}
     */
    public long cachedSampleBytes() {
        return sampleCache.bytes();
    }

    /** Replaces the (empty) sample cache by one with another budget: tests reach the per-batch path with 0. */
    synchronized void sampleCacheBudget(long maxBytes) {
        if (sampleCache.bytes() != 0) {
            throw new IllegalStateException("the sample cache already holds samples");
        }
        sampleCache.close();
        sampleCache = new SwagSampleCache(maxBytes);
    }

    Optional<List<Tensor>> cachedSamples(long seed, int samples, ComputeDevice device, Tensor like) {
        checkOpen();
        return sampleCache.samples(this, seed, samples, device, like);
    }

    /** The float64 tensors, for the writer (no copies; do not modify). */
    Tensor rawMean() {
        return mean;
    }

    Tensor rawSquaredMean() {
        return squaredMean;
    }

    Tensor rawDeviations() {
        return deviations;
    }

    void checkOpen() {
        if (closed) {
            throw new IllegalStateException("the SWAG posterior was closed");
        }
    }

    @Override
    public synchronized void close() {
        if (closed) {
            return;
        }
        closed = true;
        sampleCache.close();
        NativeScope.release(mean, squaredMean, deviations, stdDiag);
    }

    @Override
    public String toString() {
        return "SwagPosterior[P=" + parameterCount() + ", n=" + collected + ", K=" + rank() + ", " + config.variant()
                + ", scale=" + config.scale() + "]";
    }
}
