package ai.bayeslora.examples.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import ai.bayeslora.core.DType;
import ai.bayeslora.core.data.McqaFormat;
import ai.bayeslora.core.mcqa.ClassReduction;
import ai.bayeslora.laplace.LinearizedPredictive;
import ai.bayeslora.laplace.Structure;
import ai.bayeslora.uncertainty.MemberAveraging;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

/**
 * Parsing only (no model runs): the renamed options and their hidden old names land in the same field, the data
 * options take the same syntax everywhere, the enum converters accept the library's spellings, and bad values are
 * usage errors (exit 2) naming the option.
 */
class OptionAliasesTest {
    private static <T> T parsed(Class<T> type, String... args) {
        CommandLine.ParseResult r = BayesLoraCli.commandLine().parseArgs(args);
        while (r.hasSubcommand()) {
            r = r.subcommand();
        }
        return type.cast(r.commandSpec().userObject());
    }

    @Test
    void oldBatchSizeNamesMapToTheRightBatch() {
        assertThat(parsed(TrainEnsembleCommand.class, "train-ensemble", "--train", "t.jsonl", "--batch-size", "4")
                .trainOptions.batchSize).isEqualTo(4);
        assertThat(parsed(TrainEnsembleCommand.class, "train-ensemble", "--train", "t.jsonl", "--train-batch-size",
                "6").trainOptions.batchSize).isEqualTo(6);
        assertThat(parsed(SwagCommand.class, "swag", "--train", "t.jsonl", "--batch-size", "16")
                .trainOptions.batchSize).isEqualTo(16);
        assertThat(parsed(EvaluateCommand.class, "evaluate", "--data", "d.jsonl", "--batch-size", "3")
                .batchSizeOptions.evalBatchSize).isEqualTo(3);
        assertThat(parsed(PredictCommand.class, "predict").batchSizeOptions.evalBatchSize).isEqualTo(8);
        assertThat(parsed(LaplaceCommand.Fit.class, "laplace", "fit", "--data", "d.jsonl", "--batch-size", "2",
                "--out", "o").dataOptions.batchSizeOptions.evalBatchSize).isEqualTo(2);
        assertThat(parsed(LogitsCommand.class, "logits", "--inputs", "i", "--out", "o", "--eval-batch-size", "5")
                .batchSizeOptions.evalBatchSize).isEqualTo(5);
    }

    @Test
    void benchOutAndItsOldName() {
        assertThat(parsed(BenchCommand.Forward.class, "bench", "forward").outDir.dir)
                .isEqualTo(Path.of("bench-results"));
        assertThat(parsed(BenchCommand.Forward.class, "bench", "forward", "--out-dir", "x").outDir.dir)
                .isEqualTo(Path.of("x"));
        assertThat(parsed(BenchEnsembleCommand.class, "bench", "ensemble", "--out", "y").outDir.dir)
                .isEqualTo(Path.of("y"));
    }

    @Test
    void everyDataOptionTakesTheSameSyntax() {
        DataSpec predict = parsed(PredictCommand.class, "predict", "--data", "stem=mmlu/data/test#stem").dataOptions.data;
        assertThat(predict.name()).isEqualTo("stem");
        assertThat(predict.path()).isEqualTo(Path.of("mmlu/data/test"));
        assertThat(predict.selector()).isEqualTo("stem");
        LaplaceCommand.Predict lp = parsed(LaplaceCommand.Predict.class, "laplace", "predict", "--posterior", "p",
                "--data", "cqa.jsonl#heldout=0.2", "--out", "o.json", "--format", "cqa-hf", "--limit", "5");
        assertThat(lp.dataOptions.dataOptions.data.selector()).isEqualTo("heldout=0.2");
        assertThat(lp.dataOptions.dataOptions.load.format).isEqualTo(McqaFormat.CQA_HF);
        assertThat(lp.dataOptions.dataOptions.load.limit).isEqualTo(5);
        EvaluateCommand ev = parsed(EvaluateCommand.class, "evaluate", "--data", "a.jsonl", "--ood",
                "far=b.jsonl#astronomy,virology", "--format", "MMLU_HF");
        assertThat(ev.ood.name()).isEqualTo("far");
        assertThat(ev.ood.selector()).isEqualTo("astronomy,virology");
        assertThat(ev.dataOptions.load.format).isEqualTo(McqaFormat.MMLU_HF);
        assertThatThrownBy(() -> BayesLoraCli.commandLine().parseArgs("predict", "--data", "x.jsonl#"))
                .isInstanceOf(CommandLine.ParameterException.class)
                .hasMessageContaining("'--data'").hasMessageContaining("empty selector after '#'");
    }

    @Test
    void enumConvertersTakeTheLibrarysSpellings() {
        LaplaceCommand.Fit fit = parsed(LaplaceCommand.Fit.class, "laplace", "fit", "--data", "d", "--out", "o",
                "--structure", "KFAC_LOWRANK", "--dtype", "bf16");
        assertThat(fit.settings.structure).isEqualTo(Structure.KFAC_LOWRANK);
        assertThat(fit.modelOptions.dtype).isEqualTo(DType.BFLOAT16);
        EvaluateCommand ev = parsed(EvaluateCommand.class, "evaluate", "--data", "a", "--reduction",
                "full-vocab-with-other", "--link", "probit", "--average", "logits");
        assertThat(ev.reduction).isEqualTo(ClassReduction.FULL_VOCAB_WITH_OTHER);
        assertThat(ev.link).isEqualTo(LinearizedPredictive.Link.PROBIT);
        assertThat(ev.averagingOption.averaging()).isEqualTo(MemberAveraging.LOGITS);
        assertThat(parsed(TrainEnsembleCommand.class, "train-ensemble", "--train", "t", "--mode", "INTERLEAVED").mode)
                .isEqualTo(ai.bayeslora.lora.ensemble.EnsembleTrainingMode.INTERLEAVED);
        assertThat(parsed(SwagCommand.class, "swag", "--train", "t", "--variant", "swag-lora-code").variant)
                .isEqualTo(ai.bayeslora.lora.swag.SwagVariant.SWAG_LORA_CODE);
        // one printed spelling
        assertThat(CliEnums.name(ClassReduction.FULL_VOCAB_WITH_OTHER)).isEqualTo("full-vocab");
        assertThat(CliEnums.name(McqaFormat.MMLU_CSV)).isEqualTo("mmlu-csv");
        assertThat(CliEnums.name(Structure.KFAC_LOWRANK)).isEqualTo("kfac-lowrank");
    }

    @Test
    void badValuesAreUsageErrorsNamingTheOption() {
        PrintStream old = System.err;
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        System.setErr(new PrintStream(err, true, StandardCharsets.UTF_8));
        int structure;
        int model;
        try {
            structure = BayesLoraCli.run("laplace", "fit", "--data", "d", "--out", "o", "--structure", "kfc");
            model = BayesLoraCli.run("predict", "--model", "no-such-org/no-such-model");
        } finally {
            System.setErr(old);
        }
        String text = err.toString(StandardCharsets.UTF_8);
        assertThat(structure).isEqualTo(2);
        assertThat(model).isEqualTo(2);
        assertThat(text).contains("error: Invalid value for option '--structure'").contains("kfc")
                .contains("('bayeslora laplace fit --help' lists the options)").doesNotContain("Usage:");
        assertThat(text).contains("Invalid value for option '--model'")
                .contains("models--no-such-org--no-such-model").contains("Nothing is downloaded");
    }
}
