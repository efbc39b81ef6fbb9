package ai.bayeslora.laplace.internal;

import ai.bayeslora.core.NativeScope;
import ai.bayeslora.core.Tensors;
import ai.bayeslora.laplace.ParameterBlock;
import ai.bayeslora.laplace.Structure;
import java.util.ArrayList;
import java.util.List;
import org.bytedeco.pytorch.Device;
import org.bytedeco.pytorch.DeviceOptional;
import org.bytedeco.pytorch.Scalar;
import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.TensorOptions;
import org.bytedeco.pytorch.global.torch;
import org.bytedeco.pytorch.global.torch.ScalarType;

/**
 * The factorisation step of a fit: the {@link PrecisionModel} of the accumulated {@link CurvatureTerms} (the whole
 * data's, whether one pass or the sum of several). FULL: eigh of the dense G; DIAG: the diagonal; K-FAC: per factor
 * its eigenvalues (eigenvectors deferred), the input factor scaled by 1/N_b; low-rank factors keep their k largest
 * eigenpairs here, once, from the dense sum.
 */
public final class CurvatureFinish {
    private CurvatureFinish() {
    }

    /**
     * @param layout the posterior's parameter blocks
     * @param structure the curvature structure the terms were accumulated for
     * @param rank low-rank k (KFAC_LOWRANK)
     * @param threshold factor sides of at least this length are low-rank (KFAC_LOWRANK)
     * @param terms the sums
     * @param device where the posterior lives (the model's device)
     * @return the fitted curvature; the caller owns it
     */
    public static PrecisionModel precision(BlockLayout layout, Structure structure, int rank, int threshold,
                                           CurvatureTerms terms, Device device) {
        TensorOptions f64 = new TensorOptions(ScalarType.Double).device(new DeviceOptional(device));
        try (NativeScope s = NativeScope.open()) {
            int p = Math.toIntExact(layout.size());
            switch (structure) {
                case FULL: {
                    double[] v = terms.values(0);
                    Tensor g = v == null ? torch.zeros(new long[] {p, p}, f64)
                            : onDevice(Tensors.ofDoubles(CurvatureTerms.unpack(v, p), p, p), device);
                    return FullPrecision.fromCurvature(layout, g);
                }
                case DIAG: {
                    double[] v = terms.values(0);
                    return DiagPrecision.of(layout, v == null ? torch.zeros(new long[] {p}, f64)
                            : onDevice(Tensors.ofDoubles(v, p), device));
                }
                case KFAC:
                case KFAC_LOWRANK:
                    return kfac(layout, structure, rank, threshold, terms, device, f64);
                default:
                    throw new IllegalStateException(structure.toString());
            }
        }
    }

    private static PrecisionModel kfac(BlockLayout layout, Structure structure, int rank, int threshold,
                                       CurvatureTerms terms, Device device, TensorOptions f64) {
        long[] rows = terms.inputRows();
        List<FactorEigen> ins = new ArrayList<>();
        List<FactorEigen> outs = new ArrayList<>();
        for (int b = 0; b < layout.blocks().size(); b++) {
            ParameterBlock pb = layout.blocks().get(b);
            // the K-FAC normalisation (1/N) Σ a aᵀ ⊗ Σ g gᵀ
            ins.add(factor(pb.cols(), terms, 2 * b, 1.0 / Math.max(rows[b], 1), structure, rank, threshold, device,
                    f64));
            outs.add(factor(pb.rows(), terms, 2 * b + 1, 1.0, structure, rank, threshold, device, f64));
        }
        return new KfacPrecision(layout, structure, ins, outs);
    }

    /** The eigen form of {@code scale} · term t; a zero term is a rank-0 factor. */
    private static FactorEigen factor(int dim, CurvatureTerms terms, int t, double scale, Structure structure,
                                      int rank, int threshold, Device device, TensorOptions f64) {
        int m = terms.side(t);
        long[] active = terms.active(t);
        double[] v = terms.values(t);
        if (v == null) {
            Tensor q = torch.zeros(new long[] {m, 0}, f64);
            Tensor e = torch.zeros(new long[] {0}, f64);
            NativeScope.keep(q);
            NativeScope.keep(e);
            return new FactorEigen(dim, active, q, e);
        }
        int keep = structure == Structure.KFAC_LOWRANK && m >= threshold ? rank : m;
        Tensor dense = onDevice(Tensors.ofDoubles(CurvatureTerms.unpack(v, m), m, m), device)
                .mul(new Scalar(scale));
        return FactorEigen.ofDense(dim, active, dense, keep, terms.precise(t));
    }

    private static Tensor onDevice(Tensor cpu, Device device) {
        return device.is_cpu() ? cpu : cpu.to(device, ScalarType.Double);
    }
}
