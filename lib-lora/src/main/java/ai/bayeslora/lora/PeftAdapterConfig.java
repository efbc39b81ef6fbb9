package ai.bayeslora.lora;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;

/**
 * Reads and writes peft's {@code adapter_config.json} for LoRA (METHODS.md §2), including per-module
 * {@code rank_pattern} / {@code alpha_pattern} overrides.
 */
final class PeftAdapterConfig {
    static final String FILE = "adapter_config.json";
    private static final ObjectMapper JSON = new ObjectMapper();

    final LoraConfig config;
    final Map<String, Integer> rankPattern;
    final Map<String, Double> alphaPattern;
    final String targetRegex;

    private PeftAdapterConfig(LoraConfig config, Map<String, Integer> rankPattern, Map<String, Double> alphaPattern,
                              String targetRegex) {
        this.config = config;
        this.rankPattern = rankPattern;
        this.alphaPattern = alphaPattern;
        this.targetRegex = targetRegex;
    }

    static PeftAdapterConfig read(Path dir) {
        Path file = dir.resolve(FILE);
        JsonNode root;
        try {
            root = JSON.readTree(Files.readString(file));
        } catch (NoSuchFileException e) {
            throw new AdapterFormatException(file + ": adapter_config.json not found (is " + dir + " a peft adapter folder?)");
        } catch (IOException e) {
            throw new AdapterFormatException(file + ": cannot parse: " + e.getMessage(), e);
        }
        if (root == null || !root.isObject()) {
            throw new AdapterFormatException(file + ": expected a JSON object");
        }
        String type = root.path("peft_type").asText("LORA");
        if (!"LORA".equalsIgnoreCase(type)) {
            throw new AdapterFormatException(file + ": peft_type '" + type + "' is not supported; only LORA");
        }
        if (root.path("use_dora").asBoolean(false)) {
            throw new AdapterFormatException(file + ": use_dora=true (DoRA) is not supported");
        }
        if (root.path("fan_in_fan_out").asBoolean(false)) {
            throw new AdapterFormatException(file + ": fan_in_fan_out=true (Conv1D models) is not supported");
        }
        if (root.path("ensure_weight_tying").asBoolean(false)) {
            throw new AdapterFormatException(file + ": ensure_weight_tying=true (one LoRA shared by tied embedding and "
                    + "lm_head) is not supported; with false, peft's default, a LoRA on lm_head adapts the output head only");
        }
        String bias = root.path("bias").asText("none");
        if (!"none".equals(bias)) {
            throw new AdapterFormatException(file + ": bias='" + bias + "' is not supported; only 'none'");
        }
        refuseFeatures(file, root);
        int r = positiveInt(file, "r", root.get("r"));
        double alpha = root.has("lora_alpha") ? positiveNumber(file, "lora_alpha", root.get("lora_alpha")) : 8;
        JsonNode targets = root.get("target_modules");
        List<String> suffixes = new ArrayList<>();
        String regex = null;
        if (targets == null || targets.isNull()) {
            throw new AdapterFormatException(file + ": field 'target_modules' is missing");
        } else if (targets.isTextual()) {
            regex = targets.asText(); // peft: a string is a full-match regex on the module name
            suffixes.add(regex);
        } else if (targets.isArray() && !targets.isEmpty()) {
            for (JsonNode t : targets) {
                if (!t.isTextual() || t.asText().isEmpty()) {
                    throw new AdapterFormatException(file + ": field 'target_modules' must hold module names, got "
                            + t);
                }
                suffixes.add(t.asText());
            }
        } else {
            throw new AdapterFormatException(file + ": field 'target_modules' must be a non-empty list of module "
                    + "names or a regex string, got " + targets);
        }
        List<Integer> layers = new ArrayList<>();
        JsonNode ltt = root.get("layers_to_transform");
        if (ltt != null && !ltt.isNull()) {
            for (JsonNode n : ltt.isArray() ? ltt : List.of(ltt)) {
                if (!n.isIntegralNumber() || n.asLong() < 0 || n.asLong() > Integer.MAX_VALUE) {
                    throw new AdapterFormatException(file + ": field 'layers_to_transform' must be a layer index or a "
                            + "list of them, got " + ltt);
                }
                layers.add(n.asInt());
            }
        }
        double dropout = root.has("lora_dropout") && !root.get("lora_dropout").isNull()
                ? number(file, "lora_dropout", root.get("lora_dropout")) : 0;
        if (!(dropout >= 0 && dropout < 1)) {
            throw new AdapterFormatException(file + ": field 'lora_dropout' must be in [0, 1), got " + dropout);
        }
        JsonNode rs = root.get("use_rslora");
        if (rs != null && !rs.isNull() && !rs.isBoolean()) {
            throw new AdapterFormatException(file + ": field 'use_rslora' must be true or false, got " + rs);
        }
        LoraConfig cfg = new LoraConfig(r, alpha, dropout, rs != null && rs.asBoolean(false), suffixes, layers,
                "gaussian".equals(root.path("init_lora_weights").asText()) ? LoraConfig.Init.GAUSSIAN
                        : LoraConfig.Init.KAIMING_UNIFORM);
        Map<String, Integer> rp = new LinkedHashMap<>();
        for (var e : fields(file, root, "rank_pattern")) {
            rp.put(e.getKey(), positiveInt(file, "rank_pattern." + e.getKey(), e.getValue()));
        }
        Map<String, Double> ap = new LinkedHashMap<>();
        for (var e : fields(file, root, "alpha_pattern")) {
            ap.put(e.getKey(), positiveNumber(file, "alpha_pattern." + e.getKey(), e.getValue()));
        }
        return new PeftAdapterConfig(cfg, rp, ap, regex);
    }

    /** peft features this library cannot apply: refused by name rather than silently ignored. */
    private static void refuseFeatures(Path file, JsonNode root) {
        Map<String, String> unsupported = new LinkedHashMap<>();
        unsupported.put("modules_to_save", "fully trained copies of whole modules");
        unsupported.put("target_parameters", "LoRA on parameters instead of modules");
        unsupported.put("trainable_token_indices", "trainable token embeddings");
        unsupported.put("exclude_modules", "excluded modules");
        unsupported.put("alora_invocation_tokens", "activated LoRA");
        unsupported.put("megatron_config", "Megatron-parallel layers");
        unsupported.put("layer_replication", "layer replication");
        for (Map.Entry<String, String> e : unsupported.entrySet()) {
            JsonNode n = root.get(e.getKey());
            boolean set = n != null && !n.isNull() && !(n.isContainerNode() && n.isEmpty());
            if (set) {
                throw new AdapterFormatException(file + ": field '" + e.getKey() + "' (" + e.getValue() + ") is set "
                        + "to " + n + "; this library does not support it");
            }
        }
        for (String flag : List.of("lora_bias", "use_qalora")) {
            if (root.path(flag).asBoolean(false)) {
                throw new AdapterFormatException(file + ": field '" + flag + "' is true; this library does not "
                        + "support it");
            }
        }
        JsonNode lp = root.get("layers_pattern");
        if (lp != null && !lp.isNull() && !(lp.isTextual() && lp.asText().equals("layers"))
                && !(lp.isArray() && lp.size() == 1 && lp.get(0).asText().equals("layers"))) {
            throw new AdapterFormatException(file + ": field 'layers_pattern' is " + lp + "; the supported models "
                    + "name their decoder layers 'layers'");
        }
    }

    private static Iterable<Map.Entry<String, JsonNode>> fields(Path file, JsonNode root, String field) {
        JsonNode n = root.get(field);
        if (n == null || n.isNull()) {
            return List.of();
        }
        if (!n.isObject()) {
            throw new AdapterFormatException(file + ": field '" + field + "' must be an object, got " + n);
        }
        return n.properties();
    }

    private static double number(Path file, String field, JsonNode n) {
        if (n == null || !n.isNumber() || !Double.isFinite(n.asDouble())) {
            throw new AdapterFormatException(file + ": field '" + field + "' must be a finite number, got " + n);
        }
        return n.asDouble();
    }

    private static double positiveNumber(Path file, String field, JsonNode n) {
        double v = number(file, field, n);
        if (!(v > 0)) {
            throw new AdapterFormatException(file + ": field '" + field + "' must be positive, got " + v);
        }
        return v;
    }

    private static int positiveInt(Path file, String field, JsonNode n) {
        if (n == null || !n.isIntegralNumber() || !n.canConvertToInt() || n.asInt() <= 0) {
            throw new AdapterFormatException(file + ": field '" + field + "' must be a positive integer, got " + n);
        }
        return n.asInt();
    }

    /** Whether peft targets this module: full-match regex for a string, else suffix match (plus layer filter). */
    boolean targets(String module) {
        if (targetRegex != null) {
            return Pattern.matches(targetRegex, module);
        }
        return config.targets(module);
    }

    /** The rank for a module: a matching rank_pattern key (peft: regex matched at the end of the name), else r. */
    int rankFor(String module) {
        return pattern(rankPattern, module, config.rank());
    }

    /** The scale for a module, with alpha_pattern and rsLoRA. */
    double scalingFor(String module) {
        double a = pattern(alphaPattern, module, config.alpha());
        int r = rankFor(module);
        return config.useRslora() ? a / Math.sqrt(r) : a / r;
    }

    private static <T> T pattern(Map<String, T> patterns, String module, T fallback) {
        for (Map.Entry<String, T> e : patterns.entrySet()) {
            if (Pattern.compile("(.*\\.)?" + e.getKey() + "$").matcher(module).matches()) {
                return e.getValue();
            }
        }
        return fallback;
    }

    /** peft-compatible JSON for a config written by this library. */
    static String write(LoraConfig c, String baseModel) {
        ObjectNode o = JSON.createObjectNode();
        o.put("peft_type", "LORA");
        o.put("task_type", "CAUSAL_LM");
        o.put("base_model_name_or_path", baseModel);
        o.put("r", c.rank());
        if (c.alpha() == Math.rint(c.alpha())) {
            o.put("lora_alpha", (long) c.alpha());
        } else {
            o.put("lora_alpha", c.alpha());
        }
        o.put("lora_dropout", c.dropout());
        o.put("use_rslora", c.useRslora());
        ArrayNode t = o.putArray("target_modules");
        c.targetModules().forEach(t::add);
        if (c.layersToTransform().isEmpty()) {
            o.putNull("layers_to_transform");
        } else {
            ArrayNode l = o.putArray("layers_to_transform");
            c.layersToTransform().forEach(l::add);
        }
        o.put("bias", "none");
        o.put("fan_in_fan_out", false);
        o.put("use_dora", false);
        o.put("inference_mode", true);
        o.putNull("modules_to_save");
        o.put("init_lora_weights", c.init() == LoraConfig.Init.GAUSSIAN ? "gaussian" : "true");
        if (c.init() != LoraConfig.Init.GAUSSIAN) {
            o.put("init_lora_weights", true);
        }
        o.putObject("rank_pattern");
        o.putObject("alpha_pattern");
        o.put("revision", (String) null);
        try {
            return JSON.writerWithDefaultPrettyPrinter().writeValueAsString(o);
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }
}
