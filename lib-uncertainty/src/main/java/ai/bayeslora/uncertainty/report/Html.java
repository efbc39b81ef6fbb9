package ai.bayeslora.uncertainty.report;

import ai.bayeslora.uncertainty.DetectionScore;
import ai.bayeslora.uncertainty.EvaluationReport;
import ai.bayeslora.uncertainty.OodReport;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * The self-contained HTML page of a report: a table of contents, then the sections run metadata, metrics, OOD
 * detection, selective prediction, per-epoch evolution and figures (grouped by dataset), every figure embedded as a
 * PNG data URI (so report.html is one self-contained file) with links to its PNG and, when written, SVG files.
 */
final class Html {
    /** Section ids and headings, in page order. */
    static final Map<String, String> SECTIONS = sections();

    private final UncertaintyReport report;
    private final List<ReportFigures.Placed> placed;
    private final StringBuilder h = new StringBuilder();

    Html(UncertaintyReport report, List<ReportFigures.Placed> placed) {
        this.report = report;
        this.placed = placed;
    }

    private static Map<String, String> sections() {
        Map<String, String> m = new LinkedHashMap<>();
        m.put("run", "Run metadata");
        m.put("metrics", "Metrics");
        m.put("ood", "OOD detection");
        m.put("selective", "Selective prediction");
        m.put(ReportFigures.EVOLUTION, "Per-epoch evolution");
        m.put(ReportFigures.FIGURES, "Figures");
        return m;
    }

    String render() {
        String title = report.title();
        h.append("<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\"><title>").append(esc(title))
                .append("</title>\n<style>body{font-family:sans-serif;max-width:1200px;margin:2em auto;color:#222}"
                        + "table{border-collapse:collapse;margin:1em 0}td,th{border:1px solid #ccc;padding:4px 8px;"
                        + "text-align:right}th{background:#f4f4f4}td:first-child,th:first-child{text-align:left}"
                        + "table.kv td{text-align:left}code{font-size:90%}"
                        + ".note{background:#fff8e1;border-left:4px solid #f0b400;padding:.5em 1em}"
                        + "nav{background:#f7f7f7;padding:.5em 1em;border:1px solid #ddd}"
                        + "h2{border-bottom:1px solid #ccc;padding-bottom:.2em;margin-top:1.6em}"
                        + "figure{display:inline-block;margin:.5em;vertical-align:top}img{max-width:100%}"
                        + "figure.small img{max-width:560px}figcaption{font-size:90%;color:#444}"
                        + "details{margin:.5em 0}</style></head><body>\n");
        h.append("<h1>").append(esc(title)).append("</h1>\n");
        for (String n : report.notes()) {
            h.append("<p class=\"note\">").append(esc(n)).append("</p>\n");
        }
        toc();
        run();
        metrics();
        ood();
        selective();
        evolution();
        figures();
        h.append("</body></html>\n");
        return h.toString();
    }

    private void toc() {
        h.append("<nav><strong>Contents</strong><ol>\n");
        for (Map.Entry<String, String> s : SECTIONS.entrySet()) {
            h.append("<li><a href=\"#").append(s.getKey()).append("\">").append(esc(s.getValue())).append("</a>");
            if (s.getKey().equals(ReportFigures.FIGURES)) {
                List<String> groups = groups(ReportFigures.FIGURES);
                if (!groups.isEmpty()) {
                    h.append("<ol>");
                    for (String g : groups) {
                        h.append("<li><a href=\"#").append(groupId(g)).append("\">").append(esc(g)).append("</a></li>");
                    }
                    h.append("</ol>");
                }
            }
            h.append("</li>\n");
        }
        h.append("</ol></nav>\n");
    }

    private void heading(String id) {
        h.append("<h2 id=\"").append(id).append("\">").append(esc(SECTIONS.get(id))).append("</h2>\n");
    }

    private void run() {
        heading("run");
        RunMetadata m = report.metadata();
        if (m == null) {
            h.append("<p>No run metadata was recorded.</p>\n");
            return;
        }
        h.append("<table class=\"kv\">\n");
        kv("command line", m.commandLine() == null ? "n/a" : "<code>" + esc(m.commandLine()) + "</code>", true);
        kv("command", orNa(m.command()), false);
        if (m.model() != null) {
            var x = m.model();
            kv("model", orNa(x.folder()), false);
            kv("architecture", orNa(x.architecture()), false);
            kv("parameters", x.parameters() == null ? "n/a" : String.format(Locale.ROOT, "%,d", x.parameters()),
                    false);
            kv("base-model fingerprint", orNa(x.fingerprint()), false);
        }
        for (RunMetadata.Adapter a : m.adapters()) {
            kv("LoRA: " + a.name(), String.format(Locale.ROOT, "r=%d, alpha=%s, dropout %s on %s", a.rank(),
                    plain(a.alpha()), plain(a.dropout()), String.join(", ", a.targetModules())), false);
        }
        for (Map.Entry<String, Long> s : m.seeds().entrySet()) {
            kv("seed: " + s.getKey(), Long.toString(s.getValue()), false);
        }
        for (Map.Entry<String, String> s : m.settings().entrySet()) {
            kv(s.getKey(), s.getValue(), false);
        }
        kv("library version", orNa(m.libraryVersion()), false);
        kv("date (UTC)", m.date().toString(), false);
        h.append("</table>\n");
    }

    private void kv(String key, String value, boolean valueIsHtml) {
        h.append("<tr><td>").append(esc(key)).append("</td><td>").append(valueIsHtml ? value : esc(value))
                .append("</td></tr>\n");
    }

    private void metrics() {
        heading("metrics");
        List<EvaluationReport> evals = report.evaluations();
        if (evals.isEmpty()) {
            h.append("<p>No evaluation in this report.</p>\n");
            return;
        }
        int bins = evals.get(0).metrics().eceBins();
        h.append("<table><tr><th>posterior</th><th>dataset</th><th>N</th><th>accuracy</th>"
                + "<th>NLL</th><th>ECE (").append(bins).append(" bins)</th><th>MCE</th><th>Brier</th>"
                + "<th>mean entropy</th><th>mean expected entropy</th><th>mean MI</th><th>AURC</th></tr>\n");
        for (EvaluationReport r : evals) {
            var m = r.metrics();
            h.append("<tr><td>").append(esc(r.posterior())).append("</td><td>").append(esc(r.dataset()))
                    .append("</td><td>").append(m.examples()).append("</td>");
            for (double v : new double[] {m.accuracy(), m.nll(), m.ece(), m.mce(), m.brier(),
                m.meanPredictiveEntropy(), m.meanExpectedEntropy(), m.meanMutualInformation(),
                r.selectivePrediction().aurc()}) {
                h.append("<td>").append(num(v)).append("</td>");
            }
            h.append("</tr>\n");
        }
        h.append("</table>\n");
        if (report.comparison() != null) {
            h.append("<h3>Comparison</h3>\n<pre>").append(esc(report.comparison().table())).append("</pre>\n");
        }
        h.append("<h3>Calibration bins</h3>\n<p>Per confidence bin (b/B, (b+1)/B]: examples, mean confidence and "
                + "accuracy; ECE weights each bin's gap by its share of the examples.</p>\n");
        for (EvaluationReport r : evals) {
            var cal = r.metrics().calibration();
            h.append("<details><summary>").append(esc(r.posterior() + " on " + r.dataset()))
                    .append(String.format(Locale.ROOT, ": ECE %.4f, %d bins", cal.ece(), cal.bins()))
                    .append("</summary>\n<table><tr><th>bin</th><th>confidence range</th><th>examples</th>"
                            + "<th>mean confidence</th><th>accuracy</th><th>gap</th></tr>\n");
            int[] counts = cal.counts();
            double[] conf = cal.confidence();
            double[] acc = cal.accuracy();
            for (int b = 0; b < counts.length; b++) {
                h.append("<tr><td>").append(b + 1).append("</td><td>")
                        .append(String.format(Locale.ROOT, "(%.3f, %.3f]", cal.lowerEdge(b), cal.upperEdge(b)))
                        .append("</td><td>").append(counts[b]).append("</td><td>").append(num(conf[b]))
                        .append("</td><td>").append(num(acc[b])).append("</td><td>")
                        .append(num(Math.abs(acc[b] - conf[b]))).append("</td></tr>\n");
            }
            h.append("</table></details>\n");
        }
    }

    private void ood() {
        heading("ood");
        List<OodReport> oods = report.oodReports();
        if (oods.isEmpty()) {
            h.append("<p>No out-of-domain set in this run.</p>\n");
            return;
        }
        h.append("<p>OOD = positive; a higher score means more likely out-of-domain.</p>\n<table><tr>"
                + "<th>posterior</th><th>in-domain</th><th>OOD</th>");
        for (DetectionScore s : DetectionScore.values()) {
            h.append("<th>AUROC ").append(esc(s.label())).append("</th><th>AUPR ").append(esc(s.label()))
                    .append("</th>");
        }
        h.append("</tr>\n");
        for (OodReport o : oods) {
            h.append("<tr><td>").append(esc(o.posterior())).append("</td><td>").append(o.inDomain().size())
                    .append("</td><td>").append(o.outOfDomain().size()).append("</td>");
            for (DetectionScore s : DetectionScore.values()) {
                h.append("<td>").append(num(o.auroc(s))).append("</td><td>").append(num(o.aupr(s))).append("</td>");
            }
            h.append("</tr>\n");
        }
        h.append("</table>\n");
    }

    private void selective() {
        heading("selective");
        List<EvaluationReport> evals = report.evaluations();
        if (evals.isEmpty()) {
            h.append("<p>No evaluation in this report.</p>\n");
            return;
        }
        h.append("<p>Keeping the most confident predictions: accuracy at each coverage, AURC (lower is better), and "
                + "how well each score ranks the misclassified examples first (AUROC/AUPR, misclassified = "
                + "positive).</p>\n<table><tr><th>posterior</th><th>dataset</th><th>AURC</th>");
        for (double c : UncertaintyReport.COVERAGES) {
            h.append(String.format(Locale.ROOT, "<th>acc @ %.0f%%</th>", 100 * c));
        }
        for (DetectionScore s : DetectionScore.values()) {
            h.append("<th>AUROC ").append(esc(s.label())).append("</th><th>AUPR ").append(esc(s.label()))
                    .append("</th>");
        }
        h.append("</tr>\n");
        for (EvaluationReport r : evals) {
            h.append("<tr><td>").append(esc(r.posterior())).append("</td><td>").append(esc(r.dataset()))
                    .append("</td><td>").append(num(r.selectivePrediction().aurc())).append("</td>");
            for (double c : UncertaintyReport.COVERAGES) {
                h.append("<td>").append(num(UncertaintyReport.accuracyAtCoverage(r, c))).append("</td>");
            }
            for (DetectionScore s : DetectionScore.values()) {
                h.append("<td>").append(num(r.misclassificationAuroc(s).orElse(Double.NaN))).append("</td><td>")
                        .append(num(r.misclassificationAupr(s).orElse(Double.NaN))).append("</td>");
            }
            h.append("</tr>\n");
        }
        h.append("</table>\n");
    }

    private void evolution() {
        heading(ReportFigures.EVOLUTION);
        List<UncertaintyReport.EpochSeries> series = report.epochSeries();
        if (series.isEmpty()) {
            h.append("<p>No per-epoch evaluation in this run.</p>\n");
            return;
        }
        for (UncertaintyReport.EpochSeries s : series) {
            h.append("<details><summary>").append(esc(s.metric())).append(" per epoch (table)</summary>\n<table><tr>"
                    + "<th>series</th>");
            for (int e : s.epochs()) {
                h.append("<th>epoch ").append(e).append("</th>");
            }
            h.append("</tr>\n");
            for (Map.Entry<String, double[]> e : s.series().entrySet()) {
                h.append("<tr><td>").append(esc(e.getKey())).append("</td>");
                for (double v : e.getValue()) {
                    h.append("<td>").append(num(v)).append("</td>");
                }
                h.append("</tr>\n");
            }
            h.append("</table></details>\n");
        }
        for (ReportFigures.Placed p : placed) {
            if (p.section().equals(ReportFigures.EVOLUTION)) {
                figure(p, true);
            }
        }
    }

    private void figures() {
        heading(ReportFigures.FIGURES);
        List<String> groups = groups(ReportFigures.FIGURES);
        if (groups.isEmpty()) {
            h.append("<p>No figures.</p>\n");
            return;
        }
        h.append("<p>Histogram grids (the LoRA-ensemble paper's Figures 2–4): one column per epoch, correct and "
                + "incorrect predictions as rows (one row \"all\" where there are no labels); a bar's colour is its "
                + "count on one scale per grid. Reliability diagrams show each bin's count below.</p>\n");
        for (String g : groups) {
            h.append("<h3 id=\"").append(groupId(g)).append("\">").append(esc(g)).append("</h3>\n");
            for (ReportFigures.Placed p : placed) {
                if (p.section().equals(ReportFigures.FIGURES) && p.group().equals(g)) {
                    figure(p, p.grid() == null || p.grid().columns().size() <= 2);
                }
            }
        }
    }

    private void figure(ReportFigures.Placed p, boolean small) {
        var f = p.figure();
        h.append("<figure").append(small ? " class=\"small\"" : "").append("><img alt=\"").append(esc(p.caption()))
                .append("\" src=\"").append(UncertaintyReport.dataUri(f.png())).append("\"><figcaption>")
                .append(esc(p.caption())).append(" (<a href=\"figures/").append(esc(f.name()))
                .append(".png\">png</a>");
        if (report.svg()) {
            h.append(", <a href=\"figures/").append(esc(f.name())).append(".svg\">svg</a>");
        }
        h.append(")</figcaption></figure>\n");
    }

    /** The figure groups of a section in first-appearance order. */
    private List<String> groups(String section) {
        List<String> out = new ArrayList<>();
        for (ReportFigures.Placed p : placed) {
            if (p.section().equals(section) && !out.contains(p.group())) {
                out.add(p.group());
            }
        }
        return out;
    }

    private String groupId(String group) {
        return "figures-" + (groups(ReportFigures.FIGURES).indexOf(group) + 1) + "-" + UncertaintyReport.slug(group);
    }

    private static String orNa(String s) {
        return s == null ? "n/a" : s;
    }

    private static String plain(double v) {
        return v == Math.rint(v) && Math.abs(v) < 1e15 ? Long.toString((long) v) : Double.toString(v);
    }

    private static String num(double v) {
        return Double.isNaN(v) ? "n/a" : String.format(Locale.ROOT, "%.4f", v);
    }

    static String esc(String s) {
        return s.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace("\"", "&quot;");
    }
}
