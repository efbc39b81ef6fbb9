package ai.bayeslora.uncertainty.report;

import java.io.IOException;
import java.io.InputStream;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;

/**
 * What produced a report: the command and its command line, the base model, the LoRA adapters, the seeds, the
 * settings, the library version and the date. {@code report.json} stores it under {@code "run"} and
 * {@code report.html} shows it first (docs/GUIDE.md, "Reports and figures"). Immutable; built with {@link #builder()}.
 *
 * @param command the command that wrote the report, e.g. {@code "train-ensemble"}; null when not run from the CLI
 * @param commandLine the command line as typed, e.g. {@code "bayeslora evaluate --data x.jsonl"}; null if unknown
 * @param model the base model; null if unknown
 * @param adapters the LoRA adapter configurations in use, in the order given (empty if none is known)
 * @param seeds named seeds, e.g. {@code "training" -> 0}, in the order given
 * @param settings other settings as text, in the order given: the prompt format, ECE bins, samples, member averaging…;
 *     any command may add its own entries
 * @param libraryVersion the BayesLoRA4J version that wrote the report
 * @param date when the report was made (UTC, written in ISO-8601 to the second)
 */
public record RunMetadata(String command, String commandLine, Model model, List<Adapter> adapters,
                          Map<String, Long> seeds, Map<String, String> settings, String libraryVersion, Instant date) {
    /**
     * The base model.
     *
     * @param folder where it was loaded from (a folder path, or a label for the bundled model)
     * @param architecture HF model_type, e.g. {@code "mistral"}; null if unknown
     * @param parameters number of base-model parameters; null if unknown
     * @param fingerprint a digest identifying the weights (lib-core's BaseModelFingerprint weights probe); null if
     *     unknown
     */
    public record Model(String folder, String architecture, Long parameters, String fingerprint) {
        /**
         * A loaded model: its HF model_type, its parameter count from the config, and the weights probe of its
         * {@link ai.bayeslora.core.model.BaseModelFingerprint} (a digest of a few sampled weights, cheap to compute).
         *
         * @param folder where it was loaded from, as the report should show it
         * @param model the loaded base model
         * @return the model's entry
         */
        public static Model of(ai.bayeslora.core.model.CausalLM model, String folder) {
            var c = model.config();
            return new Model(folder, c.architecture().modelType(), c.parameterCount(),
                    ai.bayeslora.core.model.BaseModelFingerprint.of(model).weightsProbe());
        }
    }

    /**
     * One LoRA adapter configuration.
     *
     * @param name what it is, e.g. {@code "ensemble members"} or {@code "adapter"}
     * @param rank r
     * @param alpha α (the update is scaled by α/r)
     * @param dropout LoRA dropout probability
     * @param targetModules adapted module-name suffixes, e.g. {@code [q_proj, v_proj]}
     */
    public record Adapter(String name, int rank, double alpha, double dropout, List<String> targetModules) {
        /**
         * Copies the module list.
         *
         * @param name what it is, e.g. {@code "ensemble members"} or {@code "adapter"}
         * @param rank r
         * @param alpha α (the update is scaled by α/r)
         * @param dropout LoRA dropout probability
         * @param targetModules adapted module-name suffixes, e.g. {@code [q_proj, v_proj]}
         */
        public Adapter {
            targetModules = List.copyOf(targetModules);
        }
    }

    /**
     * Copies the collections; the date is kept to the second.
     *
     * @param command the command that wrote the report, e.g. {@code "train-ensemble"}; null when not run from the CLI
     * @param commandLine the command line as typed, e.g. {@code "bayeslora evaluate --data x.jsonl"}; null if unknown
     * @param model the base model; null if unknown
     * @param adapters the LoRA adapter configurations in use, in the order given (empty if none is known)
     * @param seeds named seeds, e.g. {@code "training" -> 0}, in the order given
     * @param settings other settings as text, in the order given: the prompt format, ECE bins, samples, member
     *     averaging…; any command may add its own entries
     * @param libraryVersion the BayesLoRA4J version that wrote the report
     * @param date when the report was made (UTC, written in ISO-8601 to the second)
     */
    public RunMetadata {
        adapters = List.copyOf(adapters);
        seeds = java.util.Collections.unmodifiableMap(new LinkedHashMap<>(seeds));
        settings = java.util.Collections.unmodifiableMap(new LinkedHashMap<>(settings));
        date = date.truncatedTo(ChronoUnit.SECONDS);
    }

    /** {@return a builder with no entries, this library's version and the current time} */
    public static Builder builder() {
        return new Builder();
    }

    /** {@return the version of this library as built (from the jar's {@code version.properties}), or "unknown"} */
    public static String currentVersion() {
        try (InputStream in = RunMetadata.class.getResourceAsStream("version.properties")) {
            if (in == null) {
                return "unknown";
            }
            Properties p = new Properties();
            p.load(in);
            String v = p.getProperty("version", "unknown");
            return v.startsWith("${") ? "unknown" : v; // an unfiltered resource (run from an IDE without Maven)
        } catch (IOException e) {
            return "unknown";
        }
    }

    /** Collects the fields; every field is optional. */
    public static final class Builder {
        private String command;
        private String commandLine;
        private Model model;
        private final List<Adapter> adapters = new ArrayList<>();
        private final Map<String, Long> seeds = new LinkedHashMap<>();
        private final Map<String, String> settings = new LinkedHashMap<>();
        private String libraryVersion = currentVersion();
        private Instant date = Instant.now();

        private Builder() {
        }

        /**
         * Sets the command's name, e.g. {@code "evaluate"}.
         *
         * @param name the name
         * @return this builder
         */
        public Builder command(String name) {
            this.command = name;
            return this;
        }

        /**
         * Sets the command line as typed.
         *
         * @param line the command line
         * @return this builder
         */
        public Builder commandLine(String line) {
            this.commandLine = line;
            return this;
        }

        /**
         * Sets the base model.
         *
         * @param m the model's entry, see {@link Model#of}
         * @return this builder
         */
        public Builder model(Model m) {
            this.model = m;
            return this;
        }

        /**
         * Adds a LoRA adapter configuration.
         *
         * @param a the configuration
         * @return this builder
         */
        public Builder adapter(Adapter a) {
            adapters.add(a);
            return this;
        }

        /**
         * Adds (or replaces) a named seed.
         *
         * @param name what the seed drives, e.g. {@code "training"}
         * @param value the seed
         * @return this builder
         */
        public Builder seed(String name, long value) {
            seeds.put(name, value);
            return this;
        }

        /**
         * Adds (or replaces) a setting; the value is stored as {@code String.valueOf(value)}.
         *
         * @param name the setting's name
         * @param value its value
         * @return this builder
         */
        public Builder setting(String name, Object value) {
            settings.put(name, String.valueOf(value));
            return this;
        }

        /**
         * Adds every entry of {@code more} as a setting.
         *
         * @param more name to value
         * @return this builder
         */
        public Builder settings(Map<String, ?> more) {
            more.forEach(this::setting);
            return this;
        }

        /**
         * Overrides the library version (default: {@link #currentVersion()}).
         *
         * @param v the version text
         * @return this builder
         */
        public Builder libraryVersion(String v) {
            this.libraryVersion = v;
            return this;
        }

        /**
         * Overrides the date (default: when the builder was made).
         *
         * @param d the date; kept to the second
         * @return this builder
         */
        public Builder date(Instant d) {
            this.date = d;
            return this;
        }

        /** {@return the metadata} */
        public RunMetadata build() {
            return new RunMetadata(command, commandLine, model, adapters, seeds, settings, libraryVersion, date);
        }
    }

    /** The JSON object of {@code report.json}'s {@code "run"} field (unknown values are null). */
    Map<String, Object> toJson() {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("command", command);
        m.put("command_line", commandLine);
        if (model == null) {
            m.put("model", null);
        } else {
            Map<String, Object> x = new LinkedHashMap<>();
            x.put("folder", model.folder());
            x.put("architecture", model.architecture());
            x.put("parameters", model.parameters());
            x.put("fingerprint", model.fingerprint());
            m.put("model", x);
        }
        List<Map<String, Object>> as = new ArrayList<>();
        for (Adapter a : adapters) {
            Map<String, Object> x = new LinkedHashMap<>();
            x.put("name", a.name());
            x.put("rank", a.rank());
            x.put("alpha", a.alpha());
            x.put("dropout", a.dropout());
            x.put("target_modules", a.targetModules());
            as.add(x);
        }
        m.put("adapters", as);
        m.put("seeds", seeds);
        m.put("settings", settings);
        m.put("library_version", libraryVersion);
        m.put("date", date.toString());
        return m;
    }
}
