package ai.bayeslora.laplace.internal;

import ai.bayeslora.laplace.PriorTuning;
import java.util.ArrayList;
import java.util.List;

/**
 * The Laplace log marginal likelihood as a function of the prior precision, from the curvature spectra (METHODS.md
 * §6): E(λ) = log p(D|θ*) + Σ_g [ −(λ_g/2)‖θ*_g‖² + (P_g/2) log λ_g − ½ log det(G_g + λ_g I) ] over prior groups g.
 * Not bayesian_lora's model_evidence (its prior term +‖θ‖/s2 is neither squared nor of the right sign).
 */
public final class Evidence {
    private final double logLikelihood;
    private final List<Spectrum> groups;
    private final double[] thetaSq;
    private final int blocks;

    /**
     * @param thetaSqPerBlock ‖θ*_b‖² per parameter block
     */
    public Evidence(double logLikelihood, List<Spectrum> groups, double[] thetaSqPerBlock) {
        this.logLikelihood = logLikelihood;
        this.groups = List.copyOf(groups);
        this.blocks = thetaSqPerBlock.length;
        this.thetaSq = new double[groups.size()];
        for (int g = 0; g < groups.size(); g++) {
            for (int b : groups.get(g).blocks()) {
                thetaSq[g] += thetaSqPerBlock[b];
            }
        }
    }

    /** E at per-block λ (blocks of one group must share λ). */
    public double at(double[] lambdas) {
        double e = logLikelihood;
        for (int g = 0; g < groups.size(); g++) {
            e += group(g, groupLambda(g, lambdas));
        }
        return e;
    }

    /** E at a scalar λ. */
    public double at(double lambda) {
        double e = logLikelihood;
        for (int g = 0; g < groups.size(); g++) {
            e += group(g, lambda);
        }
        return e;
    }

    private double groupLambda(int g, double[] lambdas) {
        int[] bs = groups.get(g).blocks();
        double l = lambdas[bs[0]];
        for (int b : bs) {
            if (lambdas[b] != l) {
                throw new IllegalArgumentException("blocks of one prior group must share λ");
            }
        }
        return l;
    }

    /** Group g's term: −(λ/2)‖θ‖² + (P/2) log λ − ½ log det(G + λI). */
    private double group(int g, double lambda) {
        Spectrum s = groups.get(g);
        return -0.5 * lambda * thetaSq[g] + 0.5 * s.size() * Math.log(lambda) - 0.5 * s.logDet(lambda);
    }

    /** d(group term)/d(log λ) = λ(−‖θ‖²/2 + P/(2λ) − ½ d log det/dλ). */
    private double groupSlope(int g, double lambda) {
        Spectrum s = groups.get(g);
        return lambda * (-0.5 * thetaSq[g] + 0.5 * s.size() / lambda - 0.5 * s.logDetDerivative(lambda));
    }

    /** Maximises E over scalar λ or per group, and reports the scalar curve on the grid. */
    public PriorTuning.Result tune(PriorTuning.Options o) {
        double[] lambdas = new double[blocks];
        String method = o.method().name().toLowerCase(java.util.Locale.ROOT) + (o.perBlock() ? " per block" : "");
        if (o.perBlock()) {
            for (int g = 0; g < groups.size(); g++) {
                int gg = g;
                double l = maximise(o, lam -> group(gg, lam), lam -> groupSlope(gg, lam));
                for (int b : groups.get(g).blocks()) {
                    lambdas[b] = l;
                }
            }
        } else {
            double l = maximise(o, this::at, lam -> {
                double s = 0;
                for (int g = 0; g < groups.size(); g++) {
                    s += groupSlope(g, lam);
                }
                return s;
            });
            java.util.Arrays.fill(lambdas, l);
        }
        List<double[]> curve = new ArrayList<>();
        for (double l : grid(o)) {
            curve.add(new double[] {l, at(l)});
        }
        return new PriorTuning.Result(method, lambdas, at(lambdas), curve);
    }

    static double[] grid(PriorTuning.Options o) {
        double[] g = new double[o.gridPoints()];
        double a = Math.log(o.gridMin());
        double b = Math.log(o.gridMax());
        for (int i = 0; i < g.length; i++) {
            g[i] = Math.exp(a + (b - a) * i / (g.length - 1));
        }
        return g;
    }

    private static double maximise(PriorTuning.Options o, java.util.function.DoubleUnaryOperator f,
                                   java.util.function.DoubleUnaryOperator slopeInLog) {
        switch (o.method()) {
            case GRID: {
                double best = Double.NaN;
                double bestVal = Double.NEGATIVE_INFINITY;
                for (double l : grid(o)) {
                    double v = f.applyAsDouble(l);
                    if (v > bestVal) {
                        bestVal = v;
                        best = l;
                    }
                }
                return best;
            }
            case ADAM: {
                // minimise −E over u = log λ, as the Laplace-LoRA paper (torch.optim.Adam defaults β=(0.9, 0.999))
                double u = Math.log(o.initial());
                double m = 0;
                double v = 0;
                for (int t = 1; t <= o.adamSteps(); t++) {
                    double grad = -slopeInLog.applyAsDouble(Math.exp(u));
                    m = 0.9 * m + 0.1 * grad;
                    v = 0.999 * v + 0.001 * grad * grad;
                    double mHat = m / (1 - Math.pow(0.9, t));
                    double vHat = v / (1 - Math.pow(0.999, t));
                    u -= o.adamLearningRate() * mHat / (Math.sqrt(vHat) + 1e-8);
                }
                return Math.exp(u);
            }
            case LINE_SEARCH: {
                // the slope in log λ has the sign of dE/dλ, which decreases in λ: bisect its sign change
                double lo = Math.log(1e-12);
                double hi = Math.log(1e12);
                if (slopeInLog.applyAsDouble(Math.exp(lo)) <= 0) {
                    return Math.exp(lo);
                }
                if (slopeInLog.applyAsDouble(Math.exp(hi)) >= 0) {
                    return Math.exp(hi);
                }
                while (hi - lo > 1e-10) {
                    double mid = 0.5 * (lo + hi);
                    if (slopeInLog.applyAsDouble(Math.exp(mid)) > 0) {
                        lo = mid;
                    } else {
                        hi = mid;
                    }
                }
                return Math.exp(0.5 * (lo + hi));
            }
            default:
                throw new IllegalStateException(o.method().toString());
        }
    }
}
