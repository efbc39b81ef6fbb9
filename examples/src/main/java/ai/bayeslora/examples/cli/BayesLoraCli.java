package ai.bayeslora.examples.cli;

import ai.bayeslora.core.BayesLoraException;
import picocli.CommandLine;
import picocli.CommandLine.Command;

/** Entry point of the {@code bayeslora} command-line tool. */
@Command(name = "bayeslora", mixinStandardHelpOptions = true, version = "bayeslora 0.1.0-SNAPSHOT",
        description = "Bayesian LoRA for LLMs on the JVM: calibrated, decomposed uncertainty for fine-tuned models.",
        subcommands = {QuickstartCommand.class, TrainEnsembleCommand.class, SwagCommand.class, EvaluateCommand.class,
                ReportCommand.class, LaplaceCommand.class, PredictCommand.class, LogitsCommand.class,
                BenchCommand.class,
                CommandLine.HelpCommand.class})
public final class BayesLoraCli {

    public static void main(String[] args) {
        System.exit(run(args));
    }

    /** Runs the CLI and returns the exit code (used by tests). */
    public static int run(String... args) {
        CommandLine cli = new CommandLine(new BayesLoraCli());
        cli.setExecutionExceptionHandler((ex, commandLine, parseResult) -> {
            if (ex instanceof BayesLoraException || ex instanceof IllegalArgumentException) {
                // expected user errors: one clear line, no stack trace
                commandLine.getErr().println("error: " + ex.getMessage());
                return 2;
            }
            throw ex;
        });
        return cli.execute(args);
    }
}
