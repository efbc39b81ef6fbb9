package ai.bayeslora.lora;

import ai.bayeslora.core.NativeScope;
import ai.bayeslora.core.io.AtomicOutput;
import ai.bayeslora.core.Tensors;
import ai.bayeslora.core.model.AdapterBinding;
import ai.bayeslora.core.model.CausalLM;
import ai.bayeslora.core.model.LinearLayer;
import ai.bayeslora.lora.internal.ParameterVectors;
import ai.bayeslora.core.safetensors.Checkpoint;
import ai.bayeslora.core.safetensors.SafetensorsWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.SplittableRandom;
import java.util.TreeMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.bytedeco.pytorch.Generator;
import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.global.torch.ScalarType;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A set of LoRA layers for one base {@link CausalLM}, in peft's adapter format. Create fresh ones with
 * {@link #create}, read peft folders with {@link #load}, write them with {@link #save}. The adapter never changes the
 * model: a forward applies it through {@link #binding()} ({@code scorer.logProbs(batch, adapter.binding())}), so one
 * model serves many adapters and threads at once. {@link #mergedModel()} builds a separate model with
 * {@code W + s·B·A} folded in.
 *
 * <p>A and B are leaf tensors with {@code requires_grad} in float32 (float64 in float64 mode) whatever the model's
 * compute dtype, as peft keeps them on a bf16 base ({@link ai.bayeslora.core.DType#accumulation()}); they are kept
 * past every scope
 * ({@link NativeScope#keep}) and released by {@link #close()}. Reading an adapter from several threads is safe;
 * changing its parameters ({@link #assign(double[])}, a trainer) while other threads predict with it is not.
 */
public final class LoraAdapter implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(LoraAdapter.class);
    /** peft's key prefix for a causal LM: {@code base_model.model.} + HF module name. */
    static final String PREFIX = "base_model.model.";
    static final String WEIGHTS = "adapter_model.safetensors";
    private static final Pattern BASE_COPY = Pattern.compile("^base_model\\.model\\.(.+?)(?:\\.base_layer)?\\.weight$");
    private static final Pattern KEY = Pattern.compile("^base_model\\.model\\.(.+)\\.lora_([AB])(?:\\.[^.]+)?\\.weight$");

    private final CausalLM model;
    private final LoraConfig config;
    private final Map<String, LoraLayer> layers;
    private final AdapterBinding binding;
    private boolean closed;

    private LoraAdapter(CausalLM model, LoraConfig config, Map<String, LoraLayer> layers) {
        this.model = model;
        this.config = config;
        this.layers = Collections.unmodifiableMap(layers);
        Map<String, LoraKernel> kernels = new LinkedHashMap<>();
        layers.forEach((name, l) -> kernels.put(name, LoraKernel.of(l)));
        this.binding = AdapterBinding.of(kernels);
    }

    /**
     * New adapter on every linear layer {@code config} targets: A initialised from {@code seed} (Kaiming-uniform
     * a=√5, i.e. U(±1/√in), or N(0, 1/r)), B = 0. The same seed gives the same bytes on every platform.
     *
     * @param model the base model the adapter attaches to
     * @param config rank, α, dropout, target modules, initialisation
     * @param seed seeds A's initialisation
     * @return the adapter; close it to free its parameters
     */
    public static LoraAdapter create(CausalLM model, LoraConfig config, long seed) {
        checkTiedHead(model, config.targetModules().stream().anyMatch("lm_head"::equals), "config");
        SplittableRandom rng = new SplittableRandom(seed);
        Map<String, LoraLayer> layers = new LinkedHashMap<>();
        for (LinearLayer lin : model.linearLayers().values()) {
            if (!config.targets(lin.name())) {
                continue;
            }
            int in = (int) lin.inFeatures();
            int out = (int) lin.outFeatures();
            int r = config.rank();
            float[] a = new float[r * in];
            double bound = 1.0 / Math.sqrt(in);
            double std = 1.0 / r; // peft's gaussian init: std = 1/r
            for (int i = 0; i < a.length; i++) {
                a[i] = (float) (config.init() == LoraConfig.Init.GAUSSIAN ? gaussian(rng) * std
                        : (rng.nextDouble() * 2 - 1) * bound);
            }
            // the initial values are temporaries of this scope; newLayer copies them
            layers.put(lin.name(), NativeScope.compute(() -> newLayer(model, lin.name(), Tensors.ofFloats(a, r, in),
                    Tensors.ofFloats(new float[out * r], out, r), config.scaling(), config.dropout())));
        }
        if (layers.isEmpty()) {
            throw new IllegalArgumentException("target_modules " + config.targetModules() + " match no linear layer of the "
                    + model.config().architecture().modelType() + " model; e.g. q_proj, v_proj, lm_head");
        }
        return new LoraAdapter(model, config, layers);
    }

    /**
     * Reads a peft adapter folder ({@code adapter_config.json} + {@code adapter_model.safetensors}) for this model.
     * Extra keys such as {@code lm_head.base_layer.weight} are ignored.
     *
     * @param dir a peft adapter folder
     * @param model the base model it was trained on
     * @return the adapter; close it to free its parameters
     */
    public static LoraAdapter load(Path dir, CausalLM model) {
        PeftAdapterConfig pc = PeftAdapterConfig.read(dir);
        Path file = dir.resolve(WEIGHTS);
        if (!Files.isRegularFile(file)) {
            throw new AdapterFormatException(file + ": adapter_model.safetensors not found");
        }
        Map<String, String[]> keys = new TreeMap<>();
        List<String> ignored = new ArrayList<>();
        try (Checkpoint ck = Checkpoint.open(file)) {
            for (String key : ck.names()) {
                Matcher m = KEY.matcher(key);
                if (!m.matches()) {
                    ignored.add(key);
                    continue;
                }
                if (!ck.info(key).dtype().isFloatingPoint()) {
                    throw new AdapterFormatException(file + ": tensor '" + key + "' is stored as "
                            + ck.info(key).dtype() + "; LoRA weights must be floating-point");
                }
                keys.computeIfAbsent(m.group(1), k -> new String[2])[m.group(2).equals("A") ? 0 : 1] = key;
            }
            if (keys.isEmpty()) {
                throw new AdapterFormatException(file + ": no lora_A/lora_B tensors (keys like "
                        + PREFIX + "model.layers.0.self_attn.q_proj.lora_A.weight)");
            }
            checkTiedHead(model, keys.containsKey("lm_head"), file.toString());
            Map<String, LoraLayer> layers = new LinkedHashMap<>();
            for (LinearLayer lin : model.linearLayers().values()) {
                String[] ab = keys.remove(lin.name());
                if (ab == null) {
                    continue;
                }
                if (ab[0] == null || ab[1] == null) {
                    throw new AdapterFormatException(file + ": module '" + lin.name() + "' has lora_"
                            + (ab[0] == null ? "B but no lora_A" : "A but no lora_B"));
                }
                int r = pc.rankFor(lin.name());
                checkShape(ck, file, ab[0], r, lin.inFeatures());
                checkShape(ck, file, ab[1], lin.outFeatures(), r);
                ScalarType dt = model.device().dtype().accumulation().scalarType();
                // Checkpoint#tensor: the caller owns the loaded tensors; newLayer copies them
                try (Tensor a = ck.tensor(ab[0], dt, model.device().torchDevice());
                     Tensor b = ck.tensor(ab[1], dt, model.device().torchDevice())) {
                    layers.put(lin.name(), newLayer(model, lin.name(), a, b, pc.scalingFor(lin.name()),
                            pc.config.dropout()));
                }
            }
            if (!keys.isEmpty()) {
                throw new AdapterFormatException(file + ": adapter has weights for module(s) the base model lacks: "
                        + keys.keySet().stream().limit(5).toList() + " (is it for another model?)");
            }
            checkOtherTensors(ck, file, model, ignored);
            checkTargets(file, pc, model, layers.keySet());
            for (LoraLayer l : layers.values()) {
                if (!Tensors.allFinite(l.a()) || !Tensors.allFinite(l.b())) {
                    layers.values().forEach(x -> NativeScope.release(x.a(), x.b()));
                    throw new AdapterFormatException(file + ": the LoRA weights of '" + l.moduleName() + "' hold NaN "
                            + "or infinite values (a diverged training run?)");
                }
            }
            return new LoraAdapter(model, pc.config, layers);
        }
    }

    /**
     * Tensors other than lora_A / lora_B: peft also saves copies of base layers it may have resized (an embedding or
     * lm_head, {@code save_embedding_layers}); those are accepted only when they equal the base model's weight, since
     * peft would load them into the model. Everything else (lora_embedding_*, modules_to_save, unknown keys) is
     * refused by name rather than dropped.
     */
    private static void checkOtherTensors(Checkpoint ck, Path file, CausalLM model, List<String> others) {
        for (String key : others) {
            if (key.contains("lora_embedding_")) {
                throw new AdapterFormatException(file + ": tensor '" + key + "' is a LoRA on an embedding layer; this "
                        + "library adapts linear layers only");
            }
            if (key.contains("modules_to_save")) {
                throw new AdapterFormatException(file + ": tensor '" + key + "' is a modules_to_save copy; this "
                        + "library does not support fully trained modules");
            }
            Matcher m = BASE_COPY.matcher(key);
            LinearLayer base = m.matches() ? model.linearLayers().get(m.group(1)) : null;
            if (base == null) {
                throw new AdapterFormatException(file + ": tensor '" + key + "' is not a LoRA weight this library "
                        + "knows (expected <module>.lora_A.weight / lora_B.weight)");
            }
            boolean same = NativeScope.compute(() -> {
                Tensor t = ck.tensor(key, base.weight().scalar_type(), model.device().torchDevice());
                return java.util.Arrays.equals(Tensors.shape(t), Tensors.shape(base.weight()))
                        && org.bytedeco.pytorch.global.torch.equal(t, base.weight());
            });
            if (!same) {
                throw new AdapterFormatException(file + ": tensor '" + key + "' is a saved copy of the base layer '"
                        + m.group(1) + "' that differs from the base model's (a resized or retrained layer); peft "
                        + "would load it into the model, which this library does not do");
            }
        }
    }

    /** The modules that have weights must be exactly those adapter_config.json targets in this model. */
    private static void checkTargets(Path file, PeftAdapterConfig pc, CausalLM model, java.util.Set<String> loaded) {
        List<String> missing = new ArrayList<>();
        for (String name : model.linearLayers().keySet()) {
            if (pc.targets(name) && !loaded.contains(name)) {
                missing.add(name);
            }
        }
        List<String> untargeted = loaded.stream().filter(n -> !pc.targets(n)).toList();
        if (!untargeted.isEmpty()) {
            throw new AdapterFormatException(file + ": weights for " + untargeted.stream().limit(5).toList() + " but "
                    + "adapter_config.json's target_modules / layers_to_transform do not target them");
        }
        if (!missing.isEmpty()) {
            throw new AdapterFormatException(file + ": adapter_config.json targets " + missing.stream().limit(5).toList()
                    + (missing.size() > 5 ? " and " + (missing.size() - 5) + " more" : "") + " but the weights have "
                    + "no lora_A/lora_B for them");
        }
    }

    private static void checkShape(Checkpoint ck, Path file, String key, long rows, long cols) {
        long[] shape = ck.info(key).shape();
        if (shape.length != 2 || shape[0] != rows || shape[1] != cols) {
            throw new AdapterFormatException(file + ": tensor '" + key + "' has shape " + Tensors.shapeText(shape)
                    + " but the base model and adapter_config.json imply [" + rows + ", " + cols + "]");
        }
    }

    private static void checkTiedHead(CausalLM model, boolean targetsHead, String source) {
        if (targetsHead && model.config().tieWordEmbeddings()) {
            // peft's default (ensure_weight_tying=false): the update unties the head only; the input embedding keeps
            // the shared frozen weight. mergedModel() refuses, since folding into the shared tensor would change both.
            LOG.warn("{}: lm_head is tied to embed_tokens; the LoRA update applies to the output head only (peft's "
                    + "default, ensure_weight_tying=false), the input embedding stays frozen and unadapted", source);
        }
    }

    private static LoraLayer newLayer(CausalLM model, String name, Tensor a, Tensor b, double scaling, double dropout) {
        return NativeScope.compute(() -> {
            // float32 (float64 in float64 mode) whatever the compute dtype, as peft keeps adapters on a bf16 base
            ScalarType dt = model.device().dtype().accumulation().scalarType();
            Tensor aa = a.to(model.device().torchDevice(), dt).detach().clone();
            Tensor bb = b.to(model.device().torchDevice(), dt).detach().clone();
            aa.set_requires_grad(true);
            bb.set_requires_grad(true);
            // the adapter owns A and B: released by its close()
            return new LoraLayer(name, NativeScope.keep(aa), NativeScope.keep(bb), scaling, dropout);
        });
    }

    private static double gaussian(SplittableRandom rng) {
        // Box–Muller; deterministic across platforms
        double u1 = rng.nextDouble();
        double u2 = rng.nextDouble();
        return Math.sqrt(-2 * Math.log(1 - u1)) * Math.cos(2 * Math.PI * u2);
    }

    /**
     * Writes a peft adapter folder atomically: files go to a temporary sibling folder that is then moved into place,
     * so a crash never leaves a half-written adapter. An existing folder is replaced only if this library wrote it
     * (or it is empty); see {@link #save(Path, AtomicOutput.Replace)}.
     *
     * @param dir the adapter folder
     * @throws ai.bayeslora.core.io.OutputConflictException if {@code dir} is a file or a folder of other files
     */
    public void save(Path dir) {
        save(dir, AtomicOutput.Replace.OWN);
    }

    /**
     * As {@link #save(Path)}, with {@code replace} saying which existing folder may be replaced
     * ({@link AtomicOutput.Replace#ANY}: whatever is there, as the CLI's {@code --overwrite}).
     *
     * @param dir the adapter folder
     * @param replace which existing folder may be replaced
     */
    public void save(Path dir, AtomicOutput.Replace replace) {
        Map<String, Tensor> out = new TreeMap<>();
        try (NativeScope s = NativeScope.open()) {
            for (LoraLayer l : layers.values()) {
                out.put(PREFIX + l.moduleName() + ".lora_A.weight", l.a().detach().to(ScalarType.Float).contiguous());
                out.put(PREFIX + l.moduleName() + ".lora_B.weight", l.b().detach().to(ScalarType.Float).contiguous());
            }
            AtomicOutput.writeFolder(dir, "lora-adapter", replace, tmp -> {
                SafetensorsWriter.write(tmp.resolve(WEIGHTS), out, Map.of("format", "pt"));
                AtomicOutput.writeString(tmp.resolve(PeftAdapterConfig.FILE), PeftAdapterConfig.write(config,
                        model.config().source().replaceAll("[/\\\\]config\\.json$", "")));
            });
        }
    }

    /**
     * The binding that applies this adapter in evaluation mode (no dropout): pass it to a forward, e.g.
     * {@code scorer.logProbs(batch, adapter.binding())}. It refers to the live parameters, so it follows training.
     *
     * @return the binding (made once; immutable)
     */
    public AdapterBinding binding() {
        return binding;
    }

    /**
     * A binding that applies this adapter with LoRA dropout, the masks drawn from {@code generator} (training, MC
     * dropout). Make one per call or per run; the generator's state advances with every forward.
     *
     * @param generator a generator on the model's device (masks drawn in place), or a CPU generator (masks drawn on
     *     the CPU and copied over: the same masks on every device, at the cost of a copy per adapted layer)
     * @return the binding; the same as {@link #binding()} when lora_dropout is 0
     */
    public AdapterBinding dropoutBinding(Generator generator) {
        Objects.requireNonNull(generator, "generator");
        if (config.dropout() <= 0) {
            return binding;
        }
        Map<String, LoraKernel> kernels = new LinkedHashMap<>();
        layers.forEach((name, l) -> kernels.put(name, LoraKernel.withDropout(l, generator)));
        return AdapterBinding.of(kernels);
    }

    /**
     * A binding with this adapter's layout but the parameters {@code theta} (layout of {@link #parameterValues()}), for
     * example a posterior sample: A and B are views into {@code theta}, nothing is copied and this adapter is not
     * changed. No dropout.
     *
     * @param theta a flat parameter vector [P] in the model's compute dtype and device; it must outlive the binding's
     *     use (keep both in one scope)
     * @return the binding
     */
    public AdapterBinding bindingAt(Tensor theta) {
        long p = parameterCount();
        if (theta.dim() != 1 || theta.size(0) != p) {
            throw new IllegalArgumentException("parameter vector has shape " + Tensors.shapeText(Tensors.shape(theta))
                    + " but the adapter has " + p + " parameters");
        }
        Map<String, LoraKernel> kernels = new LinkedHashMap<>();
        long offset = 0;
        for (LoraLayer l : layers.values()) {
            long na = l.a().numel();
            long nb = l.b().numel();
            Tensor a = theta.narrow(0, offset, na).view(Tensors.shape(l.a()));
            Tensor b = theta.narrow(0, offset + na, nb).view(Tensors.shape(l.b()));
            kernels.put(l.moduleName(), LoraKernel.of(l.moduleName(), a, b, l.scaling()));
            offset += na + nb;
        }
        return AdapterBinding.of(kernels);
    }

    /**
     * A separate model with this adapter folded into the base weights, {@code W + s·B·A} per adapted module, for fast
     * single-adapter inference (no LoRA matmuls; use it with {@link AdapterBinding#none()}). The base model is not
     * changed; the merged model shares every unadapted tensor with it and must be closed.
     *
     * @return the merged model
     * @throws IllegalArgumentException if lm_head is adapted and tied to the input embedding (merging would change
     *     the embedding too)
     */
    public CausalLM mergedModel() {
        Map<String, Tensor> deltas = new LinkedHashMap<>();
        return NativeScope.compute(() -> {
            for (LoraLayer l : layers.values()) {
                deltas.put(l.moduleName(), LoraKernel.of(l).deltaWeight());
            }
            return model.withMergedDeltas(deltas);
        });
    }

    /** {@return the adapter's configuration} */
    public LoraConfig config() {
        return config;
    }

    /** {@return the base model it attaches to} */
    public CausalLM model() {
        return model;
    }

    /**
     * LoRA layers keyed by module name, in model order.
     *
     * @return the layers, unmodifiable
     */
    public Map<String, LoraLayer> layers() {
        return layers;
    }

    /** {@return all trainable tensors, A then B per module, in model order} */
    public List<Tensor> parameters() {
        List<Tensor> p = new ArrayList<>();
        for (LoraLayer l : layers.values()) {
            p.add(l.a());
            p.add(l.b());
        }
        return p;
    }

    /**
     * peft's name for each parameter ({@code base_model.model.<module>.lora_A.weight}), aligned with
     * {@link #parameters()}.
     *
     * @return the names, one per parameter
     */
    public List<String> parameterNames() {
        List<String> n = new ArrayList<>();
        for (LoraLayer l : layers.values()) {
            n.add(PREFIX + l.moduleName() + ".lora_A.weight");
            n.add(PREFIX + l.moduleName() + ".lora_B.weight");
        }
        return n;
    }

    /**
     * θ as a Java array, float64: all parameters concatenated, A then B per module in model order, each row-major
     * (the layout of {@link #parameterNames()}, of {@link #bindingAt} and of every posterior's θ). The tensor form is
     * {@link ai.bayeslora.lora.interop.AdapterTensors#flatten AdapterTensors.flatten} (docs/API.md, "Tensors in
     * signatures").
     *
     * @return θ [P], A then B per module, row-major
     */
    public double[] parameterValues() {
        try (Tensor flat = ParameterVectors.flatten(this, ScalarType.Double)) {
            return Tensors.toDoubles(flat);
        }
    }

    /**
     * Copies θ from a Java array (layout of {@link #parameterValues()}) into the parameters, without recording
     * gradients. Values are rounded to the parameters' dtype. The tensor form is
     * {@link ai.bayeslora.lora.interop.AdapterTensors#assign AdapterTensors.assign}.
     *
     * @param theta P values
     * @throws IllegalArgumentException if the length is not {@link #parameterCount()}
     */
    public void assign(double[] theta) {
        long p = parameterCount();
        if (theta.length != p) {
            throw new IllegalArgumentException("parameter array has " + theta.length + " values but the adapter has "
                    + p + " parameters");
        }
        NativeScope.runNoGrad(() -> ParameterVectors.assign(this, Tensors.ofDoubles(theta, theta.length)));
    }

    /** {@return the number of trainable scalars} */
    public long parameterCount() {
        return parameters().stream().mapToLong(Tensor::numel).sum();
    }

    @Override
    public synchronized void close() {
        if (closed) {
            return;
        }
        closed = true;
        for (LoraLayer l : layers.values()) {
            NativeScope.release(l.a(), l.b());
        }
    }
}
