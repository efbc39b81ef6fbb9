/**
 * The tensor corner of lib-lora: an adapter's parameters as a libtorch tensor ({@code org.bytedeco.pytorch.Tensor}),
 * for code that works with libtorch directly. Applications use the array forms of
 * {@link ai.bayeslora.lora.LoraAdapter} ({@code parameterValues()}, {@code assign(double[])}) and of
 * {@link ai.bayeslora.lora.swag.SwagPosterior} instead; what is tensor-level by nature (the live parameters of
 * {@code LoraAdapter.parameters()}, {@code bindingAt}, {@link ai.bayeslora.lora.LoraKernel}, training priors) stays with
 * its type (docs/API.md, "Tensors in signatures").
 */
package ai.bayeslora.lora.interop;
