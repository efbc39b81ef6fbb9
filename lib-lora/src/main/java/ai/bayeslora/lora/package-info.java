/**
 * LoRA adapters as peft defines them (docs/METHODS.md §2): {@link ai.bayeslora.lora.LoraConfig} (rank, α, dropout,
 * target modules), {@link ai.bayeslora.lora.LoraAdapter} (create, load and save peft folders, flatten to a parameter
 * vector θ) and its per-module {@link ai.bayeslora.lora.LoraLayer}s.
 *
 * <p>Subpackages: {@code train} (fine-tuning), {@code ensemble} (deep ensembles), {@code swag} (SWAG-LoRA and
 * MultiSWAG) and {@code mcdropout} (MC dropout).
 */
package ai.bayeslora.lora;
