package ai.bayeslora.core.data;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.List;

/**
 * CommonsenseQA's {@code answerKey}: a label, or {@code ""} for an unlabeled row (answer -1). A file whose first row
 * has no {@code answerKey} at all is an unlabeled split (the official test file); otherwise every row needs one.
 */
final class AnswerKeyPolicy {
    private static final String KEY = "answerKey";
    private Boolean keyed;
    private RowLocation first;

    int answer(DatasetRow row, List<String> labels) {
        JsonNode node = row.node().get(KEY);
        boolean has = node != null && !node.isNull();
        if (keyed == null) {
            keyed = has;
            first = row.at();
        } else if (has != keyed) {
            throw row.error(has ? "field \"" + KEY + "\" present, but the first row (" + first.describe()
                    + ") has none" : "missing field \"" + KEY + "\"");
        }
        if (!has) {
            return -1;
        }
        if (!node.isTextual()) {
            throw row.error("field \"" + KEY + "\" must be a string, found " + node.getNodeType());
        }
        String key = node.textValue();
        return key.isBlank() ? -1 : Fields.labelIndex(row, key, labels);
    }
}
