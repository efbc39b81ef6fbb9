package ai.bayeslora.spark.internal;

import ai.bayeslora.core.data.McqaDataset;
import ai.bayeslora.core.data.McqaExample;
import ai.bayeslora.spark.McqaFrames;
import java.io.Serializable;
import java.util.ArrayList;
import java.util.List;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;

/**
 * A dataset as Spark rows ({@link McqaFrames}) plus its name and class set, broadcast to the training tasks;
 * {@link #dataset()} rebuilds the same questions in the same order (what the checkpoints' data fingerprint needs).
 *
 * @param source the dataset's name
 * @param classLabels its class set
 * @param rows one row per question, in order
 */
public record TrainingRows(String source, ArrayList<String> classLabels, ArrayList<Row> rows) implements Serializable {
    private static final long serialVersionUID = 1L;

    /**
     * The rows of {@code d}, through a one-partition DataFrame of {@link McqaFrames#SCHEMA}.
     *
     * @param spark the session
     * @param d the dataset
     * @return its rows
     */
    public static TrainingRows of(SparkSession spark, McqaDataset d) {
        return new TrainingRows(d.source(), new ArrayList<>(d.classLabels()),
                new ArrayList<>(McqaFrames.toFrame(spark, d, 1).collectAsList()));
    }

    /** {@return the questions again} */
    public McqaDataset dataset() {
        List<McqaExample> examples = new ArrayList<>(rows.size());
        for (int i = 0; i < rows.size(); i++) {
            examples.add(McqaFrames.toExample(rows.get(i), i));
        }
        return McqaDataset.of(source, List.copyOf(classLabels), examples);
    }
}
