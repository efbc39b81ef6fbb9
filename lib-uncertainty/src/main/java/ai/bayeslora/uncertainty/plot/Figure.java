package ai.bayeslora.uncertainty.plot;

import ai.bayeslora.core.BayesLoraException;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.knowm.xchart.BitmapEncoder;
import org.knowm.xchart.VectorGraphicsEncoder;
import org.knowm.xchart.internal.chartpart.Chart;

/**
 * A rendered chart that can be written as PNG and SVG. Writes are atomic (temporary file, then move), so a report
 * folder never holds a half-written image.
 */
public final class Figure {
    static {
        System.setProperty("java.awt.headless", System.getProperty("java.awt.headless", "true"));
    }

    private final String name;
    private final Chart<?, ?> chart;
    private byte[] pngCache;

    Figure(String name, Chart<?, ?> chart) {
        this.name = name;
        this.chart = chart;
    }

    /** File stem, e.g. {@code reliability-ensemble}. */
    public String name() {
        return name;
    }

    /** PNG bytes (rendered once). */
    public synchronized byte[] png() {
        if (pngCache != null) {
            return pngCache.clone();
        }
        try (ByteArrayOutputStream out = new ByteArrayOutputStream()) {
            BitmapEncoder.saveBitmap(chart, out, BitmapEncoder.BitmapFormat.PNG);
            pngCache = out.toByteArray();
            return pngCache.clone();
        } catch (IOException e) {
            throw new BayesLoraException("cannot render figure " + name + " as PNG: " + e.getMessage(), e);
        }
    }

    /** SVG bytes. */
    public byte[] svg() {
        try (ByteArrayOutputStream out = new ByteArrayOutputStream()) {
            VectorGraphicsEncoder.saveVectorGraphic(chart, out, VectorGraphicsEncoder.VectorGraphicsFormat.SVG);
            return out.toByteArray();
        } catch (IOException e) {
            throw new BayesLoraException("cannot render figure " + name + " as SVG: " + e.getMessage(), e);
        }
    }

    /** Writes {@code <dir>/<name>.png} and {@code <dir>/<name>.svg}; returns both paths. */
    public List<Path> writeTo(Path dir) {
        List<Path> out = new ArrayList<>();
        out.add(write(dir.resolve(name + ".png"), png()));
        out.add(write(dir.resolve(name + ".svg"), svg()));
        return out;
    }

    static Path write(Path file, byte[] bytes) {
        ai.bayeslora.core.io.AtomicOutput.writeFile(file, out -> out.write(bytes));
        return file;
    }
}
