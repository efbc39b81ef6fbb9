package ai.bayeslora.core.data;

/**
 * The dataset formats {@link McqaDatasets#load} reads. Every format whose rows are JSON objects (all but
 * {@link #MMLU_CSV}) is also read from the HF datasets' Parquet files, a {@code .parquet} file or a folder of one
 * split's shards, with the optional module lib-parquet ({@link TableRowReader}).
 */
public enum McqaFormat {
    /** Detect the format from the file name and the first row. */
    AUTO("auto-detect"),
    /** CommonsenseQA official JSONL: {@code {"id","question":{"stem","choices":[{"label","text"}]},"answerKey"}}. */
    CQA_OFFICIAL("CommonsenseQA official JSONL {\"id\",\"question\":{\"stem\",\"choices\":[{\"label\",\"text\"}]},"
            + "\"answerKey\"}"),
    /** CommonsenseQA HF-datasets JSONL: {@code {"id","question","choices":{"label":[..],"text":[..]},"answerKey"}}. */
    CQA_HF("CommonsenseQA HF JSONL {\"id\",\"question\",\"choices\":{\"label\":[...],\"text\":[...]},\"answerKey\"}"),
    /**
     * ARC-Easy / ARC-Challenge: the official JSONL ({@code {"id","question":{"stem","choices"},"answerKey"}}, labels A–E
     * or "1"–"4", 3 to 5 choices) or the HF form ({@code "question"} text, {@code "choices":{"label","text"}}).
     */
    ARC("ARC official JSONL {\"question\":{\"stem\",\"choices\"},\"answerKey\"} or HF {\"question\",\"choices\":{\"label\","
            + "\"text\"},\"answerKey\"}"),
    /** OpenBookQA: the official JSONL (as ARC's) or the HF form ({@code "question_stem"}, {@code "choices":{..}}). */
    OPENBOOKQA("OpenBookQA official JSONL {\"question\":{\"stem\",\"choices\"},\"answerKey\"} or HF {\"question_stem\","
            + "\"choices\":{\"label\",\"text\"},\"answerKey\"}"),
    /** BoolQ: original ({@code "answer"} boolean) or SuperGLUE ({@code "label"}), with {@code "passage"}. */
    BOOLQ("BoolQ JSONL {\"question\",\"passage\",\"answer\":bool} or SuperGLUE {\"question\",\"passage\",\"idx\",\"label\"}"),
    /** WinoGrande: {@code {"qID","sentence" (with _),"option1","option2","answer":"1"|"2"}}. */
    WINOGRANDE("WinoGrande JSONL {\"qID\",\"sentence\",\"option1\",\"option2\",\"answer\":\"1\"|\"2\"}"),
    /** MMLU official CSV: no header, columns question,A,B,C,D,answer; a file {@code {subject}_{split}.csv} or a folder. */
    MMLU_CSV("MMLU official CSV (no header; question,A,B,C,D,answer; {subject}_{split}.csv, or a folder of them)"),
    /** MMLU HF JSONL: {@code {"question","subject","choices":[4],"answer":int}}. */
    MMLU_HF("MMLU HF JSONL {\"question\",\"subject\",\"choices\":[...],\"answer\":int}"),
    /**
     * Generic JSONL: {@code {"question","choices":[..],"answer"}} or a verbatim {@code {"prompt","answer"}} with optional
     * {@code labels}/{@code num_choices}/{@code choices}; {@code answer} is an index or a label.
     */
    GENERIC("generic JSONL {\"question\",\"choices\":[...],\"answer\"} or {\"prompt\",\"answer\"}");

    private final String description;

    McqaFormat(String description) {
        this.description = description;
    }

    /** {@return a one-line description with the expected fields} */
    public String description() {
        return description;
    }
}
