package ai.bayeslora.spark.internal;

import ai.bayeslora.core.BayesLoraException;
import ai.bayeslora.core.data.McqaExample;
import ai.bayeslora.spark.McqaFrames;
import java.io.Serializable;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.types.StructType;

/**
 * Where a row's question is: a question column and a choices column (labels from a labels column when the frame
 * has one, else the first k class labels for k choices), or a verbatim prompt column scored over every class. The
 * {@link McqaFrames} columns {@value McqaFrames#VERBATIM}, {@value McqaFrames#SUBJECT} and
 * {@value McqaFrames#CONTEXT} are read when present.
 *
 * @param question the question column
 * @param choices the choices column
 * @param labels the row labels column (used when the frame has it)
 * @param id the id column (used when the frame has it)
 * @param prompt the verbatim prompt column, or null for question and choices
 */
public record QuestionColumns(String question, String choices, String labels, String id, String prompt)
        implements Serializable {
    private static final long serialVersionUID = 1L;

    /**
     * Row {@code index} as a question over {@code classLabels}.
     *
     * @param row the row
     * @param index the row's position, for a row without an id
     * @param classLabels the class set; the row's labels must start it
     * @return the question (answer unknown: scoring does not read it)
     * @throws BayesLoraException naming the row and the column when a value is missing or does not fit
     */
    public McqaExample toExample(Row row, String index, List<String> classLabels) {
        StructType schema = row.schema();
        String rowId = has(schema, id) && !row.isNullAt(row.fieldIndex(id)) ? row.get(row.fieldIndex(id)).toString()
                : index;
        if (prompt != null) {
            String text = text(row, prompt, rowId);
            return new McqaExample(rowId, text, List.of(), classLabels, -1, Optional.empty(), true, Optional.empty());
        }
        String q = text(row, question, rowId);
        if (row.isNullAt(row.fieldIndex(choices))) {
            throw new BayesLoraException("row " + rowId + ": column '" + choices + "' is null");
        }
        List<String> ch = row.getList(row.fieldIndex(choices));
        boolean verbatim = has(schema, McqaFrames.VERBATIM) && !row.isNullAt(row.fieldIndex(McqaFrames.VERBATIM))
                && row.<Boolean>getAs(McqaFrames.VERBATIM);
        List<String> rowLabels;
        if (has(schema, labels) && !row.isNullAt(row.fieldIndex(labels))) {
            rowLabels = row.getList(row.fieldIndex(labels));
            if (rowLabels.isEmpty() || rowLabels.size() > classLabels.size()
                    || !rowLabels.equals(classLabels.subList(0, rowLabels.size()))) {
                throw new BayesLoraException("row " + rowId + ": column '" + labels + "' holds " + rowLabels
                        + ", which is not a prefix of the class labels " + classLabels);
            }
        } else {
            int k = verbatim && ch.isEmpty() ? classLabels.size() : ch.size();
            if (k < 1 || k > classLabels.size()) {
                throw new BayesLoraException("row " + rowId + ": column '" + choices + "' has " + ch.size()
                        + " choices for the " + classLabels.size() + " class labels " + classLabels);
            }
            rowLabels = classLabels.subList(0, k);
        }
        String subject = has(schema, McqaFrames.SUBJECT) ? row.getAs(McqaFrames.SUBJECT) : null;
        String context = has(schema, McqaFrames.CONTEXT) ? row.getAs(McqaFrames.CONTEXT) : null;
        try {
            return new McqaExample(rowId, q, ch, rowLabels, -1, Optional.ofNullable(subject), verbatim,
                    Optional.ofNullable(context));
        } catch (IllegalArgumentException e) {
            throw new BayesLoraException("row " + rowId + " (columns '" + question + "', '" + choices + "', '"
                    + labels + "'): " + e.getMessage(), e);
        }
    }

    private static String text(Row row, String column, String rowId) {
        if (row.isNullAt(row.fieldIndex(column))) {
            throw new BayesLoraException("row " + rowId + ": column '" + column + "' is null");
        }
        return row.get(row.fieldIndex(column)).toString();
    }

    private static boolean has(StructType schema, String name) {
        return name != null && Arrays.asList(schema.fieldNames()).contains(name);
    }
}
