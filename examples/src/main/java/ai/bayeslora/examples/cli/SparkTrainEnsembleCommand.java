package ai.bayeslora.examples.cli;

import ai.bayeslora.core.data.McqaBatcher;
import ai.bayeslora.core.data.McqaDataset;
import ai.bayeslora.core.data.PaperPrompts;
import ai.bayeslora.core.model.CausalLM;
import ai.bayeslora.core.text.AnswerTokens;
import ai.bayeslora.lora.ensemble.EnsembleOptions;
import ai.bayeslora.lora.ensemble.EnsembleTrainer;
import ai.bayeslora.lora.ensemble.EnsembleTrainingMode;
import ai.bayeslora.spark.SparkEnsembleTraining;
import ai.bayeslora.spark.SparkMemberResult;
import ai.bayeslora.spark.SparkModel;
import java.nio.file.Path;
import java.util.Locale;
import org.apache.spark.sql.SparkSession;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;

/**
 * {@code bayeslora spark train-ensemble}: {@code train-ensemble} with one Spark task per member. It is that command
 * (every option, check, output and the evaluation after training are inherited, so they cannot drift); only the
 * members' training runs as tasks ({@link SparkEnsembleTraining}), into the same {@code OUT/ensemble} layout.
 */
@Command(name = "train-ensemble", mixinStandardHelpOptions = true, usageHelpAutoWidth = true, sortOptions = false,
        header = "Trains a LoRA deep ensemble on Spark, one task per member.",
        description = {"Trains the M members of train-ensemble as M Spark tasks (one partition per member): each task "
            + "trains its member exactly as train-ensemble does (same seeds, data order and checkpoints) on the "
            + "executor's shared model, on the GPU Spark gives the task with --conf spark.task.resource.gpu.amount=1 "
            + "and --device auto. The output is train-ensemble's: OUT/ensemble/member-MM/epoch-NNN, "
            + "OUT/ensemble-final, OUT/run.json, and OUT/report with --eval.",
            "",
            "OUT must be a folder the driver and every executor can read and write at the same path (a local "
            + "folder with --master local[N], a shared mount on a cluster). A task that fails is retried by Spark "
            + "and continues from its member's last epoch checkpoint; --resume continues an interrupted run (of "
            + "this command or of train-ensemble) and trains nothing for finished members. --eval, the report and "
            + "--laplace-per-epoch run on the driver after training, as in train-ensemble. --mode interleaved is "
            + "refused: its members train together in one process.",
            "",
            "Eval sets: " + DataSpec.SYNTAX + "; #stem/#social/#humanities keep that MMLU subject group.",
            ""})
final class SparkTrainEnsembleCommand extends TrainEnsembleCommand {
    @Mixin SparkOptions sparkOptions = new SparkOptions();

    @Override
    public Integer call() {
        if (mode != EnsembleTrainingMode.SEQUENTIAL) {
            throw new IllegalArgumentException("--mode interleaved trains all members together in one process; "
                    + "spark train-ensemble runs one task per member (--mode sequential)");
        }
        return super.call();
    }

    @Override
    void trainMembers(EnsembleTrainer trainer, PaperPrompts.Style style, CausalLM model, McqaBatcher batcher,
                      AnswerTokens answers, McqaDataset trainSet, Path ensembleDir, EnsembleOptions options) {
        SparkModel spec = new SparkModel(modelOptions.modelDir().toAbsolutePath().toString(), modelOptions.device,
                modelOptions.dtype, style);
        SparkEnsembleTraining training = SparkEnsembleTraining.builder(spec).members(trainer.members())
                .seed(trainer.baseSeed()).lora(trainer.lora()).training(trainer.training()).build();
        try (SparkOptions.OpenSession open = sparkOptions.open("spark train-ensemble")) {
            SparkSession spark = open.spark();
            System.err.println("spark: " + trainer.members() + " member task(s) on " + spark.sparkContext().master());
            SparkEnsembleTraining.Result r = training.train(spark, trainSet, ensembleDir);
            for (SparkMemberResult m : r.members()) {
                String what = m.alreadyFinished() ? "finished in an earlier run"
                        : m.resumedFromEpoch() > 0 ? "continued after epoch " + m.resumedFromEpoch() : "trained";
                System.err.printf(Locale.ROOT, "member %d: %s, %d epochs, final train loss %.4f (executor %s, "
                        + "attempt %d)%n", m.member(), what, m.epochs(), m.trainLosses().get(m.epochs() - 1),
                        m.executor(), m.attempt());
            }
        } catch (Exception e) { // Spark's SparkException is checked, but Scala throws it undeclared
            throw userError(e);
        }
    }

    /** The user's error inside a Spark job failure (one line, exit code 2), else the failure itself. */
    static RuntimeException userError(Exception e) {
        return ai.bayeslora.spark.internal.TaskFailures.unwrap(e);
    }
}
