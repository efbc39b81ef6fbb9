/**
 * LoRA adapters as peft defines them (docs/METHODS.md §2): {@link ai.bayeslora.lora.LoraConfig} (rank, α, dropout,
 * target modules), {@link ai.bayeslora.lora.LoraAdapter} (create, load and save peft folders, its parameters as a
 * vector θ of Java doubles) and its per-module {@link ai.bayeslora.lora.LoraLayer}s.
 *
 * <p>Tensor level (docs/API.md, "Tensors in signatures"): {@link ai.bayeslora.lora.LoraKernel}, {@link
 * ai.bayeslora.lora.LoraLayer#a()}/{@code b()}, {@code LoraAdapter.parameters()} (the live trainable tensors) and
 * {@code LoraAdapter.bindingAt} (a forward at a θ tensor without copying) are the LoRA computation and stay tensors;
 * θ as a tensor is in {@link ai.bayeslora.lora.interop.AdapterTensors}.
 *
 * <p>Subpackages: {@code train} (fine-tuning), {@code ensemble} (deep ensembles), {@code swag} (SWAG-LoRA and
 * MultiSWAG), {@code mcdropout} (MC dropout) and {@code interop} (θ as a libtorch tensor).
 */
package ai.bayeslora.lora;
