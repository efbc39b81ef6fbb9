package ai.bayeslora.examples.cli;

import ai.bayeslora.core.BayesLoraException;
import ai.bayeslora.core.io.AtomicOutput;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * Runs a paper's protocol as a sequence of the CLI's own commands, in this JVM, each writing into a sub-folder of the
 * run folder (docs/REPRODUCE.md). Completed steps are recorded in {@code progress.json}, so {@code --resume} skips
 * them; a step that did not complete is rerun from the start (train-ensemble continues its members).
 */
final class ProtocolRun {
    /** One CLI invocation: a name, the folder it writes, and its arguments (without "bayeslora"). */
    record Step(String name, Path out, List<String> args) {
    }

    private static final ObjectMapper JSON = new ObjectMapper();
    private final String paper;
    private final Path out;
    private final List<Step> steps = new ArrayList<>();
    private final List<Path> evaluations = new ArrayList<>();
    private final Map<Path, String> oodNames = new LinkedHashMap<>();

    ProtocolRun(String paper, Path out) {
        this.paper = paper;
        this.out = out;
    }

    /** Adds a step; {@code evaluation} marks a folder whose report.json goes into the tables. */
    ProtocolRun step(String name, Path stepOut, boolean evaluation, List<String> args) {
        steps.add(new Step(name, stepOut, List.copyOf(args)));
        if (evaluation) {
            evaluations.add(stepOut);
            int i = args.indexOf("--ood");
            if (i >= 0 && i + 1 < args.size()) {
                String spec = args.get(i + 1);
                oodNames.put(stepOut, DataSpec.parse(spec).name());
            }
        }
        return this;
    }

    List<Step> steps() {
        return steps;
    }

    /**
     * Runs every step not yet completed, then the combined report and the paper's table.
     *
     * @return 0, or the exit code of the first step that failed
     */
    int run(String title, List<String> tableNotes) {
        Path progressFile = out.resolve("progress.json");
        Set<String> done = readProgress(progressFile);
        List<String> all = new ArrayList<>(steps.stream().map(Step::name).toList());
        all.add("report");
        for (int i = 0; i < steps.size(); i++) {
            Step s = steps.get(i);
            String head = String.format(Locale.ROOT, "[%d/%d] %s", i + 1, all.size(), s.name());
            if (done.contains(s.name())) {
                System.err.println(head + ": done in an earlier run, skipped");
                continue;
            }
            List<String> args = new ArrayList<>(s.args());
            if (Files.isDirectory(s.out())) {
                // an interrupted step: train-ensemble continues its members, the others start again
                args.add(args.get(0).equals("train-ensemble") ? "--resume" : "--overwrite");
            }
            System.err.println(head + ": bayeslora " + String.join(" ", args));
            long t0 = System.nanoTime();
            int rc = BayesLoraCli.run(args.toArray(new String[0]));
            if (rc != 0) {
                System.err.println("reproduce " + paper + ": step '" + s.name() + "' failed (exit " + rc + "); fix the "
                        + "cause and rerun with --resume to continue from it");
                return rc;
            }
            System.err.printf(Locale.ROOT, "%s: done in %.0f s%n", head, (System.nanoTime() - t0) / 1e9);
            done.add(s.name());
            writeProgress(progressFile, done);
        }
        List<String> reportArgs = new ArrayList<>(List.of("report", "--out", out.resolve("report").toString(),
                "--overwrite", "--runs"));
        for (Step s : steps) {
            if (reportFile(s.out()) != null) {
                reportArgs.add(s.out().toString());
            }
        }
        System.err.println("[" + all.size() + "/" + all.size() + "] report: bayeslora " + String.join(" ", reportArgs));
        int rc = BayesLoraCli.run(reportArgs.toArray(new String[0]));
        if (rc != 0) {
            return rc;
        }
        String table = table(title, tableNotes);
        AtomicOutput.writeString(out.resolve("tables.md"), table);
        System.out.println();
        System.out.print(table);
        System.out.println("wrote " + out.resolve("tables.md") + " and " + out.resolve("report"));
        return 0;
    }

    /**
     * The paper's main table: one row per posterior (method), per dataset its accuracy, NLL and ECE from the
     * evaluation reports; then the OOD AUROCs.
     */
    String table(String title, List<String> notes) {
        Map<String, Map<String, JsonNode>> byMethod = new LinkedHashMap<>();
        Set<String> datasets = new LinkedHashSet<>();
        List<String[]> ood = new ArrayList<>();
        for (Path dir : evaluations) {
            JsonNode root = readReport(dir);
            if (root == null) {
                continue;
            }
            for (JsonNode e : root.path("evaluations")) {
                if (e.has("epoch") && !e.path("final").asBoolean(true)) {
                    continue;
                }
                // a fitted temperature differs per task: one row for the method, T in each task's report
                String method = e.path("posterior").asText().replaceAll(" \\(T=[^)]*\\)", "");
                String dataset = e.path("dataset").asText();
                datasets.add(dataset);
                byMethod.computeIfAbsent(method, k -> new LinkedHashMap<>()).put(dataset, e);
            }
            String inDomain = root.path("evaluations").path(0).path("dataset").asText();
            for (JsonNode o : root.path("ood_detection")) {
                // train-ensemble names the pair in the posterior ("…: cqa vs mmlu-stem"); evaluate has one OOD set
                String posterior = o.path("posterior").asText();
                String pair = posterior.contains(" vs ") ? posterior.substring(posterior.lastIndexOf(": ") + 2)
                        : inDomain + " vs " + oodNames.getOrDefault(dir, "OOD");
                String method = posterior.contains(" vs ") ? posterior.substring(0, posterior.lastIndexOf(": "))
                        : posterior;
                ood.add(new String[] {method, pair, o.path("in_domain").asText() + " / "
                        + o.path("out_of_domain").asText(), fmt(o.path("predictive entropy").path("auroc")),
                    fmt(o.path("mutual information").path("auroc")), fmt(o.path("1 - max p").path("auroc"))});
            }
        }
        StringBuilder sb = new StringBuilder("# " + title + "\n\n");
        for (String n : notes) {
            sb.append("- ").append(n).append('\n');
        }
        sb.append('\n');
        StringBuilder header = new StringBuilder("| method |");
        StringBuilder rule = new StringBuilder("|---|");
        for (String d : datasets) {
            header.append(' ').append(d).append(" ACC | ").append(d).append(" NLL | ").append(d).append(" ECE |");
            rule.append("---|---|---|");
        }
        sb.append(header).append('\n').append(rule).append('\n');
        for (Map.Entry<String, Map<String, JsonNode>> m : byMethod.entrySet()) {
            sb.append("| ").append(m.getKey()).append(" |");
            for (String d : datasets) {
                JsonNode e = m.getValue().get(d);
                sb.append(' ').append(e == null ? "" : fmt(e.path("accuracy"))).append(" | ")
                        .append(e == null ? "" : fmt(e.path("nll"))).append(" | ")
                        .append(e == null ? "" : fmt(e.path("ece"))).append(" |");
            }
            sb.append('\n');
        }
        if (!ood.isEmpty()) {
            sb.append("\nOOD detection (OOD = positive), AUROC by score:\n\n"
                    + "| method | in domain vs OOD | examples | entropy | MI | 1 − max p |\n|---|---|---|---|---|---|\n");
            for (String[] r : ood) {
                sb.append("| ").append(String.join(" | ", r)).append(" |\n");
            }
        }
        return sb.toString();
    }

    /** The run's report.json: {@code DIR/report.json} (evaluate) or {@code DIR/report/report.json}; null if none. */
    private static Path reportFile(Path dir) {
        for (Path p : List.of(dir.resolve("report.json"), dir.resolve("report/report.json"))) {
            if (Files.isRegularFile(p)) {
                return p;
            }
        }
        return null;
    }

    private static JsonNode readReport(Path dir) {
        Path p = reportFile(dir);
        if (p == null) {
            return null;
        }
        try {
            return JSON.readTree(p.toFile());
        } catch (IOException e) {
            throw new BayesLoraException(p + ": cannot read: " + e.getMessage(), e);
        }
    }

    private static String fmt(JsonNode v) {
        return v.isNumber() ? String.format(Locale.ROOT, "%.4f", v.asDouble()) : "";
    }

    private static Set<String> readProgress(Path file) {
        Set<String> done = new LinkedHashSet<>();
        if (Files.isRegularFile(file)) {
            try {
                for (JsonNode n : JSON.readTree(file.toFile()).path("completed")) {
                    done.add(n.asText());
                }
            } catch (IOException e) {
                throw new BayesLoraException(file + ": cannot read the progress of the earlier run: " + e.getMessage(),
                        e);
            }
        }
        return done;
    }

    private void writeProgress(Path file, Set<String> done) {
        ObjectNode root = JSON.createObjectNode();
        root.put("paper", paper);
        ArrayNode a = root.putArray("completed");
        done.forEach(a::add);
        try {
            AtomicOutput.writeString(file, JSON.writerWithDefaultPrettyPrinter().writeValueAsString(root) + "\n");
        } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
            throw new UncheckedIOException("cannot write " + file, e);
        }
    }
}
