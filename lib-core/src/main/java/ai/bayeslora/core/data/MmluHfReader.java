package ai.bayeslora.core.data;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.file.Path;
import java.util.List;

/** MMLU HF JSONL: {@code {"question","subject","choices":[4],"answer":int}} (a letter answer is accepted too). */
final class MmluHfReader {
    private MmluHfReader() {
    }

    static McqaDataset read(Path file, ChoicePolicy keepChoices) {
        DatasetAssembler out = new DatasetAssembler(file, keepChoices);
        for (DatasetRow row : DatasetRows.read(file)) {
            String question = Fields.text(row, row.node(), "question");
            String subject = Fields.optionalText(row, row.node(), "subject").orElse(null);
            List<String> choices = Fields.texts(row, row.node(), "choices");
            if (choices.size() > Letters.MAX) {
                throw row.error(choices.size() + " choices; at most " + Letters.MAX + " are supported");
            }
            List<String> labels = Letters.first(choices.size());
            int answer = answer(row, labels);
            out.add(row.at(), () -> McqaExample.of(Fields.id(row), question, choices, labels, answer, subject));
        }
        return out.build();
    }

    private static int answer(DatasetRow row, List<String> labels) {
        JsonNode node = Fields.require(row, row.node(), "answer");
        if (node.isIntegralNumber()) {
            if (!node.canConvertToInt()) {
                throw row.error("answer index " + node + " outside 0.." + (labels.size() - 1));
            }
            int index = node.intValue();
            if (index < 0 || index >= labels.size()) {
                throw row.error("answer index " + index + " outside 0.." + (labels.size() - 1));
            }
            return index;
        }
        if (node.isTextual()) {
            return Fields.labelIndex(row, node.textValue(), labels);
        }
        throw row.error("field \"answer\" must be an integer index, found " + node.getNodeType());
    }
}
