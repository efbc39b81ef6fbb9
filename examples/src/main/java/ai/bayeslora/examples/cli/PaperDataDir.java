package ai.bayeslora.examples.cli;

import ai.bayeslora.core.BayesLoraException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * The files a {@code reproduce} protocol reads under {@code --data-dir} (docs/REPRODUCE.md): per dataset a folder with
 * the HF split names ({@code train}, {@code validation}, {@code test}) as JSONL or Parquet, or the official file names.
 * The first candidate that exists is used.
 */
final class PaperDataDir {
    private static final String[] EXTENSIONS = {".jsonl", ".parquet", ".json"};

    private final Path root;

    PaperDataDir(Path root) {
        if (!Files.isDirectory(root)) {
            throw new BayesLoraException("--data-dir " + root + ": not a folder");
        }
        this.root = root;
    }

    /** One dataset's file of one role: the candidate names, in order of preference. */
    record Need(String dataset, String role, List<String> candidates) {
    }

    /** A split file: {@code folder/split.(jsonl|parquet|json)}, then the official names. */
    static Need split(String dataset, String role, String folder, String split, String... official) {
        List<String> c = new ArrayList<>();
        for (String ext : EXTENSIONS) {
            c.add(folder + "/" + split + ext);
        }
        for (String o : official) {
            c.add(o);
        }
        return new Need(dataset, role, List.copyOf(c));
    }

    /** The first candidate that exists, if any. */
    Optional<Path> find(Need need) {
        for (String c : need.candidates()) {
            Path p = root.resolve(c);
            if (Files.exists(p)) {
                return Optional.of(p);
            }
        }
        return Optional.empty();
    }

    /** The first candidate that exists; otherwise an error listing them all. */
    Path require(Need need) {
        return find(need).orElseThrow(() -> new BayesLoraException("--data-dir " + root + ": no " + need.dataset()
                + " " + need.role() + " file; looked for " + String.join(", ", need.candidates())
                + " (docs/REPRODUCE.md lists the expected files)"));
    }

    Path root() {
        return root;
    }

    // The datasets the three protocols read (docs/REPRODUCE.md).
    static final Need CQA_TRAIN = split("CommonsenseQA", "train", "commonsense_qa", "train",
            "commonsense_qa/train_rand_split.jsonl", "train_rand_split.jsonl");
    static final Need CQA_VALIDATION = split("CommonsenseQA", "validation", "commonsense_qa", "validation",
            "commonsense_qa/dev_rand_split.jsonl", "dev_rand_split.jsonl");
    static final Need MMLU_TEST = new Need("MMLU", "test", List.of("mmlu/test.jsonl", "mmlu/test.parquet",
            "mmlu/data/test", "mmlu/test", "mmlu"));
    static final Need ARC_E_TRAIN = split("ARC-Easy", "train", "arc_easy", "train", "ARC-Easy/ARC-Easy-Train.jsonl");
    static final Need ARC_E_VALIDATION = split("ARC-Easy", "validation", "arc_easy", "validation",
            "ARC-Easy/ARC-Easy-Dev.jsonl");
    static final Need ARC_C_TRAIN = split("ARC-Challenge", "train", "arc_challenge", "train",
            "ARC-Challenge/ARC-Challenge-Train.jsonl");
    static final Need ARC_C_VALIDATION = split("ARC-Challenge", "validation", "arc_challenge", "validation",
            "ARC-Challenge/ARC-Challenge-Dev.jsonl");
    static final Need OBQA_TRAIN = split("OpenBookQA", "train", "openbookqa", "train", "OpenBookQA-V1-Sep2018/Data/Main/train.jsonl");
    static final Need OBQA_VALIDATION = split("OpenBookQA", "validation", "openbookqa", "validation",
            "OpenBookQA-V1-Sep2018/Data/Main/dev.jsonl");
    static final Need BOOLQ_TRAIN = split("BoolQ", "train", "boolq", "train");
    static final Need BOOLQ_VALIDATION = split("BoolQ", "validation", "boolq", "validation", "boolq/dev.jsonl");
    static final Need WINOGRANDE_S_TRAIN = split("WinoGrande-S", "train", "winogrande_s", "train",
            "winogrande/train_s.jsonl");
    static final Need WINOGRANDE_M_TRAIN = split("WinoGrande-M", "train", "winogrande_m", "train",
            "winogrande/train_m.jsonl");
    static final Need WINOGRANDE_S_VALIDATION = split("WinoGrande", "validation", "winogrande_s", "validation",
            "winogrande/dev.jsonl");
    static final Need WINOGRANDE_M_VALIDATION = split("WinoGrande", "validation", "winogrande_m", "validation",
            "winogrande/dev.jsonl");
}
