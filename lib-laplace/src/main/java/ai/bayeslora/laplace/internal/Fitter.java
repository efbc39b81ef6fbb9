package ai.bayeslora.laplace.internal;

import ai.bayeslora.core.NativeScope;
import ai.bayeslora.core.Tensors;
import ai.bayeslora.core.data.EncodedBatch;
import ai.bayeslora.core.mcqa.AnswerScorer;
import ai.bayeslora.laplace.LaplaceConfig;
import ai.bayeslora.laplace.LaplaceException;
import ai.bayeslora.laplace.Structure;
import ai.bayeslora.lora.LoraAdapter;
import ai.bayeslora.lora.LoraLayer;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.global.torch;

/**
 * A fit in two steps. {@link #accumulate}: one pass over (a part of) the training data: per batch a captured forward,
 * the log-likelihood Σ_n log softmax(f(x_n))_{y_n}, the label-independent K-FAC statistics and one backward pass per
 * curvature root (see {@link LabelWeights}), ending in the float64 sums ({@link CurvatureTerms}). {@link #finish}:
 * the factorisation of the sums of the whole data. Sums of disjoint parts add up to the sums of the whole
 * (docs/SPARK.md, "Laplace over partitions").
 */
public final class Fitter {
    private Fitter() {
    }

    /** What a fit produced; the caller owns {@code theta} (retained) and {@code model}. */
    public record Result(PrecisionModel model, Tensor theta, List<LoraLayer> selected, double finishSeconds) {
    }

    /** What one pass accumulated: the curvature sums, the example count and Σ log p(y|x) of the pass's data. */
    public record Pass(CurvatureTerms terms, long examples, double logLikelihood, int batches, double passSeconds) {
    }

    /** The adapter's layers whose module name ends with one of {@code suffixes} (all if empty), in model order. */
    public static List<LoraLayer> select(LoraAdapter adapter, List<String> suffixes) {
        List<LoraLayer> out = new ArrayList<>();
        for (LoraLayer l : adapter.layers().values()) {
            String n = l.moduleName();
            if (suffixes.isEmpty() || suffixes.stream().anyMatch(s -> n.equals(s) || n.endsWith("." + s))) {
                out.add(l);
            }
        }
        if (out.isEmpty()) {
            throw new LaplaceException("modules " + suffixes + " match none of the adapter's LoRA modules "
                    + adapter.layers().keySet().stream().limit(4).toList());
        }
        return out;
    }

    /**
     * One pass over {@code data} (possibly empty: then every sum is zero), advancing {@code progress} per example.
     */
    public static Pass accumulate(AnswerScorer scorer, LoraAdapter adapter, Iterable<EncodedBatch> data,
                                  LaplaceConfig cfg, ai.bayeslora.core.progress.ProgressTask progress) {
        List<LoraLayer> selected = select(adapter, cfg.modules());
        try (GradientEngine engine = new GradientEngine(scorer, adapter, selected);
             CurvatureBuilder builder = builder(cfg, engine.layout(), scorer.model().device().torchDevice())) {
            SplittableRandom rng = new SplittableRandom(cfg.seed());
            long n = 0;
            double ll = 0;
            int batches = 0;
            long t0 = System.nanoTime();
            for (EncodedBatch batch : data) {
                batches++;
                try (NativeScope s = NativeScope.open()) {
                    Tensor f = engine.forward(batch);
                    int c = (int) f.size(1);
                    int rows = batch.batchSize();
                    // a row with fewer choices: p over its own (zero elsewhere), so its GGN term is that of the
                    // restricted softmax (METHODS §1); under (b) the merged "other" class has no such form
                    if (scorer.reduction() == ai.bayeslora.core.mcqa.ClassReduction.FULL_VOCAB_WITH_OTHER
                            && ai.bayeslora.core.mcqa.ClassMask.needed(batch.classCounts(), c - 1)) {
                        throw new LaplaceException("the Laplace fit under the full-vocabulary reduction needs every "
                                + "row to have all " + (c - 1) + " choices; keep only N-choice rows (--choices N) or "
                                + "use the answer-token reduction");
                    }
                    double[] lp = Tensors.toDoubles(ai.bayeslora.core.mcqa.ClassMask.logProbs(torch.log_softmax(
                            f.detach().to(org.bytedeco.pytorch.global.torch.ScalarType.Double), 1),
                            batch.classCounts(), 1, scorer.reduction()));
                    double[] p = new double[lp.length];
                    for (int i = 0; i < lp.length; i++) {
                        p[i] = Math.exp(lp[i]);
                    }
                    int[] labels = batch.labels();
                    for (int r = 0; r < rows; r++) {
                        if (labels[r] < 0 || labels[r] >= c) {
                            throw new LaplaceException("example " + batch.exampleIds().get(r) + " has no answer label;"
                                    + " the Laplace fit needs labelled training data (the evidence uses log p(y|x))");
                        }
                        ll += lp[r * c + labels[r]];
                    }
                    builder.beginBatch(engine, batch);
                    // one backward pass per root of the output curvature: Σ_n Σ_c r_{n,k,c} f_c(x_n) gives every
                    // example's virtual gradient J_nᵀ r_{n,k} at once; at most C − 1 roots (docs/LAPLACE.md, "Costs")
                    double[][] roots = LabelWeights.passes(LabelWeights.roots(cfg.fisher(), p, rows, c, labels,
                            cfg.mcSamples(), rng), rows, c);
                    for (int k = 0; k < roots.length; k++) {
                        try (NativeScope pass = NativeScope.open()) { // the pass's gradients die with it
                            Tensor w = Tensors.ofDoubles(roots[k], rows, c).to(f.device(), f.scalar_type());
                            builder.addPass(engine, batch, engine.outputGradients(f.mul(w).sum(),
                                    k < roots.length - 1));
                        }
                    }
                    engine.forwardDone();
                    n += rows;
                    progress.advance(rows);
                }
            }
            return new Pass(builder.terms(), n, ll, batches, (System.nanoTime() - t0) / 1e9);
        }
    }

    /**
     * The posterior's curvature and θ* from the sums of the whole training data.
     *
     * @param adapter the adapter whose current values are θ*
     * @param cfg the configuration the sums were accumulated with
     * @param terms the sums
     */
    public static Result finish(LoraAdapter adapter, LaplaceConfig cfg, CurvatureTerms terms) {
        List<LoraLayer> selected = select(adapter, cfg.modules());
        long t1 = System.nanoTime();
        PrecisionModel model = CurvatureFinish.precision(BlockLayout.of(selected), cfg.structure(), cfg.rank(),
                cfg.lowRankThreshold(), terms, adapter.model().device().torchDevice());
        double finishSeconds = (System.nanoTime() - t1) / 1e9;
        Tensor theta;
        try (NativeScope s = NativeScope.open()) {
            theta = BlockLayout.flatten(selected).contiguous();
            NativeScope.keep(theta);
        }
        return new Result(model, theta, selected, finishSeconds);
    }

    private static CurvatureBuilder builder(LaplaceConfig cfg, BlockLayout layout, org.bytedeco.pytorch.Device device) {
        Structure s = cfg.structure();
        if (s == Structure.FULL || s == Structure.DIAG) {
            return new DenseCurvatureBuilder(layout, s, device);
        }
        return new KfacCurvatureBuilder(layout, s, cfg.positions(), device);
    }
}
