/** The float64 running moments behind SWAG. Not part of the API: may change without notice. */
package ai.bayeslora.lora.swag.internal;
