package ai.bayeslora.examples.cli;

import ai.bayeslora.core.BayesLoraException;
import picocli.CommandLine;
import picocli.CommandLine.Command;

/** Entry point of the {@code bayeslora} command-line tool. */
@Command(name = "bayeslora", mixinStandardHelpOptions = true, usageHelpAutoWidth = true,
        header = "Bayesian LoRA for LLMs on the JVM: calibrated, decomposed uncertainty for fine-tuned models.", version = "bayeslora 0.1.0-SNAPSHOT",
        description = {"Fine-tunes LoRA adapters and reports calibrated uncertainty, split into its aleatoric and "
            + "epistemic parts, for deep ensembles, Laplace-LoRA, SWAG-LoRA, MC dropout and temperature scaling.",
            "Run 'bayeslora COMMAND --help' for a command's options; docs/GUIDE.md explains them."},
        subcommands = {QuickstartCommand.class, TrainEnsembleCommand.class, SwagCommand.class, EvaluateCommand.class,
                ReportCommand.class, LaplaceCommand.class, PredictCommand.class, LogitsCommand.class,
                ReproduceCommand.class, BenchCommand.class, SparkCommand.class,
                CommandLine.HelpCommand.class})
public final class BayesLoraCli {

    public static void main(String[] args) {
        // the CLI is an application and never opens a window: headless AWT for its figures, unless the user says
        // otherwise (the libraries leave this global setting alone; docs/GUIDE.md, "Figures")
        if (System.getProperty("java.awt.headless") == null) {
            System.setProperty("java.awt.headless", "true");
        }
        System.exit(run(args));
    }

    /**
     * The command tree as the CLI runs it: help fits the terminal's width (80 columns when it cannot be measured),
     * for picocli's own help command too.
     */
    static CommandLine commandLine() {
        CommandLine cli = new CommandLine(new BayesLoraCli());
        cli.setUsageHelpAutoWidth(true);
        return cli;
    }

    /** Runs the CLI and returns the exit code (used by tests). */
    public static int run(String... args) {
        CommandLine cli = commandLine();
        cli.setParameterExceptionHandler((ex, arguments) -> {
            // a usage error is one line too (docs/GUIDE.md, "Command line"), not the message buried above the help
            CommandLine c = ex.getCommandLine();
            c.getErr().println("error: " + oneLine(ex.getMessage()));
            c.getErr().println("('" + c.getCommandSpec().qualifiedName(" ") + " --help' lists the options)");
            return 2;
        });
        cli.setExecutionExceptionHandler((ex, commandLine, parseResult) -> {
            if (isUserError(ex)) {
                // expected user errors: one clear line, no stack trace
                commandLine.getErr().println("error: " + oneLine(userMessage(ex)));
                return 2;
            }
            commandLine.getErr().println("error: internal error (" + oneLine(ex.toString()) + "); "
                    + InternalErrorLog.write(ex, args) + ". Please report it with that file.");
            return 1;
        });
        return cli.execute(args);
    }

    /** Errors that come from the user's inputs or environment, not from a bug: reported as one line, exit 2. */
    static boolean isUserError(Throwable ex) {
        return ex instanceof BayesLoraException || ex instanceof IllegalArgumentException
                || ex instanceof java.io.UncheckedIOException || ex instanceof java.io.IOException;
    }

    private static String userMessage(Throwable ex) {
        if (ex instanceof java.io.UncheckedIOException u && u.getCause() != null) {
            String m = u.getMessage();
            String cause = describe(u.getCause());
            return m == null || m.contains(cause) ? cause : m + ": " + cause;
        }
        if (ex instanceof java.io.IOException io) {
            return describe(io);
        }
        return ex.getMessage();
    }

    /** An I/O error in words: the JDK's own messages are often only the path. */
    private static String describe(java.io.IOException e) {
        String what = switch (e.getClass().getSimpleName()) {
            case "AccessDeniedException" -> "permission denied";
            case "NoSuchFileException" -> "no such file or folder";
            case "FileAlreadyExistsException" -> "already exists";
            case "NotDirectoryException" -> "not a folder";
            case "MalformedInputException", "UnmappableCharacterException" -> "not valid UTF-8 text";
            default -> e.getClass().getSimpleName();
        };
        return e.getMessage() == null ? what : e.getMessage() + ": " + what;
    }

    /** Newlines (for example from native error messages) would break the one-line contract. */
    private static String oneLine(String s) {
        String m = s == null ? "(no message)" : s.strip();
        int nl = m.indexOf('\n');
        return nl < 0 ? m : m.substring(0, nl).strip() + " …";
    }
}
