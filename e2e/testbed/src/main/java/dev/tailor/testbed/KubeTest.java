package dev.tailor.testbed;

import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * A test class that runs against a real API server (see {@link Cluster}). Its methods may take a
 * {@link io.fabric8.kubernetes.client.KubernetesClient} whose default namespace is a fresh one made
 * for that method, a {@link TestNamespace} naming it, and the {@link Cluster}. On failure the
 * namespace's pods, events and custom resources, and the control plane's logs, are printed. The
 * class is skipped when the system property {@code tailor.skipClusterTests} is {@code true}.
 */
@Target(ElementType.TYPE)
@Retention(RetentionPolicy.RUNTIME)
@ExtendWith(KubeTestExtension.class)
@Tag("cluster")
public @interface KubeTest {}
