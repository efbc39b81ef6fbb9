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
 * One pass over the training data: per batch a captured forward, the log-likelihood Σ_n log softmax(f(x_n))_{y_n},
 * the label-independent K-FAC statistics, C backward passes of Σ_n f_c(x_n) (one per class logit), and one virtual
 * gradient per curvature root combined from them (see {@link LabelWeights}).
 */
public final class Fitter {
    private Fitter() {
    }

    /** What a fit produced; the caller owns {@code theta} (retained) and {@code model}. */
    public record Result(PrecisionModel model, Tensor theta, long examples, double logLikelihood, int classes,
                         List<LoraLayer> selected, double passSeconds, int batches, double finishSeconds) {
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

    public static Result fit(AnswerScorer scorer, LoraAdapter adapter, Iterable<EncodedBatch> data, LaplaceConfig cfg) {
        return fit(scorer, adapter, data, cfg, ai.bayeslora.core.progress.Progress.none().start("laplace fit", 0));
    }

    /** As {@link #fit(AnswerScorer, LoraAdapter, Iterable, LaplaceConfig)}, advancing {@code progress} per example. */
    public static Result fit(AnswerScorer scorer, LoraAdapter adapter, Iterable<EncodedBatch> data, LaplaceConfig cfg,
                             ai.bayeslora.core.progress.ProgressTask progress) {
        List<LoraLayer> selected = select(adapter, cfg.modules());
        try (GradientEngine engine = new GradientEngine(scorer, adapter, selected);
             CurvatureBuilder builder = builder(cfg, engine.layout(), scorer.model().device().torchDevice())) {
            SplittableRandom rng = new SplittableRandom(cfg.seed());
            long n = 0;
            double ll = 0;
            int classes = -1;
            int batches = 0;
            long t0 = System.nanoTime();
            for (EncodedBatch batch : data) {
                batches++;
                try (NativeScope s = NativeScope.open()) {
                    Tensor f = engine.forward(batch);
                    int c = (int) f.size(1);
                    classes = c;
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
            if (n == 0) {
                throw new LaplaceException("no training batches: the Laplace fit needs data");
            }
            double passSeconds = (System.nanoTime() - t0) / 1e9;
            long t1 = System.nanoTime();
            PrecisionModel model = builder.finish(n);
            double finishSeconds = (System.nanoTime() - t1) / 1e9;
            Tensor theta;
            try (NativeScope s = NativeScope.open()) {
                theta = BlockLayout.flatten(selected).contiguous();
                NativeScope.keep(theta);
            }
            return new Result(model, theta, n, ll, classes, selected, passSeconds, batches, finishSeconds);
        }
    }

    private static CurvatureBuilder builder(LaplaceConfig cfg, BlockLayout layout, org.bytedeco.pytorch.Device device) {
        Structure s = cfg.structure();
        if (s == Structure.FULL || s == Structure.DIAG) {
            return new DenseCurvatureBuilder(layout, s, device);
        }
        return new KfacCurvatureBuilder(layout, s, cfg.positions(), cfg.rank(), cfg.lowRankThreshold(), device);
    }
}
