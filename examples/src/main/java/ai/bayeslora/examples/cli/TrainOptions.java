package ai.bayeslora.examples.cli;

import ai.bayeslora.core.mcqa.ClassReduction;
import ai.bayeslora.lora.LoraConfig;
import ai.bayeslora.lora.train.TrainingConfig;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import picocli.CommandLine.Option;

/**
 * LoRA and training overrides shared by the training commands. Unset options keep the command's (or preset's)
 * values, which each command lists in its help.
 */
final class TrainOptions {
    @Option(names = "--rank", paramLabel = "R", description = "LoRA rank r.") Integer rank;
    @Option(names = "--alpha", paramLabel = "A", description = "LoRA alpha (scale alpha/r).") Double alpha;
    @Option(names = "--dropout", paramLabel = "P", description = "LoRA dropout probability.") Double dropout;
    @Option(names = "--targets", split = ",", paramLabel = "MODULE",
            description = "Module-name suffixes to adapt, comma-separated (e.g. q_proj,v_proj).") List<String> targets;
    @Option(names = "--lr", paramLabel = "LR", description = "Learning rate.") Double lr;
    @Option(names = "--train-batch-size", paramLabel = "N",
            description = "Training examples per optimizer step (default: the preset's).") Integer batchSize;

    /** The old name of --train-batch-size, still accepted (docs/GUIDE.md, "Command line"). */
    @Option(names = "--batch-size", paramLabel = "N", hidden = true,
            description = "Deprecated: the old name of --train-batch-size.")
    void batchSizeAlias(int n) {
        Deprecation.note("--batch-size", "--train-batch-size");
        batchSize = n;
    }
    @Option(names = "--reduction", paramLabel = "answer-tokens|full-vocab", converter = CliEnums.Reduction.class,
            description = "Class probabilities: softmax over the answer letters, or the full vocabulary plus an "
                    + "'other' class (used in training and evaluation; default: the preset's).") ClassReduction reduction;
    @Option(names = "--max-length", paramLabel = "TOKENS",
            description = "Longest prompt; longer ones are truncated from the left (default: the batcher's 512).")
    Integer maxLength;
    @Option(names = "--seed", defaultValue = "0", paramLabel = "SEED", description = "Base seed (default: ${DEFAULT-VALUE}).") long seed;

    LoraConfig lora(LoraConfig.Builder base) {
        if (rank != null) {
            base.rank(rank);
        }
        if (alpha != null) {
            base.alpha(alpha);
        }
        if (dropout != null) {
            base.dropout(dropout);
        }
        if (targets != null) {
            base.targetModules(targets);
        }
        return base.build();
    }

    TrainingConfig training(TrainingConfig base, int epochs) {
        TrainingConfig.Builder b = base.toBuilder().epochs(epochs).seed(seed);
        if (lr != null) {
            b.learningRate(lr);
        }
        if (batchSize != null) {
            b.batchSize(batchSize).evalBatchSize(batchSize);
        }
        if (reduction != null) {
            b.reduction(reduction);
        }
        if (maxLength != null) {
            b.maxLength(maxLength);
        }
        return b.build();
    }

    static String reductionName(ClassReduction r) {
        return r.cliName();
    }

    /** The settings that define a run, for {@code run.json} and the resume check. */
    static Map<String, Object> describe(LoraConfig lora, TrainingConfig t) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("lora_rank", lora.rank());
        m.put("lora_alpha", lora.alpha());
        m.put("lora_dropout", lora.dropout());
        m.put("lora_targets", lora.targetModules());
        m.put("optimizer", t.optimizer().describe());
        m.put("learning_rate", t.learningRate());
        m.put("schedule", t.schedule().kind().toString().toLowerCase(Locale.ROOT));
        m.put("max_grad_norm", t.maxGradNorm().isPresent() ? t.maxGradNorm().getAsDouble() : "none");
        m.put("batch_size", t.batchSize());
        m.put("epochs", t.epochs());
        m.put("seed", t.seed());
        m.put("reduction", reductionName(t.reduction()));
        m.put("prior", t.prior().describe());
        m.put("max_length", t.maxLength().isPresent() ? t.maxLength().getAsInt() : "default");
        return m;
    }
}
