package ai.bayeslora.examples.cli;

import ai.bayeslora.core.model.CausalLM;
import ai.bayeslora.laplace.LaplacePosterior;
import ai.bayeslora.lora.LoraAdapter;
import ai.bayeslora.lora.LoraConfig;
import ai.bayeslora.lora.ensemble.LoraEnsemble;
import ai.bayeslora.uncertainty.report.RunMetadata;
import java.nio.file.Path;
import java.util.List;
import java.util.regex.Pattern;
import picocli.CommandLine.Model.CommandSpec;

/**
 * Starts the {@link RunMetadata} of a command's report: the command's name, its command line as typed (rebuilt from
 * picocli's parse result, quoted for a POSIX shell) and the base model. Each command adds its adapters, seeds and
 * settings.
 */
final class ReportMetadata {
    /** Arguments that need no quoting in a POSIX shell. */
    private static final Pattern PLAIN = Pattern.compile("[A-Za-z0-9_./:=,@%+^-]+");

    private ReportMetadata() {
    }

    /**
     * The command and its command line.
     *
     * @param spec the running command's spec ({@code @Spec} field)
     */
    static RunMetadata.Builder of(CommandSpec spec) {
        return RunMetadata.builder().command(spec.name()).commandLine(commandLine(spec));
    }

    /** As {@link #of(CommandSpec)}, with the loaded base model ({@code bundled}: no --model was given). */
    static RunMetadata.Builder of(CommandSpec spec, CausalLM model, Path modelDir, boolean bundled) {
        return of(spec).model(RunMetadata.Model.of(model, bundled ? "bundled tiny model (" + modelDir + ")"
                : modelDir.toString()));
    }

    /** {@code bayeslora} followed by the arguments as given to the top-level command, each quoted if needed. */
    static String commandLine(CommandSpec spec) {
        var parsed = spec.root().commandLine().getParseResult();
        List<String> args = parsed == null ? List.of(spec.name()) : parsed.originalArgs();
        StringBuilder sb = new StringBuilder("bayeslora");
        for (String a : args) {
            sb.append(' ').append(quote(a));
        }
        return sb.toString();
    }

    /** A POSIX-shell word for {@code s}: as is when plain, else in single quotes (a quote inside as '\''). */
    static String quote(String s) {
        if (!s.isEmpty() && PLAIN.matcher(s).matches()) {
            return s;
        }
        return "'" + s.replace("'", "'\\''") + "'";
    }

    /** A LoRA configuration for the report. */
    static RunMetadata.Adapter adapter(String name, LoraConfig c) {
        return new RunMetadata.Adapter(name, c.rank(), c.alpha(), c.dropout(), c.targetModules());
    }

    /**
     * The LoRA configuration of the posterior a command opened: the first adapter, ensemble (its first member's
     * configuration) or Laplace posterior (the adapter it was fitted on) among {@code opened}; null if none.
     */
    static RunMetadata.Adapter adapterOf(List<?> opened) {
        for (Object o : opened) {
            if (o instanceof LoraEnsemble e && !e.members().isEmpty()) {
                return adapter("ensemble members (" + e.members().size() + ")", e.members().get(0).config());
            }
            if (o instanceof LaplacePosterior l) {
                return adapter("Laplace MAP adapter", l.adapter().config());
            }
            if (o instanceof LoraAdapter a) {
                return adapter("adapter", a.config());
            }
        }
        return null;
    }
}
