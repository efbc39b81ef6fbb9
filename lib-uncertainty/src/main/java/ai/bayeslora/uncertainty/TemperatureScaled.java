package ai.bayeslora.uncertainty;

import ai.bayeslora.core.data.EncodedBatch;
import ai.bayeslora.core.mcqa.ClassReduction;
import ai.bayeslora.core.text.AnswerTokens;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Objects;

/**
 * Temperature scaling (Guo et al. 2017; docs/METHODS.md §7): the predictive mean p̄ of a base posterior, sharpened
 * or flattened by one scalar, p_T(c) ∝ p̄(c)^(1/T), i.e. softmax(log p̄ / T). For a single network this is
 * softmax(logits / T). T is fitted by minimising the NLL on a held-out labelled split ({@link #fit}); it is never fitted
 * on the data it is evaluated on. The result has one sample per prompt (it is a calibrated point predictive, with no
 * epistemic decomposition). With {@link MemberAveraging#LOGITS} the scaled predictive is that of the base's samples
 * combined by their logits (docs/METHODS.md §4), p_T ∝ softmax((1/S) Σ_s z_s)^(1/T). Immutable; borrows the base.
 */
public final class TemperatureScaled implements PosteriorPredictive {
    /** The search interval of β = 1/T (T from 0.02 to 100). NLL(β) is convex, so a golden-section search finds it. */
    static final double BETA_MIN = 0.01;
    static final double BETA_MAX = 50;

    private final PosteriorPredictive base;
    private final double temperature;
    private final MemberAveraging averaging;

    private TemperatureScaled(PosteriorPredictive base, double temperature, MemberAveraging averaging) {
        this.base = Objects.requireNonNull(base, "base");
        this.averaging = Objects.requireNonNull(averaging, "averaging");
        if (!(temperature > 0) || Double.isInfinite(temperature)) {
            throw new IllegalArgumentException("temperature must be positive and finite, got " + temperature);
        }
        this.temperature = temperature;
    }

    /**
     * {@code base} scaled by a given temperature.
     *
     * @param base the posterior to scale
     * @param temperature T, positive and finite: p_T ∝ p̄^(1/T)
     * @return the scaled predictive
     */
    public static TemperatureScaled of(PosteriorPredictive base, double temperature) {
        return of(base, temperature, MemberAveraging.PROBABILITIES);
    }

    /**
     * {@code base}, its samples combined by {@code averaging}, scaled by a given temperature.
     *
     * @param base the posterior to scale
     * @param temperature T, positive and finite: p_T ∝ p̄^(1/T)
     * @param averaging how the base's samples are combined before scaling
     * @return the scaled predictive
     */
    public static TemperatureScaled of(PosteriorPredictive base, double temperature, MemberAveraging averaging) {
        return new TemperatureScaled(base, temperature, averaging);
    }

    /**
     * Fits T on {@code heldOut} (labelled batches that are not the test data): one pass of the base posterior, then
     * the T that minimises the mean NLL.
     *
     * @param base the posterior to scale
     * @param heldOut labelled held-out batches
     * @return the scaled predictive with the fitted T
     * @throws IllegalArgumentException if the held-out batches hold no labelled example
     */
    public static TemperatureScaled fit(PosteriorPredictive base, Iterable<EncodedBatch> heldOut) {
        return fit(base, heldOut, MemberAveraging.PROBABILITIES);
    }

    /**
     * As {@link #fit(PosteriorPredictive, Iterable)} for the base's predictive under {@code averaging}.
     *
     * @param base the posterior to scale
     * @param heldOut labelled held-out batches
     * @param averaging how the base's samples are combined before scaling
     * @return the scaled predictive with the fitted T
     * @throws IllegalArgumentException if the held-out batches hold no labelled example
     */
    public static TemperatureScaled fit(PosteriorPredictive base, Iterable<EncodedBatch> heldOut,
                                        MemberAveraging averaging) {
        List<double[]> logs = new ArrayList<>();
        List<Integer> labels = new ArrayList<>();
        for (EncodedBatch batch : heldOut) {
            double[][] p = pooled(base.predict(batch), averaging);
            for (int b = 0; b < p.length; b++) {
                int y = batch.labels()[b];
                if (y < 0) {
                    continue;
                }
                double[] lp = new double[p[b].length];
                for (int c = 0; c < lp.length; c++) {
                    lp[c] = Math.log(p[b][c]);
                }
                logs.add(lp);
                labels.add(y);
            }
        }
        if (logs.isEmpty()) {
            throw new IllegalArgumentException("temperature scaling needs labelled held-out examples; got none");
        }
        double beta = goldenSection(logs, labels);
        return new TemperatureScaled(base, 1 / beta, averaging);
    }

    /** The base's predictive of one batch: {@link ProbabilitySamples#mean()} (as before) or the logit pool. */
    private static double[][] pooled(ProbabilitySamples samples, MemberAveraging averaging) {
        return averaging == MemberAveraging.PROBABILITIES ? samples.mean() : averaging.combine(samples);
    }

    /** Mean NLL of softmax(β · log p̄) over the held-out examples. */
    static double nll(List<double[]> logs, List<Integer> labels, double beta) {
        double total = 0;
        for (int i = 0; i < logs.size(); i++) {
            double[] lp = logs.get(i);
            double max = Double.NEGATIVE_INFINITY;
            for (double v : lp) {
                max = Math.max(max, beta * v);
            }
            double sum = 0;
            for (double v : lp) {
                sum += Math.exp(beta * v - max);
            }
            total += max + Math.log(sum) - beta * lp[labels.get(i)];
        }
        return total / logs.size();
    }

    private static double goldenSection(List<double[]> logs, List<Integer> labels) {
        double g = (Math.sqrt(5) - 1) / 2;
        double a = Math.log(BETA_MIN);
        double b = Math.log(BETA_MAX);
        // search in log β: the interval spans four decades; NLL is convex in β and unimodal in log β
        double c = b - g * (b - a);
        double d = a + g * (b - a);
        double fc = nll(logs, labels, Math.exp(c));
        double fd = nll(logs, labels, Math.exp(d));
        while (b - a > 1e-10) {
            if (fc < fd) {
                b = d;
                d = c;
                fd = fc;
                c = b - g * (b - a);
                fc = nll(logs, labels, Math.exp(c));
            } else {
                a = c;
                c = d;
                fc = fd;
                d = a + g * (b - a);
                fd = nll(logs, labels, Math.exp(d));
            }
        }
        return Math.exp((a + b) / 2);
    }

    /** {@return the fitted temperature T (above 1 softens an overconfident base)} */
    public double temperature() {
        return temperature;
    }

    /** {@return how the base's samples are combined before scaling} */
    public MemberAveraging averaging() {
        return averaging;
    }

    /** {@return the base posterior} */
    public PosteriorPredictive base() {
        return base;
    }

    @Override
    public ProbabilitySamples predict(EncodedBatch batch) {
        double[][] p = pooled(base.predict(batch), averaging);
        int b = p.length;
        int c = base.classLabels().size();
        double[] out = new double[b * c];
        double beta = 1 / temperature;
        for (int i = 0; i < b; i++) {
            double max = Double.NEGATIVE_INFINITY;
            for (int k = 0; k < c; k++) {
                max = Math.max(max, beta * Math.log(p[i][k]));
            }
            double sum = 0;
            for (int k = 0; k < c; k++) {
                out[i * c + k] = Math.exp(beta * Math.log(p[i][k]) - max);
                sum += out[i * c + k];
            }
            for (int k = 0; k < c; k++) {
                out[i * c + k] /= sum;
            }
        }
        return new ProbabilitySamples(out, 1, b, c, base.classLabels());
    }

    @Override
    public List<String> classLabels() {
        return base.classLabels();
    }

    @Override
    public ClassReduction reduction() {
        return base.reduction();
    }

    @Override
    public String name() {
        return String.format(Locale.ROOT, "temperature scaling (T=%.3g) of %s", temperature, base.name());
    }

    /** The same temperature on the base rescored (T was fitted on the original class set). */
    @Override
    public PosteriorPredictive rescored(AnswerTokens answers, ClassReduction reduction) {
        return new TemperatureScaled(base.rescored(answers, reduction), temperature, averaging);
    }
}
