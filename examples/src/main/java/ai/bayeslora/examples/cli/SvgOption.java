package ai.bayeslora.examples.cli;

import picocli.CommandLine.Option;

/** {@code --svg}: also write each report figure as SVG (docs/GUIDE.md, "Reports and figures"). */
final class SvgOption {
    /** Whether to write SVG files; default off (the HTML embeds PNGs). */
    @Option(names = "--svg", description = "Also write every report figure as SVG next to its PNG (about ten times "
            + "larger; the HTML embeds the PNGs either way).")
    boolean svg;
}
