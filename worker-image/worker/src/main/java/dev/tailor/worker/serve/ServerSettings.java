package dev.tailor.worker.serve;

import java.time.Duration;

/**
 * How the inference server listens, admits and drains.
 *
 * @param host address to listen on (0.0.0.0: every interface)
 * @param port TCP port; 0 picks a free one
 * @param defaultSteps denoising steps of a request that names none
 * @param maxConcurrency generations running at once
 * @param maxQueue admitted requests waiting for a generation slot; more are answered 429
 * @param maxImageSteps the most images × denoising steps one request may ask for; more is 422
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
    Duration drainTimeout,
    double faultErrorRate,
    Duration faultLatency) {}
