/**
 * The {@code tailor-worker} command line ({@link dev.tailor.worker.cli.Main}): {@code train},
 * {@code compress}, {@code evaluate}, {@code sample} and {@code serve}, the commands the operator
 * runs in Jobs and Deployments and people run by hand.
 *
 * <pre>
 * tailor-worker train --steps 2000 --store s3://models/fleets --name shapes-base
 * tailor-worker compress --method taylor --model s3://models/fleets/shapes-base \
 *     --model-digest sha256:... --sizes 75,50,25 --store s3://models/fleets --name-prefix shapes
 * tailor-worker evaluate --model s3://models/fleets/shapes-50 --reference s3://models/fleets/shapes-base
 * tailor-worker sample --model /models/shapes-50 --out samples.png
 * tailor-worker serve --model s3://models/fleets/shapes-50 --model-digest sha256:... --port 8080
 * </pre>
 *
 * <p>Contract: progress on stderr, one JSON result on stdout or in {@code --output} (which also
 * records failures), a one-line reason and a distinct exit code on failure (see {@code ExitCodes}).
 * Models are read through the artifacts module, so every stored model is verified against its
 * digest before use; results are written as variants and published atomically.
 */
package dev.tailor.worker.cli;
