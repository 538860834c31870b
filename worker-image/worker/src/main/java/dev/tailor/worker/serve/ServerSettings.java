package dev.tailor.worker.serve;

import java.time.Duration;

/**
 * How the inference server listens, admits and drains.
 *
 * @param host address to listen on (0.0.0.0: every interface)
 * @param port TCP port; 0 picks a free one
 * @param defaultSteps denoising steps of a request that names none
 * @param maxConcurrency denoising loops running at once, each on a thread of its own
 * @param maxQueue admitted requests waiting for a generation slot; more are answered 429
 * @param maxImageSteps the most images × denoising steps one request may ask for; more is 422
 * @param maxBatch the most images one denoising loop takes: requests arriving together are batched
 *     up to this many (1: each request runs alone, {@code maxConcurrency} at once)
 * @param batchWait how long a batch waits for more requests once its first is ready, while other
 *     requests are admitted
 * @param drainTimeout how long a shutdown waits for admitted requests to finish
 * @param faultErrorRate for rollout tests only: the fraction of admitted generate requests answered
 *     500 instead
 * @param faultLatency for rollout tests only: delay added to every admitted generate request
 */
public record ServerSettings(
    String host,
    int port,
    int defaultSteps,
    int maxConcurrency,
    int maxQueue,
    int maxImageSteps,
    int maxBatch,
    Duration batchWait,
    Duration drainTimeout,
    double faultErrorRate,
    Duration faultLatency) {}
