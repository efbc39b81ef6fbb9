package ai.bayeslora.laplace;

import ai.bayeslora.core.io.AtomicOutput;
import ai.bayeslora.core.NativeScope;
import ai.bayeslora.laplace.internal.PrecisionModel;
import ai.bayeslora.laplace.internal.KfacPrecision;
import ai.bayeslora.laplace.internal.DiagPrecision;
import ai.bayeslora.laplace.internal.FullPrecision;
import ai.bayeslora.laplace.internal.BlockLayout;
import ai.bayeslora.core.Tensors;
import ai.bayeslora.core.model.CausalLM;
import ai.bayeslora.core.safetensors.SafetensorsFile;
import ai.bayeslora.core.safetensors.SafetensorsWriter;
import ai.bayeslora.lora.LoraAdapter;
import ai.bayeslora.lora.LoraLayer;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.global.torch.ScalarType;

/**
 * The posterior folder: {@code manifest.json}, {@code posterior.safetensors} (θ* as {@code theta_map} plus the
 * curvature state of the structure) and {@code adapter/} (peft copy of the adapter). Written into a hidden sibling
 * folder and moved into place, so a crash never leaves a half-written posterior.
 */
final class PosteriorFiles {
    static final String MANIFEST = "manifest.json";
    static final String TENSORS = "posterior.safetensors";
    static final String ADAPTER = "adapter";
    static final String FORMAT = "bayeslora-laplace-posterior";
    static final int VERSION = 1;
    static final String THETA = "theta_map";

    private PosteriorFiles() {
    }

    /** SHA-256 of θ as little-endian float64 bytes. */
    static String fingerprint(Tensor theta) {
        double[] t = Tensors.toDoubles(theta);
        ByteBuffer buf = ByteBuffer.allocate(8 * t.length).order(ByteOrder.LITTLE_ENDIAN);
        for (double v : t) {
            buf.putDouble(v);
        }
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(buf.array()));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    static void save(LaplacePosterior p, Path dir, AtomicOutput.Replace replace) {
        try (NativeScope s = NativeScope.open()) {
            Map<String, Tensor> tensors = new LinkedHashMap<>(p.precisionModel().state());
            tensors.put(THETA, p.theta());
            AtomicOutput.writeFolder(dir, "laplace-posterior", replace, tmp -> {
                SafetensorsWriter.write(tmp.resolve(TENSORS), tensors, Map.of("format", FORMAT));
                p.adapter().save(tmp.resolve(ADAPTER));
                AtomicOutput.writeString(tmp.resolve(MANIFEST), manifest(p));
            });
        }
    }

    private static String manifest(LaplacePosterior p) throws IOException {
        ObjectMapper json = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);
        ObjectNode m = json.createObjectNode();
        LaplaceConfig c = p.config();
        m.put("format", FORMAT);
        m.put("version", VERSION);
        m.put("structure", p.structure().cliName());
        m.put("fisher", c.fisher().name().toLowerCase(Locale.ROOT));
        m.put("kfac_positions", c.positions().name().toLowerCase(Locale.ROOT));
        m.put("low_rank", c.rank());
        m.put("low_rank_threshold", c.lowRankThreshold());
        m.put("mc_samples", c.mcSamples());
        m.put("seed", c.seed());
        double[] lambdas = p.priorPrecisions();
        boolean scalar = java.util.Arrays.stream(lambdas).allMatch(l -> l == lambdas[0]);
        if (scalar) {
            m.put("prior_precision", lambdas[0]);
        } else {
            m.putNull("prior_precision");
        }
        ArrayNode pl = m.putArray("prior_precisions");
        for (double l : lambdas) {
            pl.add(l);
        }
        m.put("num_examples", p.examples());
        m.put("num_parameters", p.parameterCount());
        m.put("log_likelihood", p.logLikelihood());
        m.put("log_evidence", p.logMarginalLikelihood());
        ArrayNode labels = m.putArray("class_labels");
        p.classLabels().forEach(labels::add);
        ArrayNode mods = m.putArray("modules");
        p.modules().forEach(mods::add);
        ArrayNode blocks = m.putArray("blocks");
        for (ParameterBlock b : p.blocks()) {
            ObjectNode o = blocks.addObject();
            o.put("module", b.module());
            o.put("matrix", b.matrix().name());
            o.put("rows", b.rows());
            o.put("cols", b.cols());
            o.put("offset", b.offset());
        }
        m.put("model_path", p.provenance().modelPath());
        m.put("adapter_path", p.provenance().adapterPath());
        m.put("adapter_fingerprint", p.provenance().adapterFingerprint());
        m.put("dtype", p.adapter().model().device().dtype().hfName());
        if (p.lastTuning() != null) {
            ObjectNode t = m.putObject("tuning");
            t.put("method", p.lastTuning().method());
            t.put("log_evidence", p.lastTuning().logEvidence());
            ArrayNode curve = t.putArray("curve");
            for (double[] pt : p.lastTuning().curve()) {
                curve.addArray().add(pt[0]).add(pt[1]);
            }
        }
        return json.writeValueAsString(m);
    }

    /** Reads the manifest only (e.g. to find the base model before loading it). */
    static JsonNode readManifest(Path dir) {
        Path file = dir.resolve(MANIFEST);
        if (!Files.isRegularFile(file)) {
            throw new PosteriorFormatException(dir, "no " + MANIFEST + " (not a posterior folder written by laplace fit)");
        }
        try {
            JsonNode m = new ObjectMapper().readTree(file.toFile());
            if (!FORMAT.equals(m.path("format").asText())) {
                throw new PosteriorFormatException(file, "field \"format\" is not \"" + FORMAT + "\"");
            }
            if (m.path("version").asInt() != VERSION) {
                throw new PosteriorFormatException(file, "unsupported version " + m.path("version"));
            }
            return m;
        } catch (IOException e) {
            throw new PosteriorFormatException(file, "unreadable JSON: " + e.getMessage(), e);
        }
    }

    private static String text(JsonNode m, Path file, String name) {
        JsonNode n = field(m, file, name);
        if (!n.isTextual()) {
            throw new PosteriorFormatException(file, "field \"" + name + "\" must be a string, got " + n);
        }
        return n.asText();
    }

    private static <E extends Enum<E>> E constant(JsonNode m, Path file, String name, Class<E> type) {
        String v = text(m, file, name);
        for (E e : type.getEnumConstants()) {
            if (e.name().equalsIgnoreCase(v)) {
                return e;
            }
        }
        throw new PosteriorFormatException(file, "field \"" + name + "\" is \"" + v + "\"; expected one of "
                + java.util.Arrays.stream(type.getEnumConstants()).map(e -> e.name().toLowerCase(Locale.ROOT)).toList());
    }

    private static long integer(JsonNode m, Path file, String name) {
        JsonNode n = field(m, file, name);
        if (!n.isIntegralNumber() || !n.canConvertToLong()) {
            throw new PosteriorFormatException(file, "field \"" + name + "\" must be an integer, got " + n);
        }
        return n.asLong();
    }

    private static int positiveInt(JsonNode m, Path file, String name) {
        long v = integer(m, file, name);
        if (v < 1 || v > Integer.MAX_VALUE) {
            throw new PosteriorFormatException(file, "field \"" + name + "\" must be a positive integer, got " + v);
        }
        return (int) v;
    }

    private static List<String> strings(JsonNode m, Path file, String name) {
        JsonNode n = field(m, file, name);
        List<String> out = new ArrayList<>();
        if (n.isArray()) {
            for (JsonNode e : n) {
                if (!e.isTextual()) {
                    out = null;
                    break;
                }
                out.add(e.asText());
            }
        }
        if (!n.isArray() || out == null) {
            throw new PosteriorFormatException(file, "field \"" + name + "\" must be an array of strings");
        }
        return out;
    }

    /** The manifest's block table must be the layout the modules give, in order: module order decides θ's layout. */
    private static void checkBlocks(Path file, JsonNode blocks, BlockLayout layout) {
        List<ParameterBlock> want = layout.blocks();
        if (!blocks.isArray() || blocks.size() != want.size()) {
            throw new PosteriorFormatException(file, "field \"blocks\" must list the " + want.size()
                    + " parameter blocks of the modules, got " + (blocks.isArray() ? blocks.size() : blocks));
        }
        for (int i = 0; i < want.size(); i++) {
            ParameterBlock w = want.get(i);
            JsonNode b = blocks.get(i);
            if (!w.module().equals(b.path("module").asText()) || !w.matrix().name().equals(b.path("matrix").asText())
                    || w.rows() != b.path("rows").asInt(-1) || w.cols() != b.path("cols").asInt(-1)
                    || w.offset() != b.path("offset").asLong(-1)) {
                throw new PosteriorFormatException(file, "field \"blocks\"[" + i + "] is " + b + " but the modules "
                        + "in this order give " + w + " (was the module list edited?)");
            }
        }
    }

    /**
     * θ* must be the adapter copy's parameters (saved as float32): a manifest whose module order or files were
     * changed would otherwise put θ* and the curvature on the wrong modules without a word.
     */
    private static void checkThetaMatchesAdapter(Path dir, BlockLayout layout, List<LoraLayer> layers, Tensor theta) {
        double[] th = Tensors.toDoubles(theta);
        double[] saved = NativeScope.compute(() -> Tensors.toDoubles(BlockLayout.flatten(layers)));
        for (int i = 0; i < th.length; i++) {
            // the adapter is stored in float32: θ* rounded to float32 is what it holds
            if ((float) th[i] != (float) saved[i]) {
                ParameterBlock b = layout.blocks().get(0);
                for (ParameterBlock pb : layout.blocks()) {
                    if (pb.offset() <= i) {
                        b = pb;
                    }
                }
                throw new PosteriorFormatException(dir, "θ* in " + TENSORS + " does not match " + ADAPTER + "/ at "
                        + b.module() + " " + b.matrix() + " (θ*[" + i + "] = " + th[i] + ", adapter " + saved[i]
                        + "): the manifest's module order or the files do not belong together");
            }
        }
    }

    private static JsonNode field(JsonNode m, Path file, String name) {
        JsonNode n = m.get(name);
        if (n == null || n.isNull()) {
            throw new PosteriorFormatException(file, "missing field \"" + name + "\"");
        }
        return n;
    }

    static LaplacePosterior load(Path dir, CausalLM model) {
        JsonNode m = readManifest(dir);
        Path file = dir.resolve(MANIFEST);
        Structure structure;
        try {
            structure = Structure.parse(text(m, file, "structure"));
        } catch (IllegalArgumentException e) {
            throw new PosteriorFormatException(file, "field \"structure\": " + e.getMessage(), e);
        }
        LaplaceConfig config = LaplaceConfig.builder().structure(structure)
                .fisher(constant(m, file, "fisher", FisherEstimate.class))
                .positions(constant(m, file, "kfac_positions", KfacPositions.class))
                .rank(positiveInt(m, file, "low_rank")).lowRankThreshold(positiveInt(m, file, "low_rank_threshold"))
                .mcSamples(positiveInt(m, file, "mc_samples")).seed(integer(m, file, "seed"))
                .build();
        List<String> modules = strings(m, file, "modules");
        List<String> labels = strings(m, file, "class_labels");
        if (labels.size() < 2 || new java.util.HashSet<>(labels).size() != labels.size()) {
            throw new PosteriorFormatException(file, "field \"class_labels\" must list at least two distinct labels, "
                    + "got " + labels);
        }
        JsonNode pl = field(m, file, "prior_precisions");
        if (!pl.isArray() || pl.isEmpty()) {
            throw new PosteriorFormatException(file, "field \"prior_precisions\" must be a non-empty array of "
                    + "positive numbers, one per parameter block");
        }
        double[] lambdas = new double[pl.size()];
        for (int i = 0; i < lambdas.length; i++) {
            JsonNode v = pl.get(i);
            if (!v.isNumber() || !(v.asDouble() > 0) || Double.isInfinite(v.asDouble())) {
                throw new PosteriorFormatException(file, "field \"prior_precisions\"[" + i + "] must be a positive "
                        + "finite number, got " + v);
            }
            lambdas[i] = v.asDouble();
        }
        long examples = integer(m, file, "num_examples");
        if (examples < 1) {
            throw new PosteriorFormatException(file, "field \"num_examples\" must be at least 1, got " + examples);
        }
        double logLikelihood = field(m, file, "log_likelihood").asDouble(Double.NaN);
        if (!field(m, file, "log_likelihood").isNumber() || !Double.isFinite(logLikelihood) || logLikelihood > 0) {
            throw new PosteriorFormatException(file, "field \"log_likelihood\" must be a finite number ≤ 0, got "
                    + m.get("log_likelihood"));
        }
        LoraAdapter adapter = LoraAdapter.load(dir.resolve(ADAPTER), model);
        PrecisionModel pm = null;
        Tensor theta = null;
        try (SafetensorsFile st = SafetensorsFile.open(dir.resolve(TENSORS)); NativeScope s = NativeScope.open()) {
            List<LoraLayer> layers = new ArrayList<>();
            for (String mod : modules) {
                LoraLayer l = adapter.layers().get(mod);
                if (l == null) {
                    throw new PosteriorFormatException(dir, "module " + mod + " listed in the manifest is not in "
                            + ADAPTER + "/");
                }
                layers.add(l);
            }
            BlockLayout layout = BlockLayout.of(layers);
            if (layout.size() != field(m, file, "num_parameters").asLong()) {
                throw new PosteriorFormatException(file, "num_parameters " + m.get("num_parameters")
                        + " but the adapter's modules have " + layout.size());
            }
            checkBlocks(file, field(m, file, "blocks"), layout);
            if (lambdas.length != layout.blocks().size()) {
                throw new PosteriorFormatException(file, "field \"prior_precisions\" has " + lambdas.length
                        + " entries for " + layout.blocks().size() + " parameter blocks");
            }
            Map<String, Tensor> state = new HashMap<>();
            for (String name : st.names()) {
                Tensor t = st.tensor(name);
                // the curvature state goes to the model's device, where the Jacobians are; indices stay on the CPU
                Tensor c = t.scalar_type().intern() == ScalarType.Long ? t.clone()
                        : t.to(model.device().torchDevice(), ScalarType.Double).contiguous();
                NativeScope.release(t);
                state.put(name, c);
            }
            Tensor th = state.get(THETA);
            if (th == null || th.dim() != 1 || th.size(0) != layout.size()) {
                throw new PosteriorFormatException(dir.resolve(TENSORS), "tensor '" + THETA + "' missing or not ["
                        + layout.size() + "]");
            }
            String fp = fingerprint(th);
            if (!fp.equals(m.path("adapter_fingerprint").asText())) {
                throw new PosteriorFormatException(dir, "θ* in " + TENSORS + " does not match the manifest's "
                        + "adapter_fingerprint (files from different fits?)");
            }
            checkThetaMatchesAdapter(dir, layout, layers, th);
            layout.assign(layers, th);
            try {
                pm = switch (structure) {
                    case FULL -> FullPrecision.fromState(layout, state);
                    case DIAG -> DiagPrecision.fromState(layout, state);
                    case KFAC, KFAC_LOWRANK -> KfacPrecision.fromState(layout, structure, state);
                };
            } catch (IllegalStateException e) {
                throw new PosteriorFormatException(dir.resolve(TENSORS), e.getMessage(), e);
            }
            theta = th.clone();
            NativeScope.keep(theta);
            return new LaplacePosterior(config.toBuilder().priorPrecision(lambdas[0]).build(), pm, theta,
                    examples, logLikelihood, modules,
                    labels, adapter, true, new LaplacePosterior.Provenance(m.path("model_path").asText(),
                            m.path("adapter_path").asText(), fp), lambdas);
        } catch (RuntimeException e) {
            if (pm != null) {
                pm.close();
            }
            if (theta != null) {
                NativeScope.release(theta);
            }
            adapter.close();
            throw e;
        }
    }
}
