/**
 * The inference server {@code tailor-worker serve} runs in a device class's Deployment: {@link
 * dev.tailor.worker.serve.InferenceServer} (HTTP, admission, readiness, drain), {@link
 * dev.tailor.worker.serve.ImageGenerator} (seeded sampling to PNG) and the {@code
 * tailor_inference_*} Prometheus metrics.
 */
package dev.tailor.worker.serve;
