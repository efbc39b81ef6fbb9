package ai.bayeslora.examples.cli;

import ai.bayeslora.core.NativeScope;
import ai.bayeslora.core.BayesLoraException;
import ai.bayeslora.core.ComputeDevice;
import ai.bayeslora.core.Tensors;
import ai.bayeslora.core.model.CausalLM;
import ai.bayeslora.core.model.ModelInput;
import ai.bayeslora.core.safetensors.Checkpoint;
import ai.bayeslora.core.safetensors.SafetensorsWriter;
import ai.bayeslora.lora.LoraAdapter;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import ai.bayeslora.core.progress.Progress;
import ai.bayeslora.core.progress.ProgressTask;
import org.bytedeco.pytorch.NoGradGuard;
import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.TensorVector;
import org.bytedeco.pytorch.global.torch;
import org.bytedeco.pytorch.global.torch.ScalarType;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/**
 * Parity tool: full logits [batch, length, vocab] for given token ids, to compare with transformers on any checkpoint.
 */
@Command(name = "logits", mixinStandardHelpOptions = true, usageHelpAutoWidth = true,
        header = "Writes the model's logits for the token ids of a safetensors file.",
        description = {"Writes the logits [batch, length, vocab] (float32) of the model for the token ids in --inputs.",
            "Inputs: input_ids (int64/int32 [B, L]); optional attention_mask ([B, L], 1 = token, 0 = padding, left-padded) "
            + "and position_ids (default: cumsum(mask) - 1, clamped at 0)."})
final class LogitsCommand implements Callable<Integer> {
    @Mixin
    ModelOptions modelOptions;

    @Option(names = "--inputs", required = true, paramLabel = "IN.safetensors", description = "Token ids to run.")
    Path inputs;

    @Option(names = "--out", required = true, paramLabel = "OUT.safetensors", description = "Where to write logits.")
    Path out;

    @Mixin
    BatchSizeOptions batchSizeOptions = new BatchSizeOptions();

    @Mixin
    OverwriteOption overwrite = new OverwriteOption();

    @Override
    public Integer call() {
        int batchSize = batchSizeOptions.evalBatchSize();
        new OutputGuard("logits", overwrite.overwrite).inputs(inputs, modelOptions.model, modelOptions.adapter)
                .checkFile("--out", out);
        ComputeDevice device = modelOptions.computeDevice();
        try (CausalLM model = CausalLM.load(modelOptions.modelDir(), device);
             LoraAdapter adapter = modelOptions.loadAdapter(model);
             Checkpoint in = Checkpoint.open(inputs);
             NativeScope scope = NativeScope.open();
             NoGradGuard noGrad = new NoGradGuard()) {
            ModelInput all = readInputs(in, model.config().vocabSize());
            long rows = all.batchSize();
            List<Tensor> chunks = new ArrayList<>();
            try (ProgressTask bar = Progress.start(null, "logits", rows)) {
                for (long start = 0; start < rows; start += batchSize) {
                    long n = Math.min(batchSize, rows - start);
                    try (NativeScope step = NativeScope.open()) {
                        ModelInput part = new ModelInput(all.inputIds().narrow(0, start, n),
                                all.attentionMask().narrow(0, start, n), all.positionIds().narrow(0, start, n));
                        Tensor logits = model.forward(part, adapter == null
                                ? ai.bayeslora.core.model.AdapterBinding.none() : adapter.binding()).to(new org.bytedeco.pytorch.Device("cpu"), ScalarType.Float);
                        NativeScope.keep(logits);
                        chunks.add(logits);
                    }
                    bar.advance(n);
                }
            }
            Tensor logits = torch.cat(new TensorVector(chunks.toArray(new Tensor[0])), 0);
            NativeScope.release(chunks);
            SafetensorsWriter.write(out, Map.of("logits", logits), Map.of("format", "pt",
                    "model", modelOptions.modelDir().toString(), "dtype", device.dtype().hfName()));
            System.out.printf("wrote logits %s (%s compute on %s) to %s%n", Tensors.shapeText(Tensors.shape(logits)),
                    device.dtype().hfName(), device.name(), out);
        }
        return 0;
    }

    private ModelInput readInputs(Checkpoint in, int vocab) {
        if (!in.contains("input_ids")) {
            throw new BayesLoraException(inputs + ": missing tensor 'input_ids' (found " + in.names() + ")");
        }
        Tensor ids = in.tensor("input_ids", ScalarType.Long, null);
        if (ids.dim() != 2) {
            throw new BayesLoraException(inputs + ": tensor 'input_ids' must be [batch, length], got shape "
                    + Tensors.shapeText(Tensors.shape(ids)));
        }
        if (ids.size(0) < 1 || ids.size(1) < 1) {
            throw new BayesLoraException(inputs + ": tensor 'input_ids' is empty (shape "
                    + Tensors.shapeText(Tensors.shape(ids)) + "); give at least one row of at least one token");
        }
        if (in.info("input_ids").dtype().isFloatingPoint()) {
            throw new BayesLoraException(inputs + ": tensor 'input_ids' is " + in.info("input_ids").dtype()
                    + "; token ids must be an integer dtype (I64 or I32)");
        }
        long min = ids.min().item_long();
        long max = ids.max().item_long();
        if (min < 0 || max >= vocab) {
            throw new BayesLoraException(inputs + ": tensor 'input_ids' has ids in [" + min + ", " + max
                    + "] but the model's vocab_size is " + vocab);
        }
        Tensor mask = in.contains("attention_mask") ? in.tensor("attention_mask", ScalarType.Long, null)
                : torch.ones_like(ids);
        checkShape("attention_mask", mask, ids);
        if (mask.min().item_long() < 0 || mask.max().item_long() > 1) {
            throw new BayesLoraException(inputs + ": tensor 'attention_mask' must hold 0 and 1 only");
        }
        if (mask.sum(new long[] {1}, false, null).min().item_long() < 1) {
            throw new BayesLoraException(inputs + ": tensor 'attention_mask' has a row with no token (all 0)");
        }
        Tensor pos = in.contains("position_ids") ? in.tensor("position_ids", ScalarType.Long, null)
                : ModelInput.positionsFromMask(mask);
        checkShape("position_ids", pos, ids);
        return new ModelInput(ids, mask, pos);
    }

    private void checkShape(String name, Tensor t, Tensor ids) {
        if (!java.util.Arrays.equals(Tensors.shape(t), Tensors.shape(ids))) {
            throw new BayesLoraException(inputs + ": tensor '" + name + "' has shape " + Tensors.shapeText(Tensors.shape(t))
                    + " but input_ids has " + Tensors.shapeText(Tensors.shape(ids)));
        }
    }
}
