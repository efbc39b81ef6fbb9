package ai.bayeslora.core.data;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Locale;
import java.util.stream.Collectors;

/** Guesses a dataset's {@link McqaFormat} from the path and the first row. */
final class FormatDetector {
    private FormatDetector() {
    }

    static McqaFormat detect(Path path) {
        if (Files.isDirectory(path) && !TableFiles.isTable(path)
                || path.getFileName().toString().toLowerCase(Locale.ROOT).endsWith(".csv")) {
            return McqaFormat.MMLU_CSV;
        }
        DatasetRow first = DatasetRows.first(path);
        if (first == null) {
            throw new EmptyDatasetException(path.toString(), "the file has no rows");
        }
        JsonNode row = first.node();
        JsonNode question = row.get("question");
        JsonNode choices = row.get("choices");
        if (row.has("sentence") && row.has("option1") && row.has("option2")) {
            return McqaFormat.WINOGRANDE;
        }
        if (row.has("passage") && question != null && question.isTextual()
                && (row.has("answer") || row.has("label") || row.has("idx"))) {
            return McqaFormat.BOOLQ;
        }
        if (row.path("question_stem").isTextual() && choices != null && choices.isObject()) {
            return McqaFormat.OPENBOOKQA;
        }
        if (question != null && question.isObject() && question.has("stem")) {
            return McqaFormat.CQA_OFFICIAL;
        }
        if (question != null && question.isTextual()) {
            if (choices != null && choices.isObject() && choices.has("label") && choices.has("text")) {
                return McqaFormat.CQA_HF;
            }
            if (choices != null && choices.isArray()) {
                JsonNode answer = row.get("answer");
                boolean mmlu = row.path("subject").isTextual() && answer != null && answer.isIntegralNumber();
                return mmlu ? McqaFormat.MMLU_HF : McqaFormat.GENERIC;
            }
        }
        if (row.path("prompt").isTextual()) {
            return McqaFormat.GENERIC;
        }
        throw first.error("cannot detect the dataset format from fields "
                + fieldNames(row) + "; supported formats:\n" + supported());
    }

    /** Whether the first row has the official {@code "question":{"stem",...}} form (CQA, ARC, OpenBookQA). */
    static boolean isStemObject(Path file) {
        DatasetRow first = DatasetRows.first(file);
        return first != null && first.node().path("question").isObject();
    }

    static String supported() {
        return Arrays.stream(McqaFormat.values()).filter(f -> f != McqaFormat.AUTO)
                .map(f -> "  " + f + ": " + f.description()).collect(Collectors.joining("\n"))
                + "\n  (each JSONL format is also read from HF Parquet files with the same fields)";
    }

    private static String fieldNames(JsonNode row) {
        StringBuilder sb = new StringBuilder("[");
        row.fieldNames().forEachRemaining(n -> sb.append(sb.length() > 1 ? ", " : "").append(n));
        return sb.append(']').toString();
    }
}
