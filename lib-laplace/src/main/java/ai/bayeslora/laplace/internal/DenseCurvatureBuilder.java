package ai.bayeslora.laplace.internal;

import ai.bayeslora.core.NativeScope;
import ai.bayeslora.core.data.EncodedBatch;
import ai.bayeslora.laplace.Structure;
import java.util.ArrayList;
import java.util.List;
import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.TensorOptions;
import org.bytedeco.pytorch.global.torch;
import org.bytedeco.pytorch.global.torch.ScalarType;

/**
 * {@link Structure#FULL} and {@link Structure#DIAG} from exact per-example gradients: each pass gives rows
 * w_n ∇ℓ_n of a matrix M [N, P]; FULL adds Mᵀ M, DIAG adds the column sums of M ∘ M. Over the passes of
 * {@code FisherEstimate.EXACT} this is Σ_n Σ_c p_{n,c} g_{n,c} g_{n,c}ᵀ = Σ_n J_nᵀ H_n J_n exactly.
 */
public final class DenseCurvatureBuilder implements CurvatureBuilder {
    private final BlockLayout layout;
    private final boolean full;
    private final Tensor acc; // [P, P] or [P], float64, retained

    /**
     * @param device where the curvature accumulates (the model's device)
     */
    public DenseCurvatureBuilder(BlockLayout layout, Structure structure, org.bytedeco.pytorch.Device device) {
        if (structure != Structure.FULL && structure != Structure.DIAG) {
            throw new IllegalArgumentException(structure.toString());
        }
        this.layout = layout;
        this.full = structure == Structure.FULL;
        long p = layout.size();
        if (full && p > 20_000) {
            throw new IllegalArgumentException("structure FULL needs a dense " + p + "×" + p + " matrix ("
                    + String.format("%.1f", 8.0 * p * p / (1L << 30)) + " GiB); use diag, kfac or kfac-lowrank, or "
                    + "select fewer modules");
        }
        try (NativeScope s = NativeScope.open()) {
            acc = torch.zeros(full ? new long[] {p, p} : new long[] {p}, new TensorOptions(ScalarType.Double)
                    .device(new org.bytedeco.pytorch.DeviceOptional(device)));
            NativeScope.keep(acc);
        }
    }

    @Override
    public void beginBatch(GradientEngine engine, EncodedBatch batch) {
        // nothing label independent to collect
    }

    @Override
    public void addPass(GradientEngine engine, EncodedBatch batch, List<Tensor[]> outputGradients) {
        List<Tensor> parts = new ArrayList<>();
        for (int i = 0; i < outputGradients.size(); i++) {
            Tensor[] g = engine.perExample(i, outputGradients.get(i));
            parts.add(g[0].to(ScalarType.Double));
            parts.add(g[1].to(ScalarType.Double));
        }
        Tensor m = layout.assemble(parts, engine.blockRows()); // [N, P]
        if (full) {
            acc.addmm_(m.t(), m);
        } else {
            acc.add_(m.square().sum(new long[] {0}, false, new org.bytedeco.pytorch.ScalarTypeOptional()));
        }
    }

    @Override
    public CurvatureTerms terms() {
        int p = Math.toIntExact(layout.size());
        double[] sum = ai.bayeslora.core.Tensors.toDoubles(acc);
        return new CurvatureTerms(new double[][] {full ? CurvatureTerms.pack(sum, p) : sum}, new boolean[] {full},
                new int[] {p}, new long[1][], new boolean[1], new long[0]);
    }

    @Override
    public void close() {
        NativeScope.release(acc);
    }
}
