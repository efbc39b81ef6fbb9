package ai.bayeslora.laplace;

import ai.bayeslora.laplace.internal.CurvatureTerms;
import java.io.Serializable;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * The sufficient statistics of a Laplace fit over some of the training data: the float64 curvature sums of its
 * {@link Structure} (FULL: the Gram Σ Jᵀ H J; DIAG: its diagonal; K-FAC and low-rank K-FAC: per parameter block the
 * dense input-side Gram Σ a aᵀ, the output-side Gram Σ g gᵀ and the input row count N_b), the example count and
 * Σ log p(y|x). Everything in a fit is a sum over examples, so the sums of disjoint parts of the data add up
 * ({@link #plus}) to the sums of the whole, and {@link LaplaceLoRA#fromStatistics} finishes the fit from them:
 * the factorisation (low-rank truncation included), the evidence and λ tuning, once, from the total.
 * {@link LaplaceLoRA.Fit#run()} is {@code fromStatistics} of {@link LaplaceLoRA.Fit#statistics()}.
 *
 * <p>Immutable and {@link Serializable} (Java serialization, for Spark). Symmetric sums are stored as packed upper
 * triangles, 8·m(m+1)/2 bytes per m×m factor ({@link #payloadBytes()}; docs/SPARK.md, "Laplace over partitions", gives
 * the sizes for a 7B model). {@link #pieces()} splits them into one object per factor, for a reduction by key.
 *
 * <p>With {@link FisherEstimate#MC_SAMPLED} the sampled labels of each part come from that part's seed, so the sum of
 * parts is a valid but different draw than one pass; the exact and empirical Fisher are deterministic.
 */
public final class CurvatureSums implements Serializable {
    private static final long serialVersionUID = 1L;

    /** The structure the sums are of. */
    private final Structure structure;
    /** Which labels weighted the curvature. */
    private final FisherEstimate fisher;
    /** K-FAC positions. */
    private final KfacPositions positions;
    /** MC label samples per example. */
    private final int mcSamples;
    /** The configuration's module suffixes. */
    private final List<String> modules;
    /** The parameter blocks, as {@code key rows×cols}. */
    private final List<String> blocks;
    /** SHA-256 of θ* as float64 (the adapter the sums were taken at). */
    private final String adapterFingerprint;
    /** The classes the curvature was summed over. */
    private final List<String> classLabels;
    /** Examples summed. */
    private final long examples;
    /** Σ log p(y|x) over them. */
    private final double logLikelihood;
    /** Batches summed. */
    private final int batches;
    /** Seconds the passes took, summed over parts. */
    private final double passSeconds;
    /** The curvature sums. */
    private final CurvatureTerms terms;

    CurvatureSums(Structure structure, FisherEstimate fisher, KfacPositions positions, int mcSamples,
                  List<String> modules, List<String> blocks, String adapterFingerprint, List<String> classLabels,
                  long examples, double logLikelihood, int batches, double passSeconds, CurvatureTerms terms) {
        this.structure = Objects.requireNonNull(structure);
        this.fisher = Objects.requireNonNull(fisher);
        this.positions = Objects.requireNonNull(positions);
        this.mcSamples = mcSamples;
        this.modules = List.copyOf(modules);
        this.blocks = List.copyOf(blocks);
        this.adapterFingerprint = Objects.requireNonNull(adapterFingerprint);
        this.classLabels = List.copyOf(classLabels);
        this.examples = examples;
        this.logLikelihood = logLikelihood;
        this.batches = batches;
        this.passSeconds = passSeconds;
        this.terms = Objects.requireNonNull(terms);
    }

    /** {@return the curvature structure} */
    public Structure structure() {
        return structure;
    }

    /** {@return which labels weighted the curvature} */
    public FisherEstimate fisher() {
        return fisher;
    }

    /** {@return which token positions fed the K-FAC factors} */
    public KfacPositions positions() {
        return positions;
    }

    /** {@return the module-name suffixes of the configuration (empty for all modules)} */
    public List<String> modules() {
        return modules;
    }

    /** {@return the parameter blocks, in θ order, as {@code module.A rows×cols}} */
    public List<String> blocks() {
        return blocks;
    }

    /** {@return SHA-256 of θ* as float64 bytes: the adapter values the sums were taken at} */
    public String adapterFingerprint() {
        return adapterFingerprint;
    }

    /** {@return the class labels the curvature was summed over} */
    public List<String> classLabels() {
        return classLabels;
    }

    /** {@return the number of examples summed (0 for the sums of no data)} */
    public long examples() {
        return examples;
    }

    /** {@return Σ_n log softmax(f(x_n))_{y_n} over the examples summed, in nats} */
    public double logLikelihood() {
        return logLikelihood;
    }

    /** {@return the number of batches summed} */
    public int batches() {
        return batches;
    }

    /** {@return the seconds the passes took, summed over the parts} */
    public double passSeconds() {
        return passSeconds;
    }

    /** {@return the bytes of the float64 sums held (8 per value; symmetric sums packed)} */
    public long payloadBytes() {
        return 8 * terms.doubles();
    }

    /** {@return the number of curvature terms: 1 for FULL and DIAG, 2 per parameter block for K-FAC} */
    public int termCount() {
        return terms.size();
    }

    /**
     * One curvature sum, unpacked: FULL's G [P, P] and K-FAC's factor Grams [m, m] (term 2b: block b's input side,
     * 2b + 1: its output side, on {@link #termRows(int)} of it) row-major, DIAG's diagonal [P]. Not scaled: the
     * K-FAC input side is Σ a aᵀ, before the 1/N_b of the fit.
     *
     * @param i the term, in [0, {@link #termCount()})
     * @return a new array; zeros for a term no row reached
     */
    public double[] term(int i) {
        int m = terms.side(i);
        double[] v = terms.values(i);
        if (!terms.packed(i)) {
            return v == null ? new double[m] : v.clone();
        }
        return v == null ? new double[Math.multiplyExact(m, m)] : CurvatureTerms.unpack(v, m);
    }

    /**
     * {@return the side m of term i's matrix (or the length of DIAG's vector)}
     *
     * @param i the term
     */
    public int termSide(int i) {
        return terms.side(i);
    }

    /**
     * {@return the coordinates term i's m rows stand for (lm_head's answer rows), or null for all}
     *
     * @param i the term
     */
    public long[] termRows(int i) {
        long[] a = terms.active(i);
        return a == null ? null : a.clone();
    }

    /** The curvature sums (package access for the fit and tests). */
    CurvatureTerms terms() {
        return terms;
    }

    /**
     * The sums of this part and {@code other}, a disjoint part of the same fit's data.
     *
     * @param other sums taken with the same configuration, adapter and classes
     * @return the sums of both parts (a new object)
     * @throws LaplaceException naming the field that differs (structure, Fisher, positions, MC samples, modules,
     *     parameter blocks, adapter, classes)
     */
    public CurvatureSums plus(CurvatureSums other) {
        requireSame("structure", structure, other.structure);
        requireSame("fisher", fisher, other.fisher);
        requireSame("positions", positions, other.positions);
        requireSame("mc samples", mcSamples, other.mcSamples);
        requireSame("modules", modules, other.modules);
        requireSame("parameter blocks", blocks, other.blocks);
        requireSame("adapter fingerprint", adapterFingerprint, other.adapterFingerprint);
        requireSame("class labels", classLabels, other.classLabels);
        CurvatureTerms t;
        try {
            t = terms.plus(other.terms);
        } catch (IllegalArgumentException e) {
            throw new LaplaceException("cannot add Laplace statistics: " + e.getMessage());
        }
        return with(examples + other.examples, logLikelihood + other.logLikelihood, batches + other.batches,
                passSeconds + other.passSeconds, t);
    }

    private static void requireSame(String field, Object a, Object b) {
        if (!a.equals(b)) {
            throw new LaplaceException("cannot add Laplace statistics of different fits: " + field + " " + a
                    + " vs " + b);
        }
    }

    private CurvatureSums with(long n, double ll, int nBatches, double seconds, CurvatureTerms t) {
        return new CurvatureSums(structure, fisher, positions, mcSamples, modules, blocks, adapterFingerprint,
                classLabels, n, ll, nBatches, seconds, t);
    }

    /**
     * These sums split into pieces that {@link #plus} adds back to them exactly: piece 0 holds the counts and the
     * log-likelihood, piece i ≥ 1 the (i−1)-th curvature term (a K-FAC factor, or FULL's and DIAG's one sum) with zero
     * counts. Pieces with the same index from several parts can be reduced by key, so no record holds more than one
     * factor (a Spark task result is one serialized buffer, at most 2 GiB).
     *
     * @return {@link #pieceCount()} pieces, in index order (a zero term's piece holds no values)
     */
    public List<CurvatureSums> pieces() {
        List<CurvatureSums> out = new ArrayList<>();
        out.add(with(examples, logLikelihood, batches, passSeconds, terms.only(-1, true)));
        for (int i = 0; i < terms.size(); i++) {
            out.add(with(0, 0, 0, 0, terms.only(i, false)));
        }
        return out;
    }

    /** {@return the number of pieces of {@link #pieces()}: one plus the number of curvature terms} */
    public int pieceCount() {
        return 1 + terms.size();
    }

    @Override
    public String toString() {
        return "CurvatureSums[" + structure.cliName() + ", " + examples + " examples, " + blocks.size() + " blocks, "
                + payloadBytes() + " bytes]";
    }
}
