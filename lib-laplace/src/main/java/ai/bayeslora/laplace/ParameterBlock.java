package ai.bayeslora.laplace;

import java.util.Objects;

/**
 * One LoRA matrix inside the posterior's parameter vector θ (the selected modules' A then B, each row-major, in model
 * order — the layout of {@code LoraAdapter.flatten} restricted to the selection).
 *
 * @param module HF module name, e.g. {@code model.layers.0.self_attn.q_proj}
 * @param matrix A ([r, in]) or B ([out, r])
 * @param rows matrix rows
 * @param cols matrix columns
 * @param offset first index in θ
 */
public record ParameterBlock(String module, Matrix matrix, int rows, int cols, long offset) {

    /** Which LoRA matrix. */
    public enum Matrix {
        /** lora_A, [r, in]. */
        A,
        /** lora_B, [out, r]. */
        B
    }

    /**
     * Checks that the block is present, non-empty and at a non-negative offset.
     *
     * @param module HF module name, e.g. {@code model.layers.0.self_attn.q_proj}
     * @param matrix A ([r, in]) or B ([out, r])
     * @param rows matrix rows
     * @param cols matrix columns
     * @param offset first index in θ
     */
    public ParameterBlock {
        Objects.requireNonNull(module, "module");
        Objects.requireNonNull(matrix, "matrix");
        if (rows <= 0 || cols <= 0 || offset < 0) {
            throw new IllegalArgumentException("bad block " + module + "." + matrix + " [" + rows + ", " + cols + "] at "
                    + offset);
        }
    }

    /** {@return the number of parameters rows·cols} */
    public long size() {
        return (long) rows * cols;
    }

    /**
     * peft's parameter name, e.g. {@code base_model.model.model.layers.0.self_attn.q_proj.lora_A.weight}.
     *
     * @return the name
     */
    public String peftName() {
        return "base_model.model." + module + ".lora_" + matrix + ".weight";
    }

    /** {@return a short key for files and messages: {@code <module>.lora_A}} */
    public String key() {
        return module + ".lora_" + matrix;
    }
}
