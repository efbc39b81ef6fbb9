package ai.bayeslora.spark;

import ai.bayeslora.core.BayesLoraException;
import ai.bayeslora.core.data.McqaDataset;
import ai.bayeslora.core.data.McqaExample;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructField;
import org.apache.spark.sql.types.StructType;

/**
 * MCQA questions as Spark rows, and back (docs/SPARK.md, "Input columns"). The columns:
 * <table>
 *   <caption>Columns</caption>
 *   <tr><th>column</th><th>type</th><th>meaning</th></tr>
 *   <tr><td>{@value #ID}</td><td>string</td><td>a stable identifier</td></tr>
 *   <tr><td>{@value #QUESTION}</td><td>string</td><td>the question, or the whole prompt if {@value #VERBATIM}</td></tr>
 *   <tr><td>{@value #CHOICES}</td><td>array&lt;string&gt;</td><td>the answer texts (empty for a verbatim prompt)</td></tr>
 *   <tr><td>{@value #LABELS}</td><td>array&lt;string&gt;</td><td>the row's class labels, a prefix of the class set</td></tr>
 *   <tr><td>{@value #ANSWER}</td><td>int</td><td>the index of the correct label, -1 (or null) if unknown</td></tr>
 *   <tr><td>{@value #SUBJECT}</td><td>string, nullable</td><td>the subject (MMLU)</td></tr>
 *   <tr><td>{@value #VERBATIM}</td><td>boolean</td><td>whether {@value #QUESTION} is a complete prompt</td></tr>
 *   <tr><td>{@value #CONTEXT}</td><td>string, nullable</td><td>a passage (BoolQ)</td></tr>
 * </table>
 * Only {@value #QUESTION} and {@value #LABELS} (or {@value #CHOICES}) are required when reading rows back; a missing
 * {@value #ID} becomes {@code row-N}, missing labels become A, B, … one per choice, a missing {@value #VERBATIM} is
 * false.
 */
public final class McqaFrames {
    /** Column: the identifier. */
    public static final String ID = "id";
    /** Column: the question (or verbatim prompt). */
    public static final String QUESTION = "question";
    /** Column: the answer texts. */
    public static final String CHOICES = "choices";
    /** Column: the row's class labels. */
    public static final String LABELS = "labels";
    /** Column: the correct label's index. */
    public static final String ANSWER = "answer";
    /** Column: the subject. */
    public static final String SUBJECT = "subject";
    /** Column: whether the question is a verbatim prompt. */
    public static final String VERBATIM = "verbatim";
    /** Column: the context passage. */
    public static final String CONTEXT = "context";

    /** The schema {@link #toFrame} writes. */
    public static final StructType SCHEMA = new StructType(new StructField[] {
        DataTypes.createStructField(ID, DataTypes.StringType, false),
        DataTypes.createStructField(QUESTION, DataTypes.StringType, false),
        DataTypes.createStructField(CHOICES, DataTypes.createArrayType(DataTypes.StringType, false), false),
        DataTypes.createStructField(LABELS, DataTypes.createArrayType(DataTypes.StringType, false), false),
        DataTypes.createStructField(ANSWER, DataTypes.IntegerType, false),
        DataTypes.createStructField(SUBJECT, DataTypes.StringType, true),
        DataTypes.createStructField(VERBATIM, DataTypes.BooleanType, false),
        DataTypes.createStructField(CONTEXT, DataTypes.StringType, true)});

    private McqaFrames() {
    }

    /**
     * A dataset's questions as rows of {@link #SCHEMA}, in dataset order.
     *
     * @param dataset the questions
     * @return one row per question
     */
    public static List<Row> toRows(McqaDataset dataset) {
        List<Row> rows = new ArrayList<>(dataset.size());
        for (McqaExample e : dataset.examples()) {
            rows.add(RowFactory.create(e.id(), e.question(), e.choices().toArray(new String[0]),
                    e.labels().toArray(new String[0]), e.answer(), e.subject().orElse(null), e.verbatim(),
                    e.context().orElse(null)));
        }
        return rows;
    }

    /**
     * A dataset as a DataFrame of {@link #SCHEMA} with {@code partitions} partitions, in dataset order (row i of the
     * dataset is in partition {@code i * partitions / size}).
     *
     * @param spark the session
     * @param dataset the questions
     * @param partitions how many partitions (at least 1)
     * @return the frame
     */
    public static Dataset<Row> toFrame(SparkSession spark, McqaDataset dataset, int partitions) {
        if (partitions < 1) {
            throw new IllegalArgumentException("partitions must be >= 1, got " + partitions);
        }
        return spark.createDataFrame(org.apache.spark.api.java.JavaSparkContext.fromSparkContext(spark.sparkContext())
                .parallelize(toRows(dataset), partitions), SCHEMA);
    }

    /**
     * One row as a question, by column name (extra columns are ignored).
     *
     * @param row a row with at least {@value #QUESTION} and {@value #LABELS} or {@value #CHOICES}
     * @param index the row's position, for a missing id ({@code row-INDEX})
     * @return the question
     * @throws BayesLoraException naming the row and column when a value is missing or invalid
     */
    public static McqaExample toExample(Row row, long index) {
        StructType schema = row.schema();
        String id = has(schema, ID) && !row.isNullAt(row.fieldIndex(ID)) ? row.getAs(ID).toString() : "row-" + index;
        if (!has(schema, QUESTION) || row.isNullAt(row.fieldIndex(QUESTION))) {
            throw new BayesLoraException("row " + id + ": no '" + QUESTION + "' value (columns: "
                    + Arrays.toString(schema.fieldNames()) + ")");
        }
        String question = row.getAs(QUESTION);
        List<String> choices = has(schema, CHOICES) && !row.isNullAt(row.fieldIndex(CHOICES))
                ? row.<String>getList(row.fieldIndex(CHOICES)) : List.of();
        boolean verbatim = has(schema, VERBATIM) && !row.isNullAt(row.fieldIndex(VERBATIM))
                && row.<Boolean>getAs(VERBATIM);
        List<String> labels;
        if (has(schema, LABELS) && !row.isNullAt(row.fieldIndex(LABELS))) {
            labels = row.getList(row.fieldIndex(LABELS));
        } else if (!choices.isEmpty()) {
            labels = letters(choices.size());
        } else {
            throw new BayesLoraException("row " + id + ": neither '" + LABELS + "' nor '" + CHOICES + "' is given");
        }
        int answer = -1;
        if (has(schema, ANSWER) && !row.isNullAt(row.fieldIndex(ANSWER))) {
            answer = ((Number) row.getAs(ANSWER)).intValue();
        }
        String subject = has(schema, SUBJECT) ? row.getAs(SUBJECT) : null;
        String context = has(schema, CONTEXT) ? row.getAs(CONTEXT) : null;
        try {
            return new McqaExample(id, question, choices, labels, answer, Optional.ofNullable(subject), verbatim,
                    Optional.ofNullable(context));
        } catch (IllegalArgumentException e) {
            throw new BayesLoraException("row " + id + ": " + e.getMessage(), e);
        }
    }

    /** A, B, C, …: labels by position (the CLI's readers label choices the same way). */
    private static List<String> letters(int n) {
        if (n > 26) {
            throw new BayesLoraException(n + " choices and no '" + LABELS + "' column: give the labels explicitly");
        }
        List<String> out = new ArrayList<>(n);
        for (int i = 0; i < n; i++) {
            out.add(String.valueOf((char) ('A' + i)));
        }
        return out;
    }

    private static boolean has(StructType schema, String name) {
        return Arrays.asList(schema.fieldNames()).contains(name);
    }
}
