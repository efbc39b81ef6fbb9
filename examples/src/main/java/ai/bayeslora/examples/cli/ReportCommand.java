package ai.bayeslora.examples.cli;

import ai.bayeslora.core.BayesLoraException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code bayeslora report}: combines the {@code report.json} files of earlier runs into one table. It works from the
 * saved metrics only: figures are not re-rendered (report.json holds no per-example predictions).
 */
@Command(name = "report", mixinStandardHelpOptions = true, usageHelpAutoWidth = true,
        header = "Combines the reports of several runs into one table and page.", sortOptions = false,
        description = {"Combines saved reports: reads report.json of each --runs folder (DIR/report.json or "
            + "DIR/report/report.json, as written by evaluate and train-ensemble), prints one table of every "
            + "evaluation and one of every OOD detection, and writes OUT/combined.html (the tables, linking each run's "
            + "report.html) and OUT/combined.csv. Figures are not re-rendered: open each run's report.html for them.",
            ""})
final class ReportCommand implements Callable<Integer> {
    @Option(names = "--runs", required = true, arity = "1..*", paramLabel = "DIR",
            description = "Run or report folders.") List<Path> runs;

    @Option(names = "--out", defaultValue = "runs/report", paramLabel = "DIR", description = "Output folder (default: ${DEFAULT-VALUE}).")
    Path out;

    @picocli.CommandLine.Mixin OverwriteOption overwrite = new OverwriteOption();

    private static final String[] EVAL_FIELDS = {"accuracy", "nll", "ece", "brier", "mean_predictive_entropy",
        "mean_mutual_information", "aurc"};
    private static final String[] EVAL_HEADERS = {"acc", "NLL", "ECE", "Brier", "H", "MI", "AURC"};

    /** One run's report. */
    private record Loaded(String run, Path json, JsonNode root) {
    }

    @Override
    public Integer call() {
        OutputGuard guard = new OutputGuard("report", overwrite.overwrite).inputs(runs);
        guard.checkFolder("--out", out);
        ObjectMapper mapper = new ObjectMapper();
        List<Loaded> loaded = new ArrayList<>();
        for (Path dir : runs) {
            Path json = Files.isRegularFile(dir) ? dir : Files.isRegularFile(dir.resolve("report.json"))
                    ? dir.resolve("report.json") : dir.resolve("report/report.json");
            if (!Files.isRegularFile(json)) {
                throw new BayesLoraException("--runs " + dir + ": no report.json (looked for "
                        + dir.resolve("report.json") + " and " + dir.resolve("report/report.json") + ")");
            }
            try {
                JsonNode root = mapper.readTree(json.toFile());
                if (!root.has("evaluations")) {
                    throw new BayesLoraException(json + ": not a bayeslora report (no 'evaluations')");
                }
                Path name = dir.toAbsolutePath().normalize().getFileName();
                loaded.add(new Loaded(name == null ? dir.toString() : name.toString(), json, root));
            } catch (IOException e) {
                throw new BayesLoraException(json + ": cannot read: " + e.getMessage(), e);
            }
        }
        List<String> header = new ArrayList<>(List.of("run", "posterior", "dataset", "N"));
        header.addAll(List.of(EVAL_HEADERS));
        header.add("ECE bins");
        header.add("averaging");
        List<List<String>> evalRows = new ArrayList<>();
        List<String> oodHeader = new ArrayList<>(List.of("run", "posterior", "in", "out"));
        List<List<String>> oodRows = new ArrayList<>();
        List<String> scores = new ArrayList<>();
        for (Loaded l : loaded) {
            for (JsonNode e : l.root().get("evaluations")) {
                List<String> row = new ArrayList<>(List.of(l.run(), e.path("posterior").asText(),
                        e.path("dataset").asText(), e.path("examples").asText()));
                for (String f : EVAL_FIELDS) {
                    row.add(num(e.path(f)));
                }
                row.add(e.path("ece_bins").asText());
                // reports written before --average existed all averaged probabilities (docs/METHODS.md §4)
                row.add(e.path("averaging").asText("probabilities"));
                evalRows.add(row);
            }
            for (JsonNode o : l.root().path("ood_detection")) {
                List<String> row = new ArrayList<>(List.of(l.run(), o.path("posterior").asText(),
                        o.path("in_domain").asText(), o.path("out_of_domain").asText()));
                for (Iterator<Map.Entry<String, JsonNode>> it = o.fields(); it.hasNext(); ) {
                    Map.Entry<String, JsonNode> f = it.next();
                    if (f.getValue().has("auroc")) {
                        if (!scores.contains(f.getKey())) {
                            scores.add(f.getKey());
                        }
                    }
                }
                for (String s : scores) {
                    row.add(num(o.path(s).path("auroc")));
                }
                oodRows.add(row);
            }
        }
        scores.forEach(s -> oodHeader.add("AUROC " + s));
        System.out.println("Evaluations (" + loaded.size() + " runs):");
        System.out.print(text(header, evalRows));
        if (!oodRows.isEmpty()) {
            System.out.println();
            System.out.println("OOD detection (OOD = positive):");
            System.out.print(text(oodHeader, oodRows));
        }
        write(loaded, header, evalRows, oodHeader, oodRows);
        return 0;
    }

    private static String num(JsonNode v) {
        return v.isNumber() ? String.format(Locale.ROOT, "%.4f", v.asDouble()) : v.isMissingNode() ? "" : v.asText();
    }

    private static String text(List<String> header, List<List<String>> rows) {
        int[] w = new int[header.size()];
        for (int i = 0; i < w.length; i++) {
            w[i] = header.get(i).length();
            for (List<String> r : rows) {
                w[i] = Math.max(w[i], i < r.size() ? r.get(i).length() : 0);
            }
        }
        StringBuilder sb = new StringBuilder();
        for (List<String> r : prepend(header, rows)) {
            for (int i = 0; i < w.length; i++) {
                String c = i < r.size() ? r.get(i) : "";
                sb.append(i < 3 ? String.format("%-" + w[i] + "s", c) : String.format("%" + w[i] + "s", c));
                sb.append(i + 1 < w.length ? "  " : "\n");
            }
        }
        return sb.toString();
    }

    private static List<List<String>> prepend(List<String> header, List<List<String>> rows) {
        List<List<String>> all = new ArrayList<>();
        all.add(header);
        all.addAll(rows);
        return all;
    }

    private void write(List<Loaded> loaded, List<String> header, List<List<String>> evalRows, List<String> oodHeader,
                       List<List<String>> oodRows) {
        StringBuilder h = new StringBuilder("<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">"
                + "<title>Combined report</title>\n<style>body{font-family:sans-serif;max-width:1200px;margin:2em auto;"
                + "color:#222}table{border-collapse:collapse;margin:1em 0}td,th{border:1px solid #ccc;padding:4px 8px;"
                + "text-align:right}th{background:#f4f4f4}td:nth-child(-n+3),th:nth-child(-n+3){text-align:left}"
                + "</style></head><body>\n<h1>Combined report</h1>\n<h2>Runs</h2>\n<ul>\n");
        for (Loaded l : loaded) {
            Path html = l.json().resolveSibling("report.html").toAbsolutePath();
            h.append("<li>").append(esc(l.run())).append(": ").append(esc(l.root().path("title").asText()))
                    .append(" (<a href=\"").append(esc(html.toUri().toString())).append("\">report.html</a>)</li>\n");
        }
        h.append("</ul>\n<h2>Evaluations</h2>\n").append(table(header, evalRows));
        if (!oodRows.isEmpty()) {
            h.append("<h2>OOD detection (OOD = positive)</h2>\n").append(table(oodHeader, oodRows));
        }
        h.append("<p>Figures are not re-rendered here; each run's report.html has them.</p>\n</body></html>\n");
        StringBuilder csv = new StringBuilder(String.join(",", header)).append('\n');
        for (List<String> r : evalRows) {
            csv.append(String.join(",", r.stream().map(ReportCommand::csvCell).toList())).append('\n');
        }
        ai.bayeslora.core.io.AtomicOutput.writeFolder(out, "cli:report", overwrite.overwrite
                ? ai.bayeslora.core.io.AtomicOutput.Replace.ANY : ai.bayeslora.core.io.AtomicOutput.Replace.OWN, dir -> {
            ai.bayeslora.core.io.AtomicOutput.writeString(dir.resolve("combined.html"), h.toString());
            ai.bayeslora.core.io.AtomicOutput.writeString(dir.resolve("combined.csv"), csv.toString());
        });
        System.out.println();
        System.out.println("wrote " + out.resolve("combined.html") + " and " + out.resolve("combined.csv"));
    }

    private static String table(List<String> header, List<List<String>> rows) {
        StringBuilder t = new StringBuilder("<table><tr>");
        header.forEach(c -> t.append("<th>").append(esc(c)).append("</th>"));
        t.append("</tr>\n");
        for (List<String> r : rows) {
            t.append("<tr>");
            r.forEach(c -> t.append("<td>").append(esc(c)).append("</td>"));
            t.append("</tr>\n");
        }
        return t.append("</table>\n").toString();
    }

    private static String csvCell(String s) {
        return s.contains(",") || s.contains("\"") ? "\"" + s.replace("\"", "\"\"") + "\"" : s;
    }

    private static String esc(String s) {
        return s.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace("\"", "&quot;");
    }
}
