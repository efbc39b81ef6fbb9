package ai.bayeslora.spark;

import ai.bayeslora.core.BayesLoraException;
import ai.bayeslora.uncertainty.metrics.ExpectedCalibrationError;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.functions;
import org.apache.spark.storage.StorageLevel;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;

/**
 * The metrics of a scored DataFrame ({@link UncertaintyScorer}'s output) against a label column, computed with Spark
 * aggregations under lib-uncertainty's definitions (docs/METHODS.md §7): the predicted class is the first arg-max of
 * p̄, the confidence its probability; ECE over equal-width bins (k/B, (k+1)/B] (a group-by on the bin); AURC the
 * mean selective risk over the rows sorted by confidence, highest first, ties in frame order (a sort). Equal to
 * {@code EvaluationReport.metrics()} and {@code selectivePrediction().aurc()} of the same rows up to the rounding of
 * sums taken in another order (at most γ_N times the sum of the terms' magnitudes, N the row count).
 *
 * @param examples N, the number of rows
 * @param classes C, the length of the probabilities
 * @param accuracy top-1 accuracy
 * @param nll mean negative log-likelihood of the label, nats (+∞ if a label has p̄ = 0)
 * @param brier multi-class Brier score Σ_c (p̄_c − [c = y])², averaged
 * @param eceBins the number of ECE bins
 * @param ece expected calibration error
 * @param mce maximum calibration error over non-empty bins
 * @param aurc area under the risk–coverage curve
 * @param meanPredictiveEntropy mean predictive (total) entropy, nats
 * @param meanExpectedEntropy mean expected (aleatoric) entropy, nats
 * @param meanMutualInformation mean mutual information (epistemic), nats
 */
public record ScoredMetrics(long examples, int classes, double accuracy, double nll, double brier, int eceBins,
                            double ece, double mce, double aurc, double meanPredictiveEntropy,
                            double meanExpectedEntropy, double meanMutualInformation) {
    private static final StructType PER_ROW = new StructType().add("idx", DataTypes.LongType, false)
            .add("bin", DataTypes.IntegerType, false).add("correct", DataTypes.IntegerType, false)
            .add("conf", DataTypes.DoubleType, false).add("nll", DataTypes.DoubleType, false)
            .add("brier", DataTypes.DoubleType, false).add("h", DataTypes.DoubleType, false)
            .add("eh", DataTypes.DoubleType, false).add("mi", DataTypes.DoubleType, false)
            .add("classes", DataTypes.IntegerType, false);

    /**
     * The metrics of a frame scored with the default output column names.
     *
     * @param scored the scorer's output
     * @param labelColumn the column of the correct class's index (int; for example {@value McqaFrames#ANSWER})
     * @param eceBins the number of ECE bins, at least 1
     * @return the metrics
     * @throws BayesLoraException naming the column when it is missing or a row's label is missing or out of range
     */
    public static ScoredMetrics of(Dataset<Row> scored, String labelColumn, int eceBins) {
        return of(scored, new UncertaintyScorer(), labelColumn, eceBins);
    }

    /**
     * The metrics of a frame scored by {@code scorer} (its output column names are read).
     *
     * @param scored the scorer's output
     * @param scorer the scorer that made it
     * @param labelColumn the column of the correct class's index (int)
     * @param eceBins the number of ECE bins, at least 1
     * @return the metrics
     * @throws BayesLoraException naming the column when it is missing or a row's label is missing or out of range
     */
    public static ScoredMetrics of(Dataset<Row> scored, UncertaintyScorer scorer, String labelColumn, int eceBins) {
        if (eceBins < 1) {
            throw new IllegalArgumentException("ECE needs at least 1 bin, got " + eceBins);
        }
        List<String> out = scorer.outputColumns();
        List<String> names = Arrays.asList(scored.schema().fieldNames());
        for (String c : List.of(out.get(0), out.get(3), out.get(4), out.get(5), labelColumn)) {
            if (!names.contains(c)) {
                throw new BayesLoraException("metrics: no column '" + c + "' in the scored frame (columns " + names
                        + ")");
            }
        }
        int bins = eceBins;
        // zipWithIndex runs one job to count the partitions' rows and the per-row frame another: without a cache
        // the scored frame (a model pass per row) would be computed twice
        boolean cacheHere = scored.storageLevel().equals(StorageLevel.NONE());
        if (cacheHere) {
            scored.persist(StorageLevel.MEMORY_AND_DISK());
        }
        JavaRDD<Row> perRowRdd = scored.select(out.get(0), labelColumn, out.get(3), out.get(4), out.get(5))
                .javaRDD().zipWithIndex().map(t -> perRow(t._1(), t._2(), bins, labelColumn));
        Dataset<Row> rows = scored.sparkSession().createDataFrame(perRowRdd, PER_ROW).cache();
        try {
            Row t = rows.agg(functions.count(functions.lit(1)), functions.sum("correct"), functions.sum("nll"),
                    functions.sum("brier"), functions.sum("h"), functions.sum("eh"), functions.sum("mi"),
                    functions.max("classes")).first();
            long n = t.getLong(0);
            if (n == 0) {
                throw new BayesLoraException("metrics: the scored frame has no rows");
            }
            long[] counts = new long[bins];
            double[] correctSum = new double[bins];
            double[] confSum = new double[bins];
            for (Row b : rows.groupBy("bin").agg(functions.count(functions.lit(1)), functions.sum("correct"),
                    functions.sum("conf")).collectAsList()) {
                counts[b.getInt(0)] = b.getLong(1);
                correctSum[b.getInt(0)] = b.getLong(2);
                confSum[b.getInt(0)] = b.getDouble(3);
            }
            double ece = 0;
            double mce = 0;
            for (int b = 0; b < bins; b++) { // as ExpectedCalibrationError: Σ_b n_b/N |acc_b − conf_b|
                if (counts[b] > 0) {
                    double gap = Math.abs(correctSum[b] / counts[b] - confSum[b] / counts[b]);
                    ece += (double) counts[b] / n * gap;
                    mce = Math.max(mce, gap);
                }
            }
            return new ScoredMetrics(n, t.getInt(7), (double) t.getLong(1) / n, t.getDouble(2) / n,
                    t.getDouble(3) / n, bins, ece, mce, aurc(rows, n), t.getDouble(4) / n, t.getDouble(5) / n,
                    t.getDouble(6) / n);
        } finally {
            rows.unpersist();
            if (cacheHere) {
                scored.unpersist();
            }
        }
    }

    /** AURC = (1/N) Σ_k errors(k)/k over the rows by descending confidence, ties in frame order. */
    private static double aurc(Dataset<Row> rows, long n) {
        JavaRDD<Integer> wrong = rows.orderBy(functions.desc("conf"), functions.asc("idx")).select("correct")
                .javaRDD().map(r -> 1 - r.getInt(0));
        // a prefix sum across partitions: each partition's row count and errors, then each partition's terms
        List<long[]> parts = wrong.mapPartitionsWithIndex((p, it) -> {
            long rowsSeen = 0;
            long errors = 0;
            while (it.hasNext()) {
                errors += it.next();
                rowsSeen++;
            }
            return List.of(new long[] {p, rowsSeen, errors}).iterator();
        }, true).collect();
        int partitions = parts.size();
        long[] rowOffset = new long[partitions];
        long[] errorOffset = new long[partitions];
        long[][] sorted = parts.toArray(new long[0][]);
        Arrays.sort(sorted, (a, b) -> Long.compare(a[0], b[0]));
        for (int p = 1; p < partitions; p++) {
            rowOffset[p] = rowOffset[p - 1] + sorted[p - 1][1];
            errorOffset[p] = errorOffset[p - 1] + sorted[p - 1][2];
        }
        List<Double> sums = wrong.mapPartitionsWithIndex((p, it) -> {
            long k = rowOffset[p];
            long errors = errorOffset[p];
            double sum = 0;
            while (it.hasNext()) {
                errors += it.next();
                k++;
                sum += (double) errors / k;
            }
            return List.of(sum).iterator();
        }, true).collect();
        double total = 0;
        for (double s : sums) {
            total += s;
        }
        return total / n;
    }

    private static Row perRow(Row r, long idx, int bins, String labelColumn) {
        List<Double> p = r.getList(0);
        if (r.isNullAt(1)) {
            throw new BayesLoraException("metrics: row " + idx + " has no label in column '" + labelColumn + "'");
        }
        int y = ((Number) r.get(1)).intValue();
        int c = p.size();
        if (y < 0 || y >= c) {
            throw new BayesLoraException("metrics: row " + idx + " has label " + y + " in column '" + labelColumn
                    + "', outside [0, " + c + ")");
        }
        int best = 0;
        for (int k = 1; k < c; k++) { // the first arg-max, as LabeledProbabilities.predicted
            if (p.get(k) > p.get(best)) {
                best = k;
            }
        }
        double conf = p.get(best);
        double brier = 0;
        for (int k = 0; k < c; k++) {
            double d = p.get(k) - (k == y ? 1 : 0);
            brier += d * d;
        }
        return RowFactory.create(idx, ExpectedCalibrationError.bin(conf, bins), best == y ? 1 : 0, conf,
                -Math.log(p.get(y)), brier, r.getDouble(2), r.getDouble(3), r.getDouble(4), c);
    }

    /** {@return one line: N, accuracy, NLL, Brier, ECE (bins), MCE, AURC and the mean entropies} */
    public String summary() {
        return String.format(Locale.ROOT, "N=%d C=%d acc=%.4f NLL=%.4f Brier=%.4f ECE(%d bins)=%.4f MCE=%.4f "
                        + "AURC=%.4f H=%.4f EH=%.4f MI=%.4f", examples, classes, accuracy, nll, brier, eceBins, ece,
                mce, aurc, meanPredictiveEntropy, meanExpectedEntropy, meanMutualInformation);
    }

    /** {@return the metrics as a two-column table, one metric per line} */
    public String table() {
        List<String> lines = new ArrayList<>();
        lines.add(String.format(Locale.ROOT, "%-22s %s", "metric", "value"));
        Object[][] rows = {{"examples", examples}, {"accuracy", accuracy}, {"NLL", nll}, {"Brier", brier},
            {"ECE (" + eceBins + " bins)", ece}, {"MCE", mce}, {"AURC", aurc},
            {"predictive entropy", meanPredictiveEntropy}, {"expected entropy", meanExpectedEntropy},
            {"mutual information", meanMutualInformation}};
        for (Object[] r : rows) {
            lines.add(r[1] instanceof Double d ? String.format(Locale.ROOT, "%-22s %.4f", r[0], d)
                    : String.format(Locale.ROOT, "%-22s %s", r[0], r[1]));
        }
        return String.join(System.lineSeparator(), lines) + System.lineSeparator();
    }
}
