package ai.bayeslora.lora.train.internal;

import ai.bayeslora.core.mcqa.ClassReduction;
import ai.bayeslora.lora.train.LearningRateSchedule;
import ai.bayeslora.lora.train.OptimizerConfig;
import ai.bayeslora.lora.train.Prior;
import ai.bayeslora.lora.train.TrainingConfig;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Locale;
import java.util.Set;

/** A {@link TrainingConfig} as JSON for the trainer state, and the comparison a resume needs. */
public final class ConfigJson {
    /** Fields that do not change the sequence of parameter values, so a resume may change them. */
    static final Set<String> FREE_ON_RESUME = Set.of("eval_batch_size", "early_stopping_patience",
            "checkpoint_every_epoch", "progress_bar");

    private ConfigJson() {
    }

    /** All fields, snake_case. */
    public static ObjectNode of(TrainingConfig c) {
        ObjectNode o = JsonNodeFactory.instance.objectNode();
        ObjectNode opt = o.putObject("optimizer");
        if (c.optimizer() instanceof OptimizerConfig.AdamW a) {
            opt.put("type", "adamw").put("beta1", a.beta1()).put("beta2", a.beta2()).put("eps", a.eps())
                    .put("weight_decay", a.weightDecay());
        } else if (c.optimizer() instanceof OptimizerConfig.Sgd s) {
            opt.put("type", "sgd").put("momentum", s.momentum()).put("nesterov", s.nesterov());
        }
        o.put("learning_rate", c.learningRate());
        ObjectNode sched = o.putObject("schedule");
        sched.put("kind", c.schedule().kind().name().toLowerCase(Locale.ROOT))
                .put("warmup_steps", c.schedule().warmupSteps()).put("warmup_ratio", c.schedule().warmupRatio());
        if (c.maxGradNorm().isPresent()) {
            o.put("max_grad_norm", c.maxGradNorm().getAsDouble());
        } else {
            o.putNull("max_grad_norm");
        }
        o.put("gradient_accumulation_steps", c.gradientAccumulationSteps());
        o.put("batch_size", c.batchSize());
        o.put("eval_batch_size", c.evalBatchSize());
        o.put("epochs", c.epochs());
        if (c.maxSteps().isPresent()) {
            o.put("max_steps", c.maxSteps().getAsLong());
        } else {
            o.putNull("max_steps");
        }
        o.put("seed", c.seed());
        o.put("reduction", c.reduction().name().toLowerCase(Locale.ROOT));
        ObjectNode prior = o.putObject("prior");
        if (c.prior() instanceof Prior.Gaussian g) {
            prior.put("type", "gaussian").put("precision", g.precision());
        } else if (c.prior() instanceof Prior.LoraProduct p) {
            prior.put("type", "lora_product").put("beta", p.beta());
        } else {
            prior.put("type", "none");
        }
        if (c.earlyStoppingPatience().isPresent()) {
            o.put("early_stopping_patience", c.earlyStoppingPatience().getAsInt());
        } else {
            o.putNull("early_stopping_patience");
        }
        o.put("checkpoint_every_epoch", c.checkpointEveryEpoch());
        if (c.maxLength().isPresent()) {
            o.put("max_length", c.maxLength().getAsInt());
        } else {
            o.putNull("max_length");
        }
        o.put("progress_bar", c.progressBar());
        return o;
    }

    /**
     * The config {@link #of} wrote: {@code parse(of(c)).equals(c)} for every config (lib-spark ships configs to its
     * tasks this way, since {@link TrainingConfig}'s optional fields are not {@link java.io.Serializable}).
     *
     * @param o a node written by {@link #of}
     * @return the config
     * @throws IllegalArgumentException if a field is missing or of an unknown kind
     */
    public static TrainingConfig parse(JsonNode o) {
        JsonNode opt = field(o, "optimizer");
        OptimizerConfig optimizer = switch (field(opt, "type").asText()) {
            case "adamw" -> new OptimizerConfig.AdamW(field(opt, "beta1").asDouble(), field(opt, "beta2").asDouble(),
                    field(opt, "eps").asDouble(), field(opt, "weight_decay").asDouble());
            case "sgd" -> new OptimizerConfig.Sgd(field(opt, "momentum").asDouble(),
                    field(opt, "nesterov").asBoolean());
            default -> throw new IllegalArgumentException("unknown optimizer type " + opt.get("type"));
        };
        JsonNode sched = field(o, "schedule");
        JsonNode prior = field(o, "prior");
        Prior p = switch (field(prior, "type").asText()) {
            case "gaussian" -> new Prior.Gaussian(field(prior, "precision").asDouble());
            case "lora_product" -> new Prior.LoraProduct(field(prior, "beta").asDouble());
            case "none" -> new Prior.None();
            default -> throw new IllegalArgumentException("unknown prior type " + prior.get("type"));
        };
        TrainingConfig.Builder b = TrainingConfig.builder().optimizer(optimizer)
                .learningRate(field(o, "learning_rate").asDouble())
                .schedule(new LearningRateSchedule(LearningRateSchedule.Kind.valueOf(
                        field(sched, "kind").asText().toUpperCase(Locale.ROOT)),
                        field(sched, "warmup_steps").asInt(), field(sched, "warmup_ratio").asDouble()))
                .gradientAccumulationSteps(field(o, "gradient_accumulation_steps").asInt())
                .batchSize(field(o, "batch_size").asInt()).evalBatchSize(field(o, "eval_batch_size").asInt())
                .epochs(field(o, "epochs").asInt()).seed(field(o, "seed").asLong())
                .reduction(ClassReduction.valueOf(field(o, "reduction").asText().toUpperCase(Locale.ROOT)))
                .prior(p).checkpointEveryEpoch(field(o, "checkpoint_every_epoch").asBoolean())
                .progressBar(field(o, "progress_bar").asBoolean());
        if (field(o, "max_grad_norm").isNull()) {
            b.noGradClipping();
        } else {
            b.maxGradNorm(o.get("max_grad_norm").asDouble());
        }
        if (field(o, "max_steps").isNull()) {
            b.noMaxSteps();
        } else {
            b.maxSteps(o.get("max_steps").asLong());
        }
        if (field(o, "early_stopping_patience").isNull()) {
            b.noEarlyStopping();
        } else {
            b.earlyStoppingPatience(o.get("early_stopping_patience").asInt());
        }
        if (!field(o, "max_length").isNull()) {
            b.maxLength(o.get("max_length").asInt());
        }
        return b.build();
    }

    private static JsonNode field(JsonNode o, String name) {
        JsonNode v = o.get(name);
        if (v == null) {
            throw new IllegalArgumentException("training config JSON without '" + name + "'");
        }
        return v;
    }

    /**
     * The fields, other than {@link #FREE_ON_RESUME}, whose values differ between a saved config and the current one,
     * as {@code name: saved → current}.
     */
    public static List<String> differences(JsonNode saved, ObjectNode currentConfig) {
        JsonNode current = reparsed(currentConfig); // numbers then have the node types a read file gives
        List<String> diff = new ArrayList<>();
        for (Iterator<String> it = current.fieldNames(); it.hasNext(); ) {
            String f = it.next();
            if (FREE_ON_RESUME.contains(f)) {
                continue;
            }
            JsonNode s = saved.get(f);
            if (s == null || !s.equals(current.get(f))) {
                diff.add(f + ": " + s + " → " + current.get(f));
            }
        }
        return diff;
    }

    private static JsonNode reparsed(ObjectNode node) {
        try {
            ObjectMapper json = new ObjectMapper();
            return json.readTree(json.writeValueAsString(node));
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }
}
