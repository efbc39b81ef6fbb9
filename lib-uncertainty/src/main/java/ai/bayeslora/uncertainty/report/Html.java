package ai.bayeslora.uncertainty.report;

import ai.bayeslora.uncertainty.Comparison;
import ai.bayeslora.uncertainty.DetectionScore;
import ai.bayeslora.uncertainty.EvaluationReport;
import ai.bayeslora.uncertainty.OodReport;
import ai.bayeslora.uncertainty.plot.Figure;
import java.util.List;
import java.util.Locale;

/** The self-contained HTML summary: tables plus every figure embedded as a PNG data URI. */
final class Html {
    private Html() {
    }

    static String render(String title, List<String> notes, Comparison comparison, List<EvaluationReport> evals,
                         List<OodReport> oods, List<Figure> figures) {
        StringBuilder h = new StringBuilder();
        h.append("<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\"><title>").append(esc(title))
                .append("</title>\n<style>body{font-family:sans-serif;max-width:1100px;margin:2em auto;color:#222}"
                        + "table{border-collapse:collapse;margin:1em 0}td,th{border:1px solid #ccc;padding:4px 8px;"
                        + "text-align:right}th{background:#f4f4f4}td:first-child,th:first-child{text-align:left}"
                        + ".note{background:#fff8e1;border-left:4px solid #f0b400;padding:.5em 1em}"
                        + "figure{display:inline-block;margin:.5em}img{max-width:520px}</style></head><body>\n");
        h.append("<h1>").append(esc(title)).append("</h1>\n");
        for (String n : notes) {
            h.append("<p class=\"note\">").append(esc(n)).append("</p>\n");
        }
        if (!evals.isEmpty()) {
            int bins = evals.get(0).metrics().eceBins();
            h.append("<h2>Metrics</h2>\n<table><tr><th>posterior</th><th>dataset</th><th>N</th><th>accuracy</th>"
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
        }
        if (!oods.isEmpty()) {
            h.append("<h2>OOD detection (OOD = positive)</h2>\n<table><tr><th>posterior</th>");
            for (DetectionScore s : DetectionScore.values()) {
                h.append("<th>AUROC ").append(esc(s.label())).append("</th><th>AUPR ").append(esc(s.label()))
                        .append("</th>");
            }
            h.append("</tr>\n");
            for (OodReport o : oods) {
                h.append("<tr><td>").append(esc(o.posterior())).append("</td>");
                for (DetectionScore s : DetectionScore.values()) {
                    h.append("<td>").append(num(o.auroc(s))).append("</td><td>").append(num(o.aupr(s))).append("</td>");
                }
                h.append("</tr>\n");
            }
            h.append("</table>\n");
        }
        if (comparison != null) {
            h.append("<h2>Comparison</h2>\n<pre>").append(esc(comparison.table())).append("</pre>\n");
        }
        if (!figures.isEmpty()) {
            h.append("<h2>Figures</h2>\n");
            for (Figure f : figures) {
                h.append("<figure><img alt=\"").append(esc(f.name())).append("\" src=\"")
                        .append(UncertaintyReport.dataUri(f.png())).append("\"><figcaption>").append(esc(f.name()))
                        .append(" (<a href=\"figures/").append(esc(f.name())).append(".svg\">svg</a>)</figcaption>"
                                + "</figure>\n");
            }
        }
        h.append("</body></html>\n");
        return h.toString();
    }

    private static String num(double v) {
        return Double.isNaN(v) ? "n/a" : String.format(Locale.ROOT, "%.4f", v);
    }

    static String esc(String s) {
        return s.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace("\"", "&quot;");
    }
}
