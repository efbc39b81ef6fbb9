package ai.bayeslora.lora.swag;

import ai.bayeslora.core.BayesLoraException;
import ai.bayeslora.core.ComputeDevice;
import ai.bayeslora.core.safetensors.SafetensorsDType;
import ai.bayeslora.core.safetensors.SafetensorsFile;
import ai.bayeslora.core.safetensors.SafetensorsWriter;
import ai.bayeslora.core.safetensors.TensorInfo;
import ai.bayeslora.core.io.AtomicOutput;
import ai.bayeslora.lora.internal.ParameterLayout;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.global.torch.ScalarType;

/**
 * The on-disk form of a {@link SwagPosterior}: a folder with {@value #MANIFEST} (format name, version, n, K, P, the
 * configuration and the parameter layout) and {@value #TENSORS} ({@code mean} [P], {@code sq_mean} [P],
 * {@code deviations} [P, K], float64).
 */
final class SwagFiles {
    static final String MANIFEST = "swag.json";
    static final String TENSORS = "swag.safetensors";
    static final String FORMAT = "bayeslora-swag";
    static final int VERSION = 1;
    private static final ObjectMapper JSON = new ObjectMapper();

    private SwagFiles() {
    }

    static void write(SwagPosterior posterior, Path dir, AtomicOutput.Replace replace) {
        Map<String, Tensor> tensors = new TreeMap<>();
        tensors.put("mean", posterior.rawMean());
        tensors.put("sq_mean", posterior.rawSquaredMean());
        tensors.put("deviations", posterior.rawDeviations());
        String manifest;
        try {
            manifest = JSON.writerWithDefaultPrettyPrinter().writeValueAsString(manifest(posterior));
        } catch (IOException e) {
            throw new BayesLoraException("cannot write the SWAG posterior to " + dir + ": " + e.getMessage(), e);
        }
        AtomicOutput.writeFolder(dir, "swag-posterior", replace, tmp -> {
            SafetensorsWriter.write(tmp.resolve(TENSORS), tensors, Map.of("format", FORMAT));
            AtomicOutput.writeString(tmp.resolve(MANIFEST), manifest);
        });
    }

    private static ObjectNode manifest(SwagPosterior p) {
        SwagConfig c = p.config();
        ObjectNode o = JSON.createObjectNode();
        o.put("format", FORMAT);
        o.put("version", VERSION);
        o.put("collected", p.collected());
        o.put("rank", p.rank());
        o.put("parameter_count", p.parameterCount());
        ObjectNode cfg = o.putObject("config");
        cfg.put("start_epoch", c.startEpoch());
        cfg.put("collect_every_steps", c.frequency().everySteps()); // 0 = at each epoch end
        cfg.put("max_rank", c.maxRank());
        cfg.put("scale", c.scale());
        cfg.put("variant", c.variant().name());
        cfg.put("samples", c.samples());
        cfg.put("offload_to_cpu", c.offloadToCpu());
        ArrayNode params = o.putArray("parameters");
        ParameterLayout layout = p.layout();
        for (int i = 0; i < layout.names().size(); i++) {
            ObjectNode e = params.addObject();
            e.put("name", layout.names().get(i));
            ArrayNode shape = e.putArray("shape");
            layout.shapes().get(i).forEach(shape::add);
        }
        return o;
    }

    static SwagPosterior read(Path dir, ComputeDevice device) {
        Path manifestFile = dir.resolve(MANIFEST);
        Path tensorFile = dir.resolve(TENSORS);
        JsonNode root;
        try {
            root = JSON.readTree(Files.readString(manifestFile));
        } catch (NoSuchFileException e) {
            throw new SwagFormatException(manifestFile, "not found (is " + dir + " a saved SWAG posterior?)");
        } catch (JsonProcessingException e) {
            throw new SwagFormatException(manifestFile, "not valid JSON: " + e.getOriginalMessage(), e);
        } catch (IOException e) {
            throw new SwagFormatException(manifestFile, "cannot read: " + e.getMessage(), e);
        }
        Manifest m = new Manifest(manifestFile, root);
        if (!Files.isRegularFile(tensorFile)) {
            throw new SwagFormatException(tensorFile, "not found next to " + MANIFEST);
        }
        try (SafetensorsFile file = SafetensorsFile.open(tensorFile)) {
            long p = m.layout.parameterCount();
            Tensor mean = null;
            Tensor sq = null;
            Tensor dev = null;
            try {
                mean = tensor(file, tensorFile, "mean", device, p);
                sq = tensor(file, tensorFile, "sq_mean", device, p);
                dev = tensor(file, tensorFile, "deviations", device, p, m.rank);
                return new SwagPosterior(m.config, m.layout, m.collected, mean, sq, dev);
            } finally {
                for (Tensor t : new Tensor[] {mean, sq, dev}) {
                    if (t != null) {
                        t.close(); // the posterior holds its own references
                    }
                }
            }
        }
    }

    private static Tensor tensor(SafetensorsFile file, Path path, String name, ComputeDevice device, long... shape) {
        if (!file.contains(name)) {
            throw new SwagFormatException(path, "tensor '" + name + "' is missing");
        }
        TensorInfo info = file.info(name);
        if (info.dtype() != SafetensorsDType.F64 || !Arrays.equals(info.shape(), shape)) {
            throw new SwagFormatException(path, "tensor '" + name + "' is " + info.dtype() + " "
                    + Arrays.toString(info.shape()) + " but the manifest implies F64 " + Arrays.toString(shape));
        }
        return file.tensor(name, ScalarType.Double, device.torchDevice());
    }

    /** The validated fields of {@value #MANIFEST}. */
    private static final class Manifest {
        final Path file;
        final SwagConfig config;
        final ParameterLayout layout;
        final long collected;
        final int rank;

        Manifest(Path file, JsonNode root) {
            this.file = file;
            if (root == null || !root.isObject()) {
                throw new SwagFormatException(file, "expected a JSON object");
            }
            String format = text(root, "format");
            if (!FORMAT.equals(format)) {
                throw new SwagFormatException(file, "field 'format' is \"" + format + "\", expected \"" + FORMAT + "\"");
            }
            long version = integer(root, "version", 1);
            if (version != VERSION) {
                throw new SwagFormatException(file, "field 'version' is " + version + "; this library reads version "
                        + VERSION);
            }
            JsonNode cfg = root.get("config");
            if (cfg == null || !cfg.isObject()) {
                throw new SwagFormatException(file, "field 'config' must be an object");
            }
            this.config = config(cfg);
            this.collected = integer(root, "collected", 1);
            this.rank = integer(root, "rank", "rank", 1);
            if (rank != Math.min(collected, config.maxRank())) {
                throw new SwagFormatException(file, "field 'rank' is " + rank + " but min(collected " + collected
                        + ", config.max_rank " + config.maxRank() + ") = " + Math.min(collected, config.maxRank()));
            }
            this.layout = layout(root.get("parameters"));
            long p = integer(root, "parameter_count", 1);
            if (p != layout.parameterCount()) {
                throw new SwagFormatException(file, "field 'parameter_count' is " + p + " but the shapes in 'parameters' "
                        + "add up to " + layout.parameterCount());
            }
        }

        private SwagConfig config(JsonNode cfg) {
            String variant = text(cfg, "variant", "config.variant");
            SwagVariant v;
            try {
                v = SwagVariant.valueOf(variant);
            } catch (IllegalArgumentException e) {
                throw new SwagFormatException(file, "field 'config.variant' is \"" + variant + "\"; expected one of "
                        + Arrays.toString(SwagVariant.values()));
            }
            JsonNode offload = cfg.get("offload_to_cpu");
            if (offload == null || !offload.isBoolean()) {
                throw new SwagFormatException(file, "field 'config.offload_to_cpu' must be true or false, got " + offload);
            }
            try {
                return new SwagConfig(integer(cfg, "start_epoch", "config.start_epoch", 1),
                        new CollectionFrequency(integer(cfg, "collect_every_steps", "config.collect_every_steps", 0)),
                        integer(cfg, "max_rank", "config.max_rank", 2), number(cfg, "scale", "config.scale"), v,
                        integer(cfg, "samples", "config.samples", 1), offload.asBoolean());
            } catch (IllegalArgumentException e) {
                throw new SwagFormatException(file, "field 'config': " + e.getMessage(), e);
            }
        }

        private ParameterLayout layout(JsonNode params) {
            if (params == null || !params.isArray() || params.isEmpty()) {
                throw new SwagFormatException(file, "field 'parameters' must be a non-empty array of {name, shape}");
            }
            List<String> names = new ArrayList<>();
            List<List<Long>> shapes = new ArrayList<>();
            for (int i = 0; i < params.size(); i++) {
                JsonNode e = params.get(i);
                String where = "parameters[" + i + "]";
                names.add(text(e, "name", where + ".name"));
                JsonNode shape = e.get("shape");
                if (shape == null || !shape.isArray()) {
                    throw new SwagFormatException(file, "field '" + where + ".shape' must be an array of sizes");
                }
                List<Long> dims = new ArrayList<>();
                for (JsonNode d : shape) {
                    if (!d.canConvertToLong() || !d.isIntegralNumber() || d.asLong() < 0) {
                        throw new SwagFormatException(file, "field '" + where + ".shape' has a bad size " + d);
                    }
                    dims.add(d.asLong());
                }
                shapes.add(dims);
            }
            return new ParameterLayout(names, shapes);
        }

        private String text(JsonNode node, String field) {
            return text(node, field, field);
        }

        private String text(JsonNode node, String field, String path) {
            JsonNode v = node == null ? null : node.get(field);
            if (v == null || !v.isTextual()) {
                throw new SwagFormatException(file, "field '" + path + "' must be a string, got " + v);
            }
            return v.asText();
        }

        private long integer(JsonNode node, String field, long min) {
            return integer(node, field, field, min, Long.MAX_VALUE);
        }

        private int integer(JsonNode node, String field, String path, int min) {
            return (int) integer(node, field, path, min, Integer.MAX_VALUE);
        }

        private long integer(JsonNode node, String field, String path, long min, long max) {
            JsonNode v = node.get(field);
            if (v == null || !v.isIntegralNumber() || !v.canConvertToLong() || v.asLong() < min || v.asLong() > max) {
                throw new SwagFormatException(file, "field '" + path + "' must be an integer in [" + min + ", " + max
                        + "], got " + v);
            }
            return v.asLong();
        }

        private double number(JsonNode node, String field, String path) {
            JsonNode v = node.get(field);
            if (v == null || !v.isNumber()) {
                throw new SwagFormatException(file, "field '" + path + "' must be a number, got " + v);
            }
            return v.asDouble();
        }
    }
}
