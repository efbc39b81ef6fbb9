package ai.bayeslora.uncertainty.plot;

import ai.bayeslora.core.BayesLoraException;
import de.erichseifert.vectorgraphics2d.VectorGraphics2D;
import de.erichseifert.vectorgraphics2d.svg.SVGProcessor;
import de.erichseifert.vectorgraphics2d.util.PageSize;
import java.awt.Color;
import java.awt.Graphics2D;
import java.awt.RenderingHints;
import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import javax.imageio.ImageIO;
import org.knowm.xchart.BitmapEncoder;
import org.knowm.xchart.VectorGraphicsEncoder;
import org.knowm.xchart.internal.chartpart.Chart;

/**
 * A rendered chart that can be written as PNG and SVG. Writes are atomic (temporary file, then move), so a report
 * folder never holds a half-written image. A figure is one XChart chart, or a {@link Canvas} that paints several
 * charts and its own marks (the histogram grids, the reliability diagram with its count panel).
 */
public final class Figure {
    // Rendering draws onto a BufferedImage or a VectorGraphics2D, neither of which needs a display, so the library
    // leaves java.awt.headless to the application (docs/GUIDE.md, "Figures"): the CLI sets it at startup.

    private final String name;
    private final Chart<?, ?> chart;
    private final Canvas canvas;
    private byte[] pngCache;

    /** A composite drawing of a fixed size, painted onto a bitmap or a vector canvas alike. */
    interface Canvas {
        /** Width in pixels. */
        int width();

        /** Height in pixels. */
        int height();

        /** Paints the whole figure with {@code g}'s origin at the top left corner. */
        void paint(Graphics2D g);
    }

    Figure(String name, Chart<?, ?> chart) {
        this.name = name;
        this.chart = chart;
        this.canvas = null;
    }

    Figure(String name, Canvas canvas) {
        this.name = name;
        this.chart = null;
        this.canvas = canvas;
    }

    /** {@return the width of the image in pixels} */
    public int width() {
        return chart != null ? chart.getWidth() : canvas.width();
    }

    /** {@return the height of the image in pixels} */
    public int height() {
        return chart != null ? chart.getHeight() : canvas.height();
    }

    /**
     * File stem, e.g. {@code reliability-ensemble}.
     *
     * @return the file stem
     */
    public String name() {
        return name;
    }

    /**
     * PNG bytes (rendered once).
     *
     * @return the PNG file's bytes (a copy)
     */
    public synchronized byte[] png() {
        if (pngCache != null) {
            return pngCache.clone();
        }
        try (ByteArrayOutputStream out = new ByteArrayOutputStream()) {
            if (chart != null) {
                BitmapEncoder.saveBitmap(chart, out, BitmapEncoder.BitmapFormat.PNG);
            } else {
                BufferedImage img = new BufferedImage(canvas.width(), canvas.height(), BufferedImage.TYPE_INT_RGB);
                Graphics2D g = img.createGraphics();
                try {
                    g.setRenderingHint(RenderingHints.KEY_ANTIALIASING, RenderingHints.VALUE_ANTIALIAS_ON);
                    g.setRenderingHint(RenderingHints.KEY_TEXT_ANTIALIASING, RenderingHints.VALUE_TEXT_ANTIALIAS_ON);
                    g.setColor(Color.WHITE);
                    g.fillRect(0, 0, canvas.width(), canvas.height());
                    canvas.paint(g);
                } finally {
                    g.dispose();
                }
                if (!ImageIO.write(img, "png", out)) {
                    throw new IOException("no PNG writer");
                }
            }
            pngCache = out.toByteArray();
            return pngCache.clone();
        } catch (IOException e) {
            throw new BayesLoraException("cannot render figure " + name + " as PNG: " + e.getMessage(), e);
        }
    }

    /**
     * SVG bytes.
     *
     * @return the SVG file's bytes
     */
    public byte[] svg() {
        try (ByteArrayOutputStream out = new ByteArrayOutputStream()) {
            if (chart != null) {
                VectorGraphicsEncoder.saveVectorGraphic(chart, out, VectorGraphicsEncoder.VectorGraphicsFormat.SVG);
            } else {
                // what XChart's VectorGraphicsEncoder does for one chart, for the whole canvas
                VectorGraphics2D g = new VectorGraphics2D();
                g.setColor(Color.WHITE);
                g.fillRect(0, 0, canvas.width(), canvas.height());
                canvas.paint(g);
                new SVGProcessor().getDocument(g.getCommands(), new PageSize(0, 0, canvas.width(), canvas.height()))
                        .writeTo(out);
            }
            return out.toByteArray();
        } catch (IOException e) {
            throw new BayesLoraException("cannot render figure " + name + " as SVG: " + e.getMessage(), e);
        }
    }

    /**
     * Writes {@code <dir>/<name>.png} and {@code <dir>/<name>.svg}; returns both paths.
     *
     * @param dir the folder to write into; created if absent
     * @return the PNG and SVG paths
     */
    public List<Path> writeTo(Path dir) {
        return writeTo(dir, true);
    }

    /**
     * Writes {@code <dir>/<name>.png} and, when {@code svg} is set, {@code <dir>/<name>.svg}. SVG is optional because
     * it is about ten times the PNG's size for these charts (every histogram bar and grid line is a path).
     *
     * @param dir the folder
     * @param svg whether to write the SVG too
     * @return the paths written, PNG first
     */
    public List<Path> writeTo(Path dir, boolean svg) {
        List<Path> out = new ArrayList<>();
        out.add(write(dir.resolve(name + ".png"), png()));
        if (svg) {
            out.add(write(dir.resolve(name + ".svg"), svg()));
        }
        return out;
    }

    static Path write(Path file, byte[] bytes) {
        ai.bayeslora.core.io.AtomicOutput.writeFile(file, out -> out.write(bytes));
        return file;
    }
}
