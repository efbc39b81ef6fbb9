/**
 * Implementation helpers of lib-lora's posteriors (parameter snapshots and layouts, scoring passes, native-scope
 * hand-over, atomic folder writes). Not part of the API: may change without notice.
 */
package ai.bayeslora.lora.internal;
