package ai.bayeslora.spark.internal;

import ai.bayeslora.BayesLora;
import ai.bayeslora.core.data.McqaDataset;
import ai.bayeslora.core.data.McqaExample;
import ai.bayeslora.uncertainty.Prediction;
import ai.bayeslora.uncertainty.UncertaintyEstimator;
import ai.bayeslora.uncertainty.metrics.UncertaintyDecomposition;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.Iterator;
import java.util.List;
import java.util.NoSuchElementException;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;

/**
 * Scores one partition's rows lazily, {@link ScoringSpec#batchSize()} rows at a time, in order: each batch is a
 * {@link McqaDataset} over the class set, predicted by the shared posterior's {@link UncertaintyEstimator} (the
 * library's own path, so a row's numbers are those of {@code evaluate} with the same batch). Each output row is the
 * input row followed by probabilities, predicted label, confidence, predictive entropy, expected entropy and
 * mutual information.
 */
public final class PartitionScorer implements Iterator<Row> {
    private final ScoringSpec spec;
    private final Iterator<Row> rows;
    private final String prefix;
    private final Deque<Row> ready = new ArrayDeque<>();
    private UncertaintyEstimator estimator;
    private long index;

    /**
     * @param spec the settings
     * @param partition the partition's number, for ids of rows without one ({@code pP-rI})
     * @param rows the partition's rows
     */
    public PartitionScorer(ScoringSpec spec, int partition, Iterator<Row> rows) {
        this.spec = spec;
        this.rows = rows;
        this.prefix = "p" + partition + "-r";
    }

    @Override
    public boolean hasNext() {
        if (ready.isEmpty() && rows.hasNext()) {
            scoreNextBatch();
        }
        return !ready.isEmpty();
    }

    @Override
    public Row next() {
        if (!hasNext()) {
            throw new NoSuchElementException();
        }
        return ready.poll();
    }

    private void scoreNextBatch() {
        List<Row> batch = new ArrayList<>(spec.batchSize());
        List<McqaExample> examples = new ArrayList<>(spec.batchSize());
        while (rows.hasNext() && batch.size() < spec.batchSize()) {
            Row r = rows.next();
            batch.add(r);
            examples.add(spec.columns().toExample(r, prefix + index++, spec.classLabels()));
        }
        if (estimator == null) { // the first batch loads (or finds) the JVM's model and posterior
            BayesLora bayes = spec.model().shared();
            estimator = SharedPosterior.of(spec).estimator(bayes, spec);
        }
        Prediction p = estimator.predict(McqaDataset.of("partition rows " + prefix, spec.classLabels(), examples));
        double[][] mean = p.mean();
        double[] confidence = p.confidence();
        UncertaintyDecomposition u = p.uncertainty();
        double[] total = u.total();
        double[] aleatoric = u.aleatoric();
        double[] epistemic = u.epistemic();
        for (int b = 0; b < batch.size(); b++) {
            Row in = batch.get(b);
            Object[] out = new Object[in.length() + 6];
            for (int i = 0; i < in.length(); i++) {
                out[i] = in.get(i);
            }
            int k = in.length();
            out[k] = mean[b];
            out[k + 1] = p.predictedLabel(b);
            out[k + 2] = confidence[b];
            out[k + 3] = total[b];
            out[k + 4] = aleatoric[b];
            out[k + 5] = epistemic[b];
            ready.add(RowFactory.create(out));
        }
    }
}
