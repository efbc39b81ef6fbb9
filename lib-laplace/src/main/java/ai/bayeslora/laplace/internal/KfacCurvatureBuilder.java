package ai.bayeslora.laplace.internal;

import ai.bayeslora.core.data.EncodedBatch;
import ai.bayeslora.laplace.KfacPositions;
import ai.bayeslora.laplace.ParameterBlock;
import ai.bayeslora.laplace.Structure;
import java.util.ArrayList;
import java.util.List;
import org.bytedeco.pytorch.ScalarTypeOptional;
import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.global.torch;
import org.bytedeco.pytorch.global.torch.ScalarType;

/**
 * K-FAC factors per LoRA matrix (METHODS.md §6). For module y = base + s·B(A x) with u = A x, v = B u:
 * <ul>
 *   <li>block A: input side a = x (dim in), output side g = ∂ℓ/∂u (dim r);</li>
 *   <li>block B: input side a = u (dim r), output side g = ∂ℓ/∂v (dim out, or only the rows read).</li>
 * </ul>
 * G_b ≈ (1/N)(Σ a aᵀ) ⊗ (Σ g gᵀ) with N the number of input-side rows ({@link KfacPositions}: examples, or real
 * tokens for EXPAND); the 1/N goes on the input factor. With the exact Fisher the output side sums the C weighted
 * passes, Σ_c p_c g_c g_cᵀ per example, so one example and one position give the GGN block exactly.
 */
public final class KfacCurvatureBuilder implements CurvatureBuilder {
    private final BlockLayout layout;
    private final Structure structure;
    private final KfacPositions positions;
    private final List<FactorAccumulator> in = new ArrayList<>();
    private final List<FactorAccumulator> out = new ArrayList<>();
    private final long[] inputRows;
    private final org.bytedeco.pytorch.Device device;

    /**
     * @param device where the factors accumulate (the model's device)
     */
    public KfacCurvatureBuilder(BlockLayout layout, Structure structure, KfacPositions positions,
                                org.bytedeco.pytorch.Device device) {
        if (structure != Structure.KFAC && structure != Structure.KFAC_LOWRANK) {
            throw new IllegalArgumentException(structure.toString());
        }
        this.layout = layout;
        this.structure = structure;
        this.positions = positions;
        this.device = device;
        for (ParameterBlock pb : layout.blocks()) {
            in.add(new FactorAccumulator(pb.cols(), device));
            out.add(null); // created on the first pass, when the rows read are known
        }
        this.inputRows = new long[layout.blocks().size()];
    }

    @Override
    public void beginBatch(GradientEngine engine, EncodedBatch batch) {
        List<LoraCapture.Recorder> rec = engine.recorders();
        for (int i = 0; i < rec.size(); i++) {
            LoraCapture.Recorder r = rec.get(i);
            Tensor xa = rows(engine, r, r.x(), false);
            Tensor ua = rows(engine, r, r.u(), false);
            in.get(2 * i).add(xa, null);
            in.get(2 * i + 1).add(ua, null);
            inputRows[2 * i] += xa.size(0);
            inputRows[2 * i + 1] += ua.size(0);
        }
    }

    @Override
    public void addPass(GradientEngine engine, EncodedBatch batch, List<Tensor[]> outputGradients) {
        List<LoraCapture.Recorder> rec = engine.recorders();
        for (int i = 0; i < rec.size(); i++) {
            long[] vRows = rec.get(i).rows();
            Tensor gu = rows(engine, rec.get(i), outputGradients.get(i)[0], true);
            Tensor gv = rows(engine, rec.get(i), outputGradients.get(i)[1], true);
            add(2 * i, gu, null);
            add(2 * i + 1, gv, vRows);
        }
    }

    private void add(int block, Tensor g, long[] active) {
        if (out.get(block) == null) {
            out.set(block, new FactorAccumulator(layout.blocks().get(block).rows(), device));
        }
        out.get(block).add(g, active);
    }

    /**
     * The rows [n, d] that feed a factor, from a captured [N, L, d] (or [N, d]) tensor, per {@link KfacPositions}.
     * Gradients are summed over positions for REDUCE (they are zero at padding), inputs averaged over real tokens.
     * With multi-token labels the capture holds B·C expanded rows (lm_head: the read positions); REDUCE then pools
     * each example's rows, EXPAND takes every real position of them, and LAST_TOKEN is refused at the fit's start.
     */
    private Tensor rows(GradientEngine engine, LoraCapture.Recorder r, Tensor t, boolean gradient) {
        EncodedBatch batch = engine.capturedBatch();
        boolean multi = engine.continuation() != null;
        if (t.dim() == 2) {
            if (!multi || positions != KfacPositions.REDUCE) {
                return t;
            }
            Tensor sum = engine.perExampleSum(t, false);
            if (gradient) {
                return sum;
            }
            Tensor ones = torch.ones(new long[] {t.size(0), 1}, new org.bytedeco.pytorch.TensorOptions(t.scalar_type())
                    .device(new org.bytedeco.pytorch.DeviceOptional(t.device())));
            return sum.div(engine.perExampleSum(ones, false));
        }
        long n = t.size(0);
        long len = t.size(1);
        long d = t.size(2);
        switch (positions) {
            case LAST_TOKEN:
                if (multi) {
                    throw new IllegalStateException("K-FAC last-token positions with multi-token labels");
                }
                return t.select(1, len - 1); // left padding: the last column is every row's last real token
            case REDUCE: {
                Tensor mask = batch.attentionMaskTensor().to(t.device(), t.scalar_type()).unsqueeze(2);
                Tensor sum = engine.perExampleSum(t.mul(mask).sum(new long[] {1}, false, new ScalarTypeOptional()),
                        true);
                if (gradient) {
                    return sum;
                }
                Tensor count = engine.perExampleSum(mask.sum(new long[] {1}, false, new ScalarTypeOptional()), true);
                return sum.div(count);
            }
            case EXPAND: {
                Tensor mask = batch.attentionMaskTensor().reshape(-1);
                Tensor idx = torch.nonzero(mask).reshape(-1).to(t.device(), ScalarType.Long);
                return t.reshape(n * len, d).index_select(0, idx);
            }
            default:
                throw new IllegalStateException(positions.toString());
        }
    }

    @Override
    public CurvatureTerms terms() {
        int n = 2 * in.size();
        double[][] values = new double[n][];
        boolean[] packed = new boolean[n];
        int[] sides = new int[n];
        long[][] active = new long[n][];
        boolean[] precise = new boolean[n];
        for (int b = 0; b < in.size(); b++) {
            FactorAccumulator[] pair = {in.get(b), out.get(b)};
            int[] dims = {layout.blocks().get(b).cols(), layout.blocks().get(b).rows()};
            for (int k = 0; k < 2; k++) {
                int t = 2 * b + k;
                packed[t] = true;
                FactorAccumulator f = pair[k];
                if (f == null) { // no pass reached this block: a zero factor on all rows
                    sides[t] = dims[k];
                    continue;
                }
                values[t] = f.packedSum();
                sides[t] = f.side();
                active[t] = f.active();
                precise[t] = f.precise();
            }
        }
        return new CurvatureTerms(values, packed, sides, active, precise, inputRows.clone());
    }

    @Override
    public void close() {
        in.forEach(FactorAccumulator::close);
        out.forEach(o -> {
            if (o != null) {
                o.close();
            }
        });
    }

}
